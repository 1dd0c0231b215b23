"""Numbers: the key with a tolerance (absolute, relative, significant figures) and a unit; the
learner types 36.4, 36.4%, 1/3, 2.5e6 or 2.5 x 10^6.

``responses`` (jupyterquiz's answers) come first, in order, and the first that matches decides:
a value (the same number) or a range [low, high) (low included, high not), right or wrong, with
the feedback to show. ``precision`` rounds the learner's number and every value to that many
significant figures before they are compared (3.055 and 3.14 both round to 3.1 at precision 2).
``otherwise`` is the feedback when nothing matched.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from ..model import Question
from ..reading import read_tolerance
from . import AnswerError, Input


@dataclass(frozen=True)
class NumberResponse:
    value: float | None = None  # a number, or else the range [low, high)
    low: float = 0.0
    high: float = 0.0
    correct: bool = False
    feedback: str = ""

    def matches(self, number: float, precision: int | None) -> bool:
        if self.value is not None:
            return number == (round_to_figures(self.value, precision) if precision else self.value)
        return self.low <= number < self.high

    def describe(self) -> str:
        return f"{self.value:g}" if self.value is not None else f"from {self.low:g} up to (not including) {self.high:g}"


class Numeric:
    name, order = "numeric", 3
    fields = ("answer", "tolerance", "unit", "precision", "responses", "otherwise")

    def read(self, r, q, common) -> Question:
        responses = tuple(read_response(r, raw, f"responses[{i}]") for i, raw in enumerate(r.items(q, "responses")))
        if "answer" not in q and not any(response.correct for response in responses):
            r.fail("answer", "a numeric question needs an answer (a number) or a correct response")
        precision = q.get("precision")
        extra = {"responses": responses, "otherwise": r.string(q.get("otherwise", ""), "otherwise", empty_ok=True),
                 "precision": None if precision is None else r.whole(precision, "precision", 1, 17)}
        return Question(answer=r.number(q["answer"], "answer") if "answer" in q else None,
                        tolerance=read_tolerance(r, q.get("tolerance")),
                        unit=r.string(r.get(q, "unit"), "unit", empty_ok=True), extra=extra, **common)

    def grade(self, q, answer, _namespace):
        number = parse_number(answer, q.unit)
        precision = q.extra.get("precision")
        if precision:
            number = round_to_figures(number, precision)
        for response in q.extra.get("responses", ()):
            if response.matches(number, precision):
                return (1.0 if response.correct else 0.0), response.feedback
        if q.answer is not None:
            key = round_to_figures(q.answer, precision) if precision else q.answer
            if abs(number - key) <= q.tolerance.allows(key):
                return 1.0, ""
        return 0.0, q.extra.get("otherwise", "")

    def storable(self, q, answer, _namespace=None):
        return answer

    def solution(self, q) -> str:
        if q.answer is not None:
            key = round_to_figures(q.answer, q.extra["precision"]) if q.extra.get("precision") else q.answer
            return f"{shown_key(key, q.tolerance.allows(key))}{' ' + q.unit if q.unit else ''}"
        right = next(response for response in q.extra["responses"] if response.correct)
        return right.describe() + (f" {q.unit}" if q.unit else "")

    def make_input(self, w, q, stored) -> Input:
        box = w.Text(value="" if stored is None else str(stored), placeholder="a number" + (f" (in {q.unit})" if q.unit else ""),
                     layout=w.Layout(width="280px"))
        return Input(box, lambda: box.value, [box])


def read_response(r, raw, name: str) -> NumberResponse:
    item = r.mapping(raw, name, required=(), allowed=("value", "range", "correct", "feedback"))
    if ("value" in item) == ("range" in item):
        r.fail(name, "give value (a number) or range ([low, high]), one of them")
    common = dict(correct=r.boolean(r.get(item, "correct", NumberResponse), f"{name}.correct"),
                  feedback=r.string(r.get(item, "feedback", NumberResponse), f"{name}.feedback", empty_ok=True))
    if "value" in item:
        return NumberResponse(value=r.number(item["value"], f"{name}.value"), **common)
    ends = item["range"]
    if not (isinstance(ends, list) and len(ends) == 2):
        r.fail(f"{name}.range", f"must be [low, high], two numbers, got {ends!r}")
    low, high = (r.number(end, f"{name}.range") for end in ends)
    if not low < high:
        r.fail(f"{name}.range", f"[{low:g}, {high:g}) holds no number: low must be below high")
    return NumberResponse(low=low, high=high, **common)


def shown_key(key: float, allowed: float) -> str:
    """The key to as many decimals as the tolerance tells apart (36.43 within 0.05: 36.4), so a
    solution claims no more precision than the grading asks; trailing zeros dropped."""
    decimals = max(0, -math.floor(math.log10(2 * allowed))) if allowed > 0 else 15
    return f"{round(key, min(decimals, 15)):.15g}"


def round_to_figures(number: float, figures: int) -> float:
    """``number`` to ``figures`` significant figures, halves away from zero, from its exact binary
    value: what JavaScript's toPrecision gives, which jupyterquiz's precision uses."""
    if number == 0 or not math.isfinite(number):
        return number
    exact = Decimal(number)
    place = exact.adjusted() - figures + 1
    return float(exact.quantize(Decimal(1).scaleb(place), rounding=ROUND_HALF_UP))


def parse_number(text, unit: str = "") -> float:
    """A number typed by a person: 36.4, 3.64e1, 1/3, 36.4%, 1,200, with the unit allowed."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        if isinstance(text, int) and abs(text) > 1e308:  # float() would overflow (a hand-edited answer cell)
            raise AnswerError("That number is too large; write it as e.g. 2.5e6.")
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
    except (ValueError, ZeroDivisionError, OverflowError):
        raise AnswerError(f"Could not read {text.strip()!r} as a number; write e.g. 36.4, 1/3 or 2.5e6.") from None


KIND = Numeric()
