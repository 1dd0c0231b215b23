"""Grade one answer to one question. Pure functions: no widgets, no store.

A Grade carries the score (0 to 1, partial credit for multiple select and code), whether
it is fully right, and feedback in Markdown. Feedback for a wrong answer never gives the
key away; the explanation is added only when the answer is right.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from .codecheck import run_cases


@dataclass(frozen=True)
class Grade:
    score: float  # 0..1
    feedback: str
    valid: bool = True  # False: the answer could not be read (no attempt is counted)

    @property
    def correct(self) -> bool:
        return self.valid and self.score >= 1.0 - 1e-9


class AnswerError(ValueError):
    """An answer that cannot be read, e.g. text in a numeric box."""


def grade(question, answer, namespace: dict | None = None) -> Grade:
    """Grade ``answer``: an option index (single), indices (multiple), text (numeric, text),
    or anything for code (the learner's definition is read from ``namespace``)."""
    try:
        score, feedback = _GRADERS[question.type](question, answer, namespace or {})
    except AnswerError as error:
        return Grade(0.0, str(error), valid=False)
    if score >= 1.0 - 1e-9:
        feedback = "\n\n".join(part for part in (feedback, question.explanation) if part)
    return Grade(score, feedback)


def _single(q, answer, _ns):
    if answer is None or not isinstance(answer, int) or not 0 <= answer < len(q.options):
        raise AnswerError("Pick one of the options.")
    option = q.options[answer]
    return (1.0 if option.correct else 0.0), option.feedback


def _multiple(q, answer, _ns):
    picked = sorted(set(answer or ()))
    if not picked or not all(isinstance(i, int) and 0 <= i < len(q.options) for i in picked):
        raise AnswerError("Tick at least one option.")
    right = sum(1 for o in q.options if o.correct)
    hits = sum(1 for i in picked if q.options[i].correct)
    wrong = len(picked) - hits
    if q.partial_credit == "all_or_nothing":
        score = 1.0 if hits == right and wrong == 0 else 0.0
    else:  # right_minus_wrong: each wrong tick cancels a right one
        score = max(0.0, (hits - wrong) / right)
    notes = [f"- {q.options[i].text}: {q.options[i].feedback}" for i in picked if q.options[i].feedback]
    if score < 1.0:
        tally = f"{hits} of your {len(picked)} ticks {'is' if hits == 1 else 'are'} right"
        notes.insert(0, f"{tally}; {right} options are right in all.")
    return score, "\n".join(notes)


def _numeric(q, answer, _ns):
    value = parse_number(answer, q.unit)
    ok = abs(value - q.answer) <= q.tolerance.allows(q.answer)
    return (1.0 if ok else 0.0), ""


def parse_number(text, unit: str = "") -> float:
    """A number typed by a person: 36.4, 3.64e1, 1/3, 36.4%, 1,200, with the unit allowed."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return float(text)
    if not isinstance(text, str) or not text.strip():
        raise AnswerError("Type a number.")
    cleaned = text.strip().replace("\u2212", "-").replace("\u00d7", "x")
    for suffix in filter(None, (unit.strip(), "%")):
        if cleaned.lower().endswith(suffix.lower()):
            cleaned = cleaned[: -len(suffix)].strip()
            break
    if re.fullmatch(r"[-+]?\d{1,3}(,\d{3})+(\.\d*)?", cleaned):
        cleaned = cleaned.replace(",", "")  # 1,200 is twelve hundred
    elif "," in cleaned:
        raise AnswerError(f"Could not read {text.strip()!r} as a number: use a point for decimals (3.5).")
    match = re.fullmatch(r"([-+]?[\d.]+)\s*[x*]\s*10\s*\^\s*([-+]?\d+)", cleaned)
    if match:  # 2.5 x 10^6
        cleaned = f"{match.group(1)}e{match.group(2)}"
    try:
        return float(Fraction(cleaned)) if "/" in cleaned else float(cleaned)
    except (ValueError, ZeroDivisionError):
        raise AnswerError(f"Could not read {text.strip()!r} as a number; write e.g. 36.4, 1/3 or 2.5e6.") from None


def normalise(text: str, case_sensitive: bool) -> str:
    text = " ".join(text.split()).strip().rstrip(".!")
    return text if case_sensitive else text.casefold()


def _text(q, answer, _ns):
    if not isinstance(answer, str) or not answer.strip():
        raise AnswerError("Type an answer.")
    given = normalise(answer, q.case_sensitive)
    if any(given == normalise(a, q.case_sensitive) for a in q.answer):
        return 1.0, ""
    flags = 0 if q.case_sensitive else re.IGNORECASE
    if any(re.fullmatch(p, given, flags) for p in q.patterns):
        return 1.0, ""
    return 0.0, ""


def _code(q, _answer, namespace):
    share, feedback = run_cases(q, namespace)
    if share is None:
        raise AnswerError(feedback)
    return share, feedback


_GRADERS = {"single": _single, "multiple": _multiple, "numeric": _numeric, "text": _text, "code": _code}
