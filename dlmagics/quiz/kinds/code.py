"""Code: the learner defines a function (or a variable) in a cell; its test cases run in the
kernel under a time limit, and the share that pass is the score."""

from __future__ import annotations

from ..codecheck import run_cases
from ..model import Case, Question
from ..reading import read_tolerance
from ..text import to_html
from . import AnswerError, Input


class Code:
    name, order = "code", 5
    fields = ("name", "kind", "cases", "time_limit", "starter", "solution", "tolerance")

    def read(self, r, q, common) -> Question:
        name = q.get("name")
        if not isinstance(name, str) or not name.isidentifier():
            r.fail("name", "must be the Python name the learner defines, e.g. relu")
        kind = r.choice(r.get(q, "kind"), "kind", ("function", "value"))
        return Question(name=name, kind=kind, cases=_cases(r, q.get("cases"), kind),
                        tolerance=read_tolerance(r, q.get("tolerance")),
                        time_limit=r.number(r.get(q, "time_limit"), "time_limit", lambda v: 0 < v <= 60,
                                            "seconds, above 0 and at most 60"),
                        starter=r.string(r.get(q, "starter"), "starter", empty_ok=True),
                        solution=r.string(r.get(q, "solution"), "solution", empty_ok=True), **common)

    def grade(self, q, _answer, namespace):
        share, feedback = run_cases(q, namespace)
        if share is None:
            raise AnswerError(feedback)
        return share, feedback

    def storable(self, q, answer):
        return f"<{q.name} as defined in the kernel>"  # the code is the learner's, not ours to keep

    def solution(self, q) -> str:
        return ""

    def make_input(self, w, q, stored) -> Input:
        starter = f"```python\n{q.starter}\n```\n\n" if q.starter else ""
        what = "function" if q.kind == "function" else "variable"
        note = w.HTMLMath(to_html(f"{starter}Define the {what} `{q.name}` in a code cell, run it, then press Check."))
        return Input(note, lambda: None, [])


def _cases(r, raw, kind: str) -> tuple[Case, ...]:
    if not isinstance(raw, list) or not raw:
        r.fail("cases", "must be a non-empty list of test cases")
    cases = []
    for i, item in enumerate(raw):
        allowed = ("args", "kwargs", "expected") if kind == "function" else ("expected",)
        c = r.mapping(item, f"cases[{i}]", required=("expected",), allowed=allowed)
        args = r.get(c, "args", Case)
        if not isinstance(args, (list, tuple)):
            r.fail(f"cases[{i}].args", "must be a list of arguments")
        kwargs = r.get(c, "kwargs", Case)
        if not isinstance(kwargs, dict):
            r.fail(f"cases[{i}].kwargs", "must be a mapping of keyword arguments")
        cases.append(Case(args=tuple(args), kwargs=dict(kwargs), expected=c["expected"]))
    return tuple(cases)


KIND = Code()
