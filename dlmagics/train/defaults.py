"""Defaults of %train_demo stated once (light: the magic's help reads them at load)."""

SEED = 0  # data order and initial weights when --seed is not given
# --data of cnn and transfer: a learner's images, resized to OWN_SIDE x OWN_SIDE (kept if smaller
# squares) and cut to a size a CPU trains in minutes
OWN_SIDE = 32
OWN_TRAIN = {"quick": 500, "full": 2000}  # training images used at most
OWN_TEST = 500
