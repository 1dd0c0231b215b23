"""Each question type's rules, one module per type: its fields, how a file's question is read
and checked, how an answer is graded, what of it is stored, the solution's text, and the input
a learner answers in. A new type is one new module here (and its part of quiz.schema.json and
docs/quiz-format.md): this package finds it.

Every module defines ``KIND``, an object with:
- ``name``; ``order`` (its place in lists and messages); ``fields`` (beyond the common ones);
- ``read(r, q, common) -> Question``: the checked question (``r``, reading.py's Reader, raises
  QuizFormatError naming the file, the question and the field; ``r.get(q, name)`` gives a field
  left out the default model.py states);
- ``grade(q, answer, namespace) -> (score 0..1, feedback)``; AnswerError if it cannot be read;
- ``storable(q, answer, namespace)``: the answer as JSON holds it (and a teacher's export shows);
- optionally ``answer_text(q, stored)``: a stored answer in words, for exports and a graded
  notebook's answer cell (default: as stored), and ``from_text(q, text)``, its inverse (None for
  what is not an answer);
- ``solution(q) -> str``: what "show the solution" reveals (a question's own ``solution`` wins);
- ``make_input(w, q, stored) -> Input``: the widgets, ``w`` being ipywidgets (the view passes it);
- optionally ``scored = False``: answers are kept but count apart from the score (design).
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Callable


class AnswerError(ValueError):
    """An answer that cannot be read, e.g. text in a numeric box."""


@dataclass
class Input:
    widget: object | None  # what the learner answers in (None: nothing to type here)
    value: Callable[[], object]  # the answer as it stands now
    controls: list = field(default_factory=list)  # what to disable once the question is locked


def _discover() -> dict:
    kinds = [importlib.import_module(f"{__name__}.{info.name}").KIND for info in pkgutil.iter_modules(__path__)]
    return {kind.name: kind for kind in sorted(kinds, key=lambda kind: kind.order)}


KINDS = _discover()


def scored(question) -> bool:
    """Whether the question counts in the score (a design answer is kept, not scored): its type
    said so as it was read (document.py)."""
    return question.scored
