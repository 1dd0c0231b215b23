"""Text: accepted answers (spacing, a final full stop and, unless case-sensitive, case do not
count) or regular expressions the whole answer must match.

``responses`` (jupyterquiz's answers) come first, in order, and the first that matches decides:
each is an answer, right or wrong, with its feedback, its own case rule and, with ``fuzzy``
(0 to 1), near misses counted: 1 - (edit distance / the longer length) at least ``fuzzy``.
``otherwise`` is the feedback when nothing matched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import Question
from . import AnswerError, Input


MAX_PATTERN, MAX_MATCHED, MATCH_S = 500, 2000, 1.0
# a group that holds a repeat and is itself repeated: (a+)+, (a*b?)*, (x{2,})+ ...
NESTED_REPEAT = re.compile(r"\((?:[^()\\]|\\.)*(?:[+*]|\{\d*,?\d*\})(?:[^()\\]|\\.)*\)(?:[+*]|\{\d*,\d*\})")


MAX_FUZZY = 500  # longer texts are compared exactly: the edit distance costs their product


@dataclass(frozen=True)
class TextResponse:
    answer: str
    correct: bool = True
    feedback: str = ""
    case_sensitive: bool = False
    fuzzy: float | None = None

    def match(self, given: str) -> str | None:
        """None if ``given`` does not match; else the feedback to show."""
        mine, theirs = normalise(self.answer, self.case_sensitive), normalise(given, self.case_sensitive)
        if mine == theirs:
            return self.feedback
        if self.fuzzy is not None and max(len(mine), len(theirs)) <= MAX_FUZZY:
            if 1 - edit_distance(mine, theirs) / max(len(mine), len(theirs), 1) >= self.fuzzy:
                return f"(Close enough to \u201c{self.answer}\u201d.) {self.feedback}".strip()
        return None


class Text:
    name, order = "text", 4
    fields = ("answer", "patterns", "case_sensitive", "responses", "otherwise")

    def read(self, r, q, common) -> Question:
        accepted = q.get("answer", [])
        accepted = [accepted] if isinstance(accepted, str) else accepted
        answers = tuple(r.strings(accepted, "answer"))
        patterns = tuple(r.strings(r.get(q, "patterns"), "patterns"))
        for pattern in patterns:
            try:
                re.compile(pattern)
            except (re.error, RecursionError, OverflowError) as error:
                r.fail("patterns", f"{pattern!r} is not a regular expression ({error})")
            if len(pattern) > MAX_PATTERN or NESTED_REPEAT.search(pattern):
                r.fail("patterns", f"{pattern[:60]!r} repeats a repeated group, like (a+)+, or is over {MAX_PATTERN} "
                                   "characters: such patterns can take years on some answers; write it flat")
        responses = tuple(read_response(r, raw, f"responses[{i}]") for i, raw in enumerate(r.items(q, "responses")))
        if not answers and not patterns and not any(response.correct for response in responses):
            r.fail("answer", "a text question needs answer (accepted answers), patterns or a correct response")
        extra = {"responses": responses, "otherwise": r.string(q.get("otherwise", ""), "otherwise", empty_ok=True)}
        return Question(answer=answers, patterns=patterns, extra=extra,
                        case_sensitive=r.boolean(r.get(q, "case_sensitive"), "case_sensitive"), **common)

    def grade(self, q, answer, _namespace):
        if not isinstance(answer, str) or not answer.strip():
            raise AnswerError("Type an answer.")
        if len(answer) > MAX_MATCHED:
            raise AnswerError(f"The answer has {len(answer):,} characters; at most {MAX_MATCHED:,} are read.")
        for response in q.extra.get("responses", ()):
            feedback = response.match(answer)
            if feedback is not None:
                return (1.0 if response.correct else 0.0), feedback
        given = normalise(answer, q.case_sensitive)
        if any(given == normalise(a, q.case_sensitive) for a in q.answer):
            return 1.0, ""
        flags = 0 if q.case_sensitive else re.IGNORECASE
        if not q.patterns:
            return 0.0, q.extra.get("otherwise", "")
        from ..codecheck import CheckTimeout, time_limit

        try:
            with time_limit(MATCH_S):  # the load-time check is a heuristic; this is the bound
                if any(re.fullmatch(p, given, flags) for p in q.patterns):
                    return 1.0, ""
                return 0.0, q.extra.get("otherwise", "")
        except CheckTimeout:
            raise AnswerError("This answer took the quiz's pattern too long to check; try it shorter.") from None

    def storable(self, q, answer, _namespace=None):
        return answer

    def solution(self, q) -> str:
        right = [response.answer for response in q.extra.get("responses", ()) if response.correct]
        if right or q.answer:
            return (right + list(q.answer))[0]
        return f"an answer matching {q.patterns[0]}"

    def make_input(self, w, q, stored) -> Input:
        box = w.Text(value="" if stored is None else str(stored), placeholder="your answer", layout=w.Layout(width="280px"))
        return Input(box, lambda: box.value, [box])


def read_response(r, raw, name: str) -> TextResponse:
    item = r.mapping(raw, name, required=("answer",), allowed=("answer", "correct", "feedback", "case_sensitive", "fuzzy"))
    fuzzy = item.get("fuzzy")
    return TextResponse(answer=r.string(item["answer"], f"{name}.answer"),
                        correct=r.boolean(r.get(item, "correct", TextResponse), f"{name}.correct"),
                        feedback=r.string(r.get(item, "feedback", TextResponse), f"{name}.feedback", empty_ok=True),
                        case_sensitive=r.boolean(r.get(item, "case_sensitive", TextResponse), f"{name}.case_sensitive"),
                        fuzzy=None if fuzzy is None else r.number(fuzzy, f"{name}.fuzzy", lambda v: 0 < v <= 1,
                                                                  "a number above 0, at most 1"))


def edit_distance(a: str, b: str) -> int:
    """Levenshtein's: the fewest insertions, deletions and substitutions that turn a into b."""
    previous = list(range(len(b) + 1))
    for i, char in enumerate(a, 1):
        current = [i]
        for j, other in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char != other)))
        previous = current
    return previous[-1]


def normalise(text: str, case_sensitive: bool) -> str:
    text = " ".join(text.split()).strip().rstrip(".!")
    return text if case_sensitive else text.casefold()


KIND = Text()
