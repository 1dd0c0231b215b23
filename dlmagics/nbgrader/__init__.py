"""Graded assignments with nbgrader: ``python -m dlmagics.nbgrader SOURCE.ipynb`` turns a
notebook's ``%dlquiz`` cells into an nbgrader source notebook (convert.py), and ``points``
is what its graded test cells call.

How the answers reach the grader: the quiz writes every answer into the notebook's answer
cell (``%%dlquiz_answers ID``, quiz/sheet.py), so they are saved with the file; autograde runs
that cell in a fresh kernel, and each test cell's ``points`` grades one answer with the key.

Where the key is:
- a built-in quiz (dlmagics/quiz/bank): in the installed package, never in the notebook;
- a quiz file: the test cells carry the file's text between ``### BEGIN HIDDEN TESTS`` and
  ``### END HIDDEN TESTS``. nbgrader keeps those lines in its gradebook, strips them from the
  released notebook and puts them back before autograde, so grading never reads the copy of
  the file the student has (an edited key there changes no grade). Hidden tests rather than
  salted hashes because hashes can only check answers compared for equality: a tolerance, a
  text pattern or a code question's cases cannot be hashed. The quiz file itself still goes
  out beside the notebook (the student's quiz needs it to show and give feedback), key
  included: give built-in quizzes, or a file whose key you do not mind being read, when that
  matters.

What grading trusts: only the answers. ``points`` grades the answer sheet's answers with the
key (quiz/grading.py); a "score" written in the answer cell, a key typed into it or code after
the JSON are left out, and a cell whose magic line is removed holds no answers. The limit,
shared with every nbgrader test: autograde runs the student's notebook in a kernel the
student's own cells run in first, so a student who writes code that replaces ``points`` or
Python's display of numbers in another cell can forge a result. Read the autograded notebooks
(formgrader) when the stakes call for it.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from functools import lru_cache

INSTALL = "pip install 'dlmagics[teach]'"


def points(quiz_id: str, question_id: str, quiz_file: dict | None = None) -> float:
    """The points one answer scored: the question's points x its score (0..1, partial credit as
    the quiz gives it), graded with the key of the built-in quiz ``quiz_id`` or of ``quiz_file``
    ({"name": file name, "text": its text}, from a hidden test). No answer: 0.0."""
    from ..quiz.grading import grade
    from ..quiz.sheet import graded_answer

    question = _quiz(quiz_id, quiz_file).question(question_id)
    sheet, namespace = _sheet(quiz_id)
    if question_id not in sheet or sheet[question_id] is None:
        return 0.0
    # nbgrader scores a test cell that writes to stderr 0 (its sign of an error): what the
    # learner's own code writes there or warns while it is graded is left out
    answer = graded_answer(question, sheet[question_id])
    if answer is None:
        return 0.0
    with contextlib.redirect_stderr(io.StringIO()), warnings.catch_warnings(record=True):
        result = grade(question, answer, namespace)
    return round(float(question.points) * float(result.score), 4) if result.valid else 0.0


def _quiz(quiz_id: str, quiz_file: dict | None):
    from ..quiz import catalog

    if quiz_file is None:
        quiz = catalog.bank().get(quiz_id)
        if quiz is None:
            raise LookupError(f"{quiz_id!r} is not a built-in quiz of this dlmagics; a quiz file's test cell "
                              f"carries its key (convert the notebook again with python -m dlmagics.nbgrader)")
        return quiz
    quiz = _read(quiz_file["name"], quiz_file["text"])
    if quiz.id != quiz_id:
        raise LookupError(f"the key in this test cell is quiz {quiz.id!r}'s, not {quiz_id!r}'s")
    return quiz


@lru_cache(maxsize=8)
def _read(name: str, text: str):
    from pathlib import Path

    from ..quiz.formats import format_of
    from ..quiz.model import QuizFormatError

    form = format_of(Path(name), text)
    if form is None:
        raise QuizFormatError(f"{name}: not a quiz file dlmagics reads")
    return form.read(Path(name), text)


def _sheet(quiz_id: str) -> tuple[dict, dict]:
    """The answers the kernel's ``%%dlquiz_answers`` cell of ``quiz_id`` read, and the user's
    namespace (where code questions find the learner's definitions)."""
    from IPython import get_ipython

    shell = get_ipython()
    magics = shell.magics_manager.registry.get("DLMagics") if shell is not None else None
    wing = getattr(magics, "wings", {}).get("quiz")
    if wing is None:
        return {}, {}
    return wing.desk.sheets.get(quiz_id, {}), shell.user_ns
