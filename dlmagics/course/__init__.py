"""The course notebooks (examples/ in the repository, shipped inside the wheel), and
``python -m dlmagics.course DIR``, which copies them where a learner can open them."""

from __future__ import annotations

import shutil
from pathlib import Path

HERE = Path(__file__).parent


def notebooks_dir() -> Path:
    """Where the notebooks are: inside an installed wheel, or examples/ in a checkout."""
    packaged = HERE / "notebooks"
    return packaged if packaged.is_dir() else HERE.parent.parent / "examples"


def copy_course(target: str | Path) -> list[Path]:
    """Copy the course notebooks into ``target`` (made if missing); a notebook already there
    is kept, so a learner's own work is never overwritten. Returns the files copied."""
    source, target = notebooks_dir(), Path(target).expanduser()
    if not source.is_dir():
        raise FileNotFoundError(f"the course notebooks are not in this installation ({source})")
    if target.exists() and not target.is_dir():
        raise NotADirectoryError(f"{target} is a file; give a folder to copy the course into")
    target.mkdir(parents=True, exist_ok=True)
    copied = []
    for notebook in sorted(source.glob("*.ipynb")):
        destination = target / notebook.name
        if not destination.exists():
            shutil.copy2(notebook, destination)
            copied.append(destination)
    return copied
