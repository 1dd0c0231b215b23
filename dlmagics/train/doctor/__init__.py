"""The training doctor: what goes wrong in a learner's own loop, named in words with its
evidence and its fix. ``findings`` holds the shape of a diagnosis, ``rules`` the checks
made while a loop trains, ``errors`` PyTorch's raw errors turned into one sentence."""
