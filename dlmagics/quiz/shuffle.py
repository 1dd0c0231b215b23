"""The order a learner sees a question's options in.

Authors put the right option first more often than not (32 of the bank's 34 single-choice
questions did), so the file's order gives the answer away. Each learner sees each question's
options shuffled, seeded by who they are and by the question: the same order after a restart,
in an export and in a terminal; another order for another learner. Answers are kept as the
file's indices, so the order never changes what is graded or stored.
"""

from __future__ import annotations

import getpass
import hashlib
import os
import random

ENV_LEARNER = "DLMAGICS_LEARNER"  # who the learner is, where the login name is not it (a shared account)


def learner() -> str:
    """Who answers here: DLMAGICS_LEARNER, else the JupyterHub user (on a hub every container
    may log in as jovyan), else the login name. Exports name the learner by it too."""
    name = os.environ.get(ENV_LEARNER) or os.environ.get("JUPYTERHUB_USER")
    if name:
        return name
    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers)
        return "learner"


def option_order(question) -> list[int]:
    """The file's option indices in the order this learner sees them."""
    key = "\0".join((learner(), question.id, question.prompt)).encode("utf-8")
    order = list(range(len(question.options)))
    random.Random(int.from_bytes(hashlib.sha256(key).digest()[:8], "big")).shuffle(order)
    return order
