"""Quiz file formats, one module per format: ours (native.py: YAML or JSON, docs/quiz-format.md)
and jupyterquiz's JSON lists (jupyterquiz.py). A new format is one new module here: this package
finds it, and ``%dlquiz path/to/file`` and catalog.find read its files.

Every module defines ``FORMAT``, an object with:
- ``name``, said in messages; ``suffixes``: the file name endings it reads (lowercase, ".gift");
- ``order``: formats that share a suffix are asked in this order, the particular before the
  general (jupyterquiz's lists before our documents, both .json);
- ``recognises(path, text) -> bool``: whether a file with one of its suffixes is of this format,
  from its content; cheap, since every file is asked;
- ``read(path, text) -> Quiz``: the checked quiz, or QuizFormatError naming the file, the
  question and the field (reading.py's Reader says it so; document.py builds our documents).
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from ...files import FileProblem, read_text, resolve
from ..model import Quiz, QuizFormatError

MAX_QUIZ_BYTES = 4 << 20  # the course's largest quiz file is 20 KiB


def _discover() -> dict:
    found = [importlib.import_module(f"{__name__}.{info.name}").FORMAT for info in pkgutil.iter_modules(__path__)]
    return {form.name: form for form in found}


FORMATS = _discover()  # by name; a test may add one (monkeypatch.setitem)


def suffixes() -> tuple[str, ...]:
    """Every file name ending some format reads, each once."""
    return tuple(dict.fromkeys(suffix for form in _in_order() for suffix in form.suffixes))


def format_of(path: Path, text: str):
    """The format that reads this file: the first, in order, that has its suffix and recognises it."""
    suffix = path.suffix.lower()
    return next((form for form in _in_order() if suffix in form.suffixes and form.recognises(path, text)), None)


def load(path: str | Path) -> Quiz:
    """Read a quiz from a file of any format here (.yaml/.yml/.json: ours, jupyterquiz's lists...)."""
    try:
        path = resolve(path)
        text = read_text(path, max_bytes=MAX_QUIZ_BYTES)
    except FileProblem as error:
        raise QuizFormatError(str(error)) from None
    form = format_of(path, text)
    if form is None:
        raise QuizFormatError(f"{path}: not a quiz file dlmagics reads; give a file ending {', '.join(suffixes())}")
    return form.read(path, text)


def _in_order() -> list:
    return sorted(FORMATS.values(), key=lambda form: form.order)
