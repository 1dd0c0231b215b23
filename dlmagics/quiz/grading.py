"""Grade one answer to one question. Pure functions: no widgets, no store.

A Grade carries the score (0 to 1, partial credit for multiple select and code), whether
it is fully right, and feedback in Markdown. Feedback for a wrong answer never gives the
key away; the explanation is added only when the answer is right.
"""

from __future__ import annotations

from dataclasses import dataclass

from .kinds import KINDS, AnswerError
from .kinds.numeric import parse_number  # noqa: F401 - part of this module's interface


@dataclass(frozen=True)
class Grade:
    score: float  # 0..1
    feedback: str
    valid: bool = True  # False: the answer could not be read (no attempt is counted)

    @property
    def correct(self) -> bool:
        return self.valid and self.score >= 1.0 - 1e-9


def grade(question, answer, namespace: dict | None = None) -> Grade:
    """Grade ``answer``: an option index (single), indices (multiple), text (numeric, text),
    or anything for code (the learner's definition is read from ``namespace``); each type's
    rules are in kinds/."""
    try:
        score, feedback = KINDS[question.type].grade(question, answer, namespace or {})
    except AnswerError as error:
        return Grade(0.0, str(error), valid=False)
    if score >= 1.0 - 1e-9:
        feedback = "\n\n".join(part for part in (feedback, question.explanation) if part)
    return Grade(score, feedback)
