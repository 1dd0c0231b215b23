"""Design: an open answer no key can grade ("sketch a CNN for ..."). The learner's text is kept
in the progress store and exported with the rest; once it is handed in, the rubric is shown to
compare it with. It counts apart from the score (``scored = False``): the quiz says how many
designs are written, not a percentage."""

from __future__ import annotations

from ..model import Question
from . import AnswerError, Input

MAX_CHARS = 20_000


class Design:
    name, order, fields = "design", 6, ("rubric", "example", "min_words")
    scored = False

    def read(self, r, q, common) -> Question:
        rubric = r.strings(q.get("rubric", []), "rubric")
        if not rubric:
            r.fail("rubric", "a design question needs a rubric: a list of what a good answer has")
        extra = {"rubric": tuple(rubric), "min_words": r.whole(q.get("min_words", 10), "min_words", 0, 2000)}
        return Question(solution=r.string(q.get("example", ""), "example", empty_ok=True), extra=extra, **common)

    def grade(self, q, answer, _namespace):
        text = answer.strip() if isinstance(answer, str) else ""
        words, wanted = len(text.split()), q.extra["min_words"]
        if not text or words < wanted:
            raise AnswerError(f"Write your design first: at least {wanted} words (this has {words}).")
        if len(text) > MAX_CHARS:
            raise AnswerError(f"The answer has {len(text):,} characters; at most {MAX_CHARS:,} are kept.")
        return 1.0, rubric_text(q)

    def storable(self, q, answer, _namespace=None):
        return answer.strip() if isinstance(answer, str) else answer

    def solution(self, q) -> str:
        return rubric_text(q)

    def make_input(self, w, q, stored) -> Input:
        box = w.Textarea(value=stored if isinstance(stored, str) else "", placeholder="Your design, in your own words",
                         layout=w.Layout(width="95%", height="9em"))
        return Input(box, lambda: box.value, [box])


def rubric_text(q) -> str:
    """The rubric as a Markdown list, with the author's example answer after it if there is one."""
    items = "\n".join(f"- {item}" for item in q.extra["rubric"])
    example = f"\n\n**One answer:** {q.solution}" if q.solution else ""
    return f"Compare your design with what a good one has:\n\n{items}{example}"


KIND = Design()
