"""Code: the learner defines a function (or a variable) in a cell; its test cases run in the
kernel under a time limit, and the share that pass is the score."""

from __future__ import annotations

import inspect

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

    def storable(self, q, answer, namespace=None):
        """What was checked, for the learner's record and a teacher's export: a function's source
        (read, never run), a plain value itself, else what it was, in words."""
        return checked_code(q.name, (namespace or {}).get(q.name, _MISSING))

    def solution(self, q) -> str:
        return ""

    def make_input(self, w, q, stored) -> Input:
        starter = f"```python\n{q.starter}\n```\n\n" if q.starter else ""
        what = "function" if q.kind == "function" else "variable"
        note = w.HTMLMath(to_html(f"{starter}Define the {what} `{q.name}` in a code cell, run it, then press Check."))
        return Input(note, lambda: None, [])


_MISSING = object()
MAX_SOURCE = 20_000  # characters kept of a function's source


def checked_code(name: str, found) -> object:
    if found is _MISSING:
        return f"<{name} was not defined>"
    if isinstance(found, (bool, int, float, str)) or found is None:
        return found if not isinstance(found, str) else found[:MAX_SOURCE]
    if inspect.isfunction(found):  # a plain function: its source is in linecache, nothing of it runs
        try:
            return inspect.getsource(found)[:MAX_SOURCE]
        except (OSError, TypeError):
            return f"<{name}: a function whose source could not be read>"
    return f"<{name}: a {type(found).__name__}>"


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
