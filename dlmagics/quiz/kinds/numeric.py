"""Numbers: the key with a tolerance (absolute, relative, significant figures) and a unit; the
learner types 36.4, 36.4%, 1/3, 2.5e6 or 2.5 x 10^6."""

from __future__ import annotations

import re
from fractions import Fraction

from ..model import Question, read_tolerance
from . import AnswerError, Input


class Numeric:
    name, order, fields = "numeric", 3, ("answer", "tolerance", "unit")

    def read(self, r, q, common) -> Question:
        if "answer" not in q:
            r.fail("answer", "a numeric question needs an answer (a number)")
        return Question(answer=r.number(q["answer"], "answer"), tolerance=read_tolerance(r, q.get("tolerance")),
                        unit=r.string(q.get("unit", ""), "unit", empty_ok=True), **common)

    def grade(self, q, answer, _namespace):
        value = parse_number(answer, q.unit)
        return (1.0 if abs(value - q.answer) <= q.tolerance.allows(q.answer) else 0.0), ""

    def storable(self, q, answer):
        return answer

    def solution(self, q) -> str:
        return f"{q.answer:g}{' ' + q.unit if q.unit else ''}"

    def make_input(self, w, q, stored) -> Input:
        box = w.Text(value="" if stored is None else str(stored), placeholder="a number" + (f" (in {q.unit})" if q.unit else ""),
                     layout=w.Layout(width="280px"))
        return Input(box, lambda: box.value, [box])


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


KIND = Numeric()
