"""python -m dlmagics.nbgrader SOURCE.ipynb [-o OUT]: make a notebook's quizzes gradable by
nbgrader (convert.py says what each quiz cell becomes)."""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

from . import INSTALL


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dlmagics.nbgrader", description=(
        "Turn a notebook's %dlquiz cells into an nbgrader source notebook: the quiz cell locked, an answer "
        "cell the quiz writes into, one graded test cell per question, design questions graded by hand."))
    parser.add_argument("source", help="the notebook to convert (.ipynb)")
    parser.add_argument("-o", "--output", help="where to write it: a notebook path, or a folder to write it in under "
                                               "SOURCE's name (default: SOURCE's name with _graded, beside it); put "
                                               "it in your course's source/ASSIGNMENT/ folder")
    args = parser.parse_args(argv)
    if importlib.util.find_spec("nbgrader") is None:
        return _fail(f"nbgrader is not installed; install it with {INSTALL}")
    import nbformat

    from ..quiz.model import QuizFormatError
    from .convert import NothingToConvert, convert

    source = Path(args.source)
    output = Path(args.output) if args.output else source.with_name(f"{source.stem}_graded.ipynb")
    try:
        notebook = nbformat.read(source, as_version=4)
    except (OSError, ValueError, AttributeError, TypeError, nbformat.ValidationError) as error:  # JSON, not a notebook
        why = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return _fail(f"{source}: cannot be read as a notebook ({why}); give an .ipynb file")
    try:
        done = convert(notebook, source.parent)
    except NothingToConvert as error:
        return _fail(f"{source}: {error}")
    except (QuizFormatError, LookupError) as error:
        return _fail(f"{source}: {error}")
    if done.already:
        print(f"{source}: already converted for nbgrader (it has answer cells); nothing changed")
        return 0
    if output.is_dir():  # the assignment's folder: the notebook keeps its name there
        output = output / source.name
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, output)
    except OSError as error:
        return _fail(f"{output}: cannot write it ({error.strerror or error}); give a notebook path or a folder")
    print(f"wrote {output}: {'; '.join(done.quizzes)}. Next: nbgrader generate_assignment (README: For teachers)")
    if done.files:
        print(f"note: put {', '.join(done.files)} beside it; students get the file with its key (their quiz reads "
              f"it), while grading uses the key kept in the hidden tests, never their copy")
    return 0


def _fail(line: str) -> int:
    print(f"dlmagics.nbgrader: {line}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
