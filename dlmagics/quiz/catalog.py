"""The quizzes dlmagics ships (quiz/bank/*.yaml) and finding one by id or path."""

from __future__ import annotations

import difflib
from functools import lru_cache
from pathlib import Path

from .formats import load, suffixes
from .model import Quiz, QuizFormatError

BANK = Path(__file__).with_name("bank")


class QuizNotFound(LookupError):
    pass


@lru_cache(maxsize=1)
def _bank_cached(stamp: tuple) -> dict[str, Quiz]:
    quizzes = {}
    for path in sorted(BANK.glob("*.yaml")):
        quiz = load(path)
        quizzes[quiz.id] = quiz
    return quizzes


def bank() -> dict[str, Quiz]:
    """The built-in quizzes by id, read once (again if a file changes)."""
    stamp = tuple((p.name, p.stat().st_mtime_ns) for p in sorted(BANK.glob("*.yaml")))
    return _bank_cached(stamp)


def find(name: str, extra: dict[str, Quiz] | None = None) -> Quiz:
    """A quiz by id (built in, or one shown from a file in this kernel), or from a path."""
    known = {**bank(), **(extra or {})}
    if name in known:
        return known[name]
    if Path(name).suffix.lower() in suffixes() or "/" in name or "\\" in name:
        quiz = load(name)  # QuizFormatError says what is wrong with the file
        if quiz.id in bank():  # a file never stands in for a built-in quiz (its progress would mix in)
            raise QuizFormatError(f"{name}: its id {quiz.id!r} is a built-in quiz's; give the file's quiz another "
                                  f"id (say {quiz.id}-mine)")
        return quiz
    near = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
    hint = f"did you mean {' or '.join(near)}? " if near else ""
    raise QuizNotFound(f"no quiz named {name!r}; {hint}the quizzes are {', '.join(known)}")


__all__ = ["bank", "find", "Quiz", "QuizFormatError", "QuizNotFound"]
