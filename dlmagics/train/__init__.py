"""The %train_demo wing: the experiments that made deep learning work, trained live as races
(wing.py: the magic; demos.py: the experiments and their lessons; trainer.py: the run in the
background; dashboard.py and pictures.py: how a run looks)."""
