"""Single choice: one right option among the options, graded by its index."""

from __future__ import annotations

from ..model import Question
from ..reading import read_options
from ..shuffle import option_order
from ..text import to_inline_html
from . import AnswerError, Input

CHOOSE_ONE = "dlm-quiz-choose-one"  # drawn as round boxes, kept to one tick by labextension/outputs.ts


class Single:
    name, order, fields = "single", 1, ("options",)

    def read(self, r, q, common) -> Question:
        options = read_options(r, q.get("options"))
        right = sum(o.correct for o in options)
        if right != 1:
            r.fail("options", f"a single-choice question needs exactly one correct option, has {right}")
        return Question(options=options, **common)

    def grade(self, q, answer, _namespace):
        if isinstance(answer, list) and len(answer) > 1:  # a page without our extension lets boxes be ticked freely
            raise AnswerError(f"Tick one option only ({len(answer)} are ticked).")
        if type(answer) is not int or not 0 <= answer < len(q.options):  # (True is an int to Python)
            raise AnswerError("Pick one of the options.")
        option = q.options[answer]
        return (1.0 if option.correct else 0.0), option.feedback

    def storable(self, q, answer, _namespace=None):
        return answer if isinstance(answer, int) else None  # several ticks (no extension) are no answer

    def answer_text(self, q, stored):
        return q.options[stored].text if isinstance(stored, int) and 0 <= stored < len(q.options) else stored

    def from_text(self, q, text):
        """An option's text (a graded notebook's answer cell) back to its index; else None."""
        if not isinstance(text, str):
            return None
        return next((i for i, o in enumerate(q.options) if o.text.strip() == text.strip()), None)

    def solution(self, q) -> str:
        return "; ".join(o.text for o in q.options if o.correct)

    def make_input(self, w, q, stored) -> Input:
        """One box per option, drawn round: ipywidgets' radio labels are plain text, a checkbox's
        label is HTML that JupyterLab typesets ($x^2$, <code>). The page keeps one ticked
        (labextension/outputs.ts); the kernel never sets a box, since a value it sent could
        cross the learner's next click and leave the page showing another answer than the
        kernel grades. Where the page does not keep to one (no extension), grading says so."""
        order = option_order(q)  # shown shuffled (shuffle.py), valued by the file's index
        boxes = option_boxes(w, q, order, {stored} if isinstance(stored, int) else set())
        group = w.VBox(boxes)
        group.add_class(CHOOSE_ONE)

        def picked():
            ticked = [i for i, box in zip(order, boxes) if box.value]
            return ticked[0] if len(ticked) == 1 else (ticked or None)

        return Input(group, picked, boxes)


def option_boxes(w, q, order, ticked: set) -> list:
    """A checkbox per option in the order shown, its label the option's Markdown as HTML."""
    return [w.Checkbox(value=i in ticked, description=to_inline_html(q.options[i].text), description_allow_html=True,
                       indent=False, layout=w.Layout(width="auto")) for i in order]


KIND = Single()
