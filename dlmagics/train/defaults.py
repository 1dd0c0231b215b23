"""Defaults of %train_demo stated once (light: the magic's help reads them at load)."""

SEED = 0  # data order and initial weights when --seed is not given
