"""nbgrader's autograde and validate: the one place that decides whether a run is graded.

While nbgrader executes a notebook it sets NBGRADER_EXECUTION ("autograde" or "validate") in
the kernel's environment and gives each cell 30 s. Then %train_demo, %%train and %%gpubench
take a short, seeded path that still runs the learner's code (a broken loop or benchmark
still fails), and each says so in one line (``say``). Light: the magics import it at load.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

ENV = "NBGRADER_EXECUTION"
MODES = ("autograde", "validate")  # what nbgrader 0.9 sets it to
SEED = 0  # torch.manual_seed before a learner's loop under %%train
DEMO_EPOCHS = 1  # %train_demo: quick size, this many epochs


@dataclass(frozen=True)
class OwnLoop:
    """How much of a learner's %%train loop runs: every part of it (the code after a batch loop,
    a validation pass, between epochs), a few times."""

    epochs: int = 2  # passes of the cell's epoch loop
    batches: int = 5  # passes of its batch loop in each epoch
    steps: int = 20  # optimizer steps at most, for a loop whose shape the cell does not show


OWN_LOOP = OwnLoop()


def active() -> str | None:
    """"autograde" or "validate" while nbgrader executes the notebook, else None."""
    mode = os.environ.get(ENV, "").strip().lower()
    return mode if mode in MODES else None


def say(how: str) -> None:
    """The one line a magic prints when it takes the short path: ``how`` says what it ran."""
    print(f"{active()}: a short, seeded run ({how}); outside nbgrader the cell runs in full", flush=True)
