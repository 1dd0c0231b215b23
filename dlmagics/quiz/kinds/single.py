"""Single choice: one right option among the options, graded by its index."""

from __future__ import annotations

from ..model import Question, read_options
from ..shuffle import option_order
from . import AnswerError, Input


class Single:
    name, order, fields = "single", 1, ("options",)

    def read(self, r, q, common) -> Question:
        options = read_options(r, q.get("options"))
        right = sum(o.correct for o in options)
        if right != 1:
            r.fail("options", f"a single-choice question needs exactly one correct option, has {right}")
        return Question(options=options, **common)

    def grade(self, q, answer, _namespace):
        if answer is None or not isinstance(answer, int) or not 0 <= answer < len(q.options):
            raise AnswerError("Pick one of the options.")
        option = q.options[answer]
        return (1.0 if option.correct else 0.0), option.feedback

    def storable(self, q, answer):
        return answer

    def solution(self, q) -> str:
        return "; ".join(o.text for o in q.options if o.correct)

    def make_input(self, w, q, stored) -> Input:
        picked = stored if isinstance(stored, int) and 0 <= stored < len(q.options) else None
        # shown shuffled (shuffle.py), valued by the file's index: graded and stored the same
        radio = w.RadioButtons(options=[(q.options[i].text, i) for i in option_order(q)], value=picked,
                               layout=w.Layout(width="auto"))
        return Input(radio, lambda: radio.value, [radio])


KIND = Single()
