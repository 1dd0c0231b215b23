"""A quiz as data: Quiz, Question, Option, Tolerance, Case, each field's default stated here once.

This module reads nothing and knows no question type: reading.py checks a file's values,
document.py builds these from a quiz document (each type's rules in kinds/), and formats/
reads each kind of file. The format is documented in docs/quiz-format.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

PARTIAL_CREDIT = ("right_minus_wrong", "all_or_nothing")
MODES = ("practice", "mastery", "exam")


class QuizFormatError(ValueError):
    """A quiz file that cannot be used; the message says where and why."""


@dataclass(frozen=True)
class Option:
    text: str
    correct: bool = False
    feedback: str = ""


@dataclass(frozen=True)
class Tolerance:
    abs: float = 0.0
    rel: float = 0.0
    sig_figs: int | None = None

    def allows(self, key: float) -> float:
        """The largest distance from the key that still counts as right."""
        width = max(self.abs, self.rel * abs(key))
        if self.sig_figs is not None:
            # Agrees to n significant figures: within half a unit of the key's n-th figure.
            if key == 0:
                return max(width, 0.5 * 10.0 ** (1 - self.sig_figs))
            place = math.floor(math.log10(abs(key))) - self.sig_figs + 1
            width = max(width, 0.5 * 10.0 ** place)
        return width


@dataclass(frozen=True)
class Case:
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    expected: object = None


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    prompt: str
    options: tuple[Option, ...] = ()
    partial_credit: str = "right_minus_wrong"
    answer: object = None  # numeric: the number; text: the accepted answers (a tuple)
    tolerance: Tolerance = Tolerance(rel=1e-6)
    unit: str = ""
    patterns: tuple[str, ...] = ()
    case_sensitive: bool = False
    name: str = ""  # code: the function or variable the learner defines
    kind: str = "function"
    cases: tuple[Case, ...] = ()
    time_limit: float = 2.0
    starter: str = ""
    solution: str = ""
    explanation: str = ""
    hints: tuple[str, ...] = ()
    source: str = ""
    points: float = 1.0
    extra: dict = field(default_factory=dict)  # the fields of a type (kinds/) that needs others than these
    # What its type (kinds/) says, filled in as the question is read:
    scored: bool = True  # counts in the score (a design answer is kept apart)
    answer_text: str = ""  # the right answer in words, shown when the author wrote no solution

    def solution_text(self) -> str:
        """What "show the solution" reveals: the author's solution, else what the type says."""
        return self.solution or self.answer_text


@dataclass(frozen=True)
class Quiz:
    id: str
    title: str
    questions: tuple[Question, ...]
    topic: str = ""
    events: tuple[str, ...] = ()
    intro: str = ""
    attempts: int = 1  # exam mode: submissions allowed
    solution_after: int = 3  # practice/mastery: wrong tries before the solution is offered
    path: str = ""
    digest: str = ""  # a hash of the content: an edited quiz does not inherit stale answers
    skipped: tuple[str, ...] = ()  # questions of an imported file left out, each with why
    notes: tuple[str, ...] = ()  # questions of an imported file read in a way its author should know

    def question(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid:
                return q
        raise KeyError(qid)

    @property
    def scored_questions(self) -> tuple[Question, ...]:
        """The questions the score counts (not design ones, whose answers are kept apart)."""
        return tuple(q for q in self.questions if q.scored)

    @property
    def total_points(self) -> float:
        return sum(q.points for q in self.scored_questions)
