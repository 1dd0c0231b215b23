"""Text: accepted answers (spacing, a final full stop and, unless case-sensitive, case do not
count) or regular expressions the whole answer must match."""

from __future__ import annotations

import re

from ..model import Question
from . import AnswerError, Input


MAX_PATTERN, MAX_MATCHED, MATCH_S = 500, 2000, 1.0
# a group that holds a repeat and is itself repeated: (a+)+, (a*b?)*, (x{2,})+ ...
NESTED_REPEAT = re.compile(r"\((?:[^()\\]|\\.)*(?:[+*]|\{\d*,?\d*\})(?:[^()\\]|\\.)*\)(?:[+*]|\{\d*,\d*\})")


class Text:
    name, order, fields = "text", 4, ("answer", "patterns", "case_sensitive")

    def read(self, r, q, common) -> Question:
        accepted = q.get("answer", [])
        accepted = [accepted] if isinstance(accepted, str) else accepted
        answers = tuple(r.strings(accepted, "answer"))
        patterns = tuple(r.strings(q.get("patterns", []), "patterns"))
        for pattern in patterns:
            try:
                re.compile(pattern)
            except (re.error, RecursionError, OverflowError) as error:
                r.fail("patterns", f"{pattern!r} is not a regular expression ({error})")
            if len(pattern) > MAX_PATTERN or NESTED_REPEAT.search(pattern):
                r.fail("patterns", f"{pattern[:60]!r} repeats a repeated group, like (a+)+, or is over {MAX_PATTERN} "
                                   "characters: such patterns can take years on some answers; write it flat")
        if not answers and not patterns:
            r.fail("answer", "a text question needs answer (accepted answers) or patterns")
        return Question(answer=answers, patterns=patterns,
                        case_sensitive=r.boolean(q.get("case_sensitive", False), "case_sensitive"), **common)

    def grade(self, q, answer, _namespace):
        if not isinstance(answer, str) or not answer.strip():
            raise AnswerError("Type an answer.")
        given = normalise(answer, q.case_sensitive)
        if any(given == normalise(a, q.case_sensitive) for a in q.answer):
            return 1.0, ""
        flags = 0 if q.case_sensitive else re.IGNORECASE
        if not q.patterns:
            return 0.0, ""
        if len(given) > MAX_MATCHED:
            raise AnswerError(f"The answer has {len(given):,} characters; at most {MAX_MATCHED:,} are read.")
        from ..codecheck import CheckTimeout, time_limit

        try:
            with time_limit(MATCH_S):  # the load-time check is a heuristic; this is the bound
                return (1.0 if any(re.fullmatch(p, given, flags) for p in q.patterns) else 0.0), ""
        except CheckTimeout:
            raise AnswerError("This answer took the quiz's pattern too long to check; try it shorter.") from None

    def storable(self, q, answer):
        return answer

    def solution(self, q) -> str:
        return str(q.answer[0]) if q.answer else f"an answer matching {q.patterns[0]}"

    def make_input(self, w, q, stored) -> Input:
        box = w.Text(value="" if stored is None else str(stored), placeholder="your answer", layout=w.Layout(width="280px"))
        return Input(box, lambda: box.value, [box])


def normalise(text: str, case_sensitive: bool) -> str:
    text = " ".join(text.split()).strip().rstrip(".!")
    return text if case_sensitive else text.casefold()


KIND = Text()
