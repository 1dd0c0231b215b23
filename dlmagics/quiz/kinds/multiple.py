"""Multiple select: one or more right options, ticked; partial credit (each wrong tick
cancels a right one) or all or nothing."""

from __future__ import annotations

from ..model import PARTIAL_CREDIT, Question
from ..reading import read_options
from ..shuffle import option_order
from . import AnswerError, Input
from .single import Single, option_boxes


class Multiple(Single):
    name, order, fields = "multiple", 2, ("options", "partial_credit")

    def read(self, r, q, common) -> Question:
        options = read_options(r, q.get("options"))
        if not any(o.correct for o in options):
            r.fail("options", "a multiple-select question needs at least one correct option")
        credit = r.choice(r.get(q, "partial_credit"), "partial_credit", PARTIAL_CREDIT)
        return Question(options=options, partial_credit=credit, **common)

    def grade(self, q, answer, _namespace):
        ticked = list(answer) if isinstance(answer, (list, tuple, set, frozenset)) else ()  # a hand-edited answer cell may hold anything
        if not ticked or not all(type(i) is int and 0 <= i < len(q.options) for i in ticked):
            raise AnswerError("Tick at least one option.")
        picked = sorted(set(ticked))
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

    def storable(self, q, answer, _namespace=None):
        return sorted(set(answer or ()))

    def answer_text(self, q, stored):
        return [Single.answer_text(self, q, i) for i in stored] if isinstance(stored, list) else stored

    def from_text(self, q, texts):
        """Options' texts back to their indices; None if any is not an option's text."""
        if not isinstance(texts, list):
            return None
        picked = [Single.from_text(self, q, t) for t in texts]
        return None if None in picked else sorted(set(picked))

    def make_input(self, w, q, stored) -> Input:
        ticked = set(stored) if isinstance(stored, list) else set()
        order = option_order(q)  # shown shuffled; the answer is the file's indices
        boxes = option_boxes(w, q, order, ticked)
        return Input(w.VBox(boxes), lambda: sorted(i for i, box in zip(order, boxes) if box.value), boxes)


KIND = Multiple()
