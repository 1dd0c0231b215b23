"""The doctor's outside corpus: learners' training loops (loops/*.py) and the namespace they run in.

Each loop is the body of one notebook cell, plain PyTorch, headed by ``# expect: KEY`` (the
finding it should get, ``none`` for a healthy loop), maybe ``# also: KEY, KEY`` (findings that are
true consequences of the bug), and ``# bug: ...`` or ``# healthy: ...``;
loops/README.md states the contract. ``loops()`` reads them, ``namespace()`` gives the data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import torch

from dlmagics.train.data import digits

LOOPS = Path(__file__).parent / "loops"
SPELLINGS = Path(__file__).parent / "spellings"
HEADER = re.compile(r"^#\s*(expect|also|bug|healthy|needs):\s*(.+?)\s*$")


@dataclass(frozen=True)
class Loop:
    name: str  # the file's stem
    expect: str  # a finding key, or "none"
    also: tuple[str, ...]  # findings that are true consequences of the bug (may be named after it)
    what: str  # the bug: or healthy: line
    needs: str | None  # "cuda" for a loop that only means something on a GPU
    code: str

    def __iter__(self):  # unpacks as (name, expect, code)
        return iter((self.name, self.expect, self.code))


def read(path: Path) -> Loop:
    fields = {}
    for line in path.read_text().splitlines():
        match = HEADER.match(line)
        if not match:
            break  # the header is the file's first comment lines
        fields[match[1]] = match[2]
    if "expect" not in fields or ("bug" in fields) == ("healthy" in fields):
        raise ValueError(f"{path.name}: the header needs '# expect: KEY' and one of '# bug:' or '# healthy:'")
    if (fields["expect"] == "none") != ("healthy" in fields):
        raise ValueError(f"{path.name}: '# expect: none' goes with '# healthy:', a finding key with '# bug:'")
    also = tuple(key.strip() for key in fields.get("also", "").split(",") if key.strip())
    what = fields.get("bug") or fields["healthy"]
    return Loop(path.stem, fields["expect"], also, what, fields.get("needs"), path.read_text())


def loops(*, all_devices: bool = False, folder: Path = LOOPS) -> list[Loop]:
    """The loops in name order; those that need a GPU only where there is one (or ``all_devices``).
    ``folder``: loops/ (each header's claim checked in plain PyTorch too) or spellings/ (more
    spellings a second reader wrote, run under the doctor only)."""
    found = [read(path) for path in sorted(folder.glob("*.py"))]
    return [loop for loop in found if all_devices or loop.needs != "cuda" or torch.cuda.is_available()]


def namespace(seed: int = 0) -> dict:
    """A fresh namespace holding the digits (X_train, y_train, X_val, y_val), the RNG seeded."""
    data = digits()
    torch.manual_seed(seed)
    return {
        "__name__": "__main__",
        "X_train": data.x_train.clone(),
        "y_train": data.y_train.clone(),
        "X_val": data.x_test.clone(),
        "y_val": data.y_test.clone(),
    }


def val_accuracy(namespace: dict) -> float:
    """The accuracy of the loop's ``model`` on X_val, in eval mode (the loop's own view of its input
    is not known, so a model that wants flat rows gets them when the images do not fit)."""
    model, x, y = namespace["model"], namespace["X_val"], namespace["y_val"]
    model.eval()
    with torch.no_grad():
        try:
            out = model(x)
        except RuntimeError:
            out = model(x.flatten(1))
    return float((out.argmax(1) == y).float().mean())
