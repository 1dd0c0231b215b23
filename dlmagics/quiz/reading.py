"""Reading a quiz file's values: its text parsed safely (YAML or JSON), and each value checked
by a Reader that fails with the file, the question and the field in one line, so an author knows
where to look. A field the file leaves out takes the default model.py states for it.

Used by the question types (kinds/), by document.py and by the file formats (formats/); it
knows none of them.
"""

from __future__ import annotations

import math
import re
from dataclasses import MISSING, fields

from .model import Option, Question, QuizFormatError, Tolerance

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}\Z")  # \Z: "$" lets a newline end an id
YAML_SUFFIXES = (".yaml", ".yml")


def default(of: type, name: str):
    """The default that the dataclass ``of`` (Quiz, Question, Option...) gives its field ``name``."""
    for item in fields(of):
        if item.name == name:
            if item.default is not MISSING:
                return item.default
            if item.default_factory is not MISSING:
                return item.default_factory()
    raise LookupError(f"{of.__name__}.{name} has no default")


class Reader:
    """Type checks that fail with the file, the question and the field in the message."""

    def __init__(self, where: str):
        self.where = where
        self.question: str | None = None

    def fail(self, field_name: str, problem: str, question: str | None = None):
        question = question or self.question
        parts = [self.where]
        if question:
            parts.append(f"question {question!r}")
        if field_name:
            parts.append(f"field {field_name!r}")
        raise QuizFormatError(": ".join(parts) + f": {problem}")

    def get(self, value: dict, name: str, of: type = Question):
        """The file's ``name`` in ``value``, or the default ``of`` (a model.py dataclass) states for it."""
        return value[name] if name in value else default(of, name)

    def mapping(self, value, name: str, required, allowed) -> dict:
        if not isinstance(value, dict):
            self.fail(name, "must be a mapping")
        for key in required:
            if key not in value:
                self.fail(f"{name}.{key}" if name else key, "is required")
        unknown = sorted(set(value) - set(allowed))
        if unknown:
            self.fail(f"{name}.{unknown[0]}" if name else unknown[0], f"is not a field here; allowed: {', '.join(allowed)}")
        return value

    def string(self, value, name: str, empty_ok: bool = False) -> str:
        if not isinstance(value, str) or (not empty_ok and not value.strip()):
            self.fail(name, "must be text" + ("" if empty_ok else " (not empty)"))
        return value

    def strings(self, value, name: str) -> list[str]:
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) and v.strip() for v in value):
            self.fail(name, "must be a list of texts")
        return list(value)

    def items(self, q: dict, name: str) -> list:
        """The list in field ``name`` of ``q`` (none: an empty list)."""
        value = q.get(name, [])
        if not isinstance(value, list):
            self.fail(name, "must be a list")
        return value

    def ident(self, value, name: str) -> str:
        if not isinstance(value, str) or not ID_PATTERN.match(value):
            self.fail(name, f"must be an id of lowercase letters, digits, - and _ (got {value!r})")
        return value

    def boolean(self, value, name: str) -> bool:
        if not isinstance(value, bool):
            self.fail(name, "must be true or false")
        return value

    def number(self, value, name: str, ok=lambda v: True, allowed: str = "a number") -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or not ok(value):
            self.fail(name, f"must be {allowed}, got {value!r}")
        return float(value)

    def whole(self, value, name: str, low: int, high: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.fail(name, f"must be a whole number from {low} to {high}, got {value!r}")
        return value

    def choice(self, value, name: str, allowed) -> str:
        if value not in allowed:
            self.fail(name, f"must be one of {', '.join(allowed)}, got {value!r}")
        return value


def read_options(r: Reader, raw) -> tuple[Option, ...]:
    if not isinstance(raw, list) or len(raw) < 2:
        r.fail("options", "must be a list of at least two options")
    options = []
    for i, item in enumerate(raw):
        if isinstance(item, str):
            item = {"text": item}
        o = r.mapping(item, f"options[{i}]", required=("text",), allowed=("text", "correct", "feedback"))
        options.append(Option(text=r.string(o["text"], f"options[{i}].text"),
                              correct=r.boolean(r.get(o, "correct", Option), f"options[{i}].correct"),
                              feedback=r.string(r.get(o, "feedback", Option), f"options[{i}].feedback", empty_ok=True)))
    texts = [o.text for o in options]
    if len(set(texts)) != len(texts):
        r.fail("options", "two options have the same text")
    return tuple(options)


def read_tolerance(r: Reader, raw) -> Tolerance:
    if raw is None:
        return default(Question, "tolerance")
    t = r.mapping(raw, "tolerance", required=(), allowed=("abs", "rel", "sig_figs"))
    if not t:
        r.fail("tolerance", "give abs, rel or sig_figs")
    nonneg = (lambda v: v >= 0, "a number from 0")
    sig = r.get(t, "sig_figs", Tolerance)
    return Tolerance(abs=r.number(r.get(t, "abs", Tolerance), "tolerance.abs", *nonneg),
                     rel=r.number(r.get(t, "rel", Tolerance), "tolerance.rel", *nonneg),
                     sig_figs=None if sig is None else r.whole(sig, "tolerance.sig_figs", 1, 15))


def id_from_name(stem: str) -> str:
    """A quiz id made from a file's name, for formats whose files carry none."""
    cleaned = re.sub(r"[^a-z0-9_-]+", "-", stem.lower()).strip("-_")
    return cleaned[:64] or "quiz"


# -- a file's text as data -------------------------------------------------------------

def parse(path, text: str):
    """A file's text as data: YAML for .yaml and .yml, JSON for any other name."""
    return parse_text(text, str(path), yaml=path.suffix.lower() in YAML_SUFFIXES)


def parse_text(text: str, where: str, yaml: bool):
    """YAML (when ``yaml``) or JSON text as plain data: mappings with text keys, lists, values."""
    if yaml:
        import yaml as pyyaml

        loader = getattr(pyyaml, "CSafeLoader", pyyaml.SafeLoader)  # libyaml's when there: faster, as safe
        try:
            # Aliases (*name) can nest a few lines into billions of items (a "YAML bomb");
            # a quiz needs none, so they are refused before anything is built.
            alias = next((t for t in pyyaml.scan(text, Loader=loader) if isinstance(t, pyyaml.AliasToken)), None)
            if alias is not None:
                raise QuizFormatError(f"{where}: line {alias.start_mark.line + 1} uses a YAML alias (*{alias.value}); "
                                      "quiz files cannot use anchors and aliases, write the text out")
            return _checked_keys(pyyaml.load(text, Loader=loader), where)
        except pyyaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            at = f" at line {mark.line + 1}" if mark is not None else ""
            raise QuizFormatError(f"{where}: not valid YAML{at} ({getattr(error, 'problem', error)})") from None
        except RecursionError:
            raise QuizFormatError(f"{where}: the YAML is nested too deeply to read") from None
    from ..files import FileProblem, loads_json

    try:
        return _checked_keys(loads_json(text, where), where)
    except FileProblem as error:
        raise QuizFormatError(str(error)) from None


def _checked_keys(data, where: str, depth: int = 0):
    """``data``, if every mapping in it has text keys and it nests at most 32 deep (YAML
    allows ``1: x`` and ``[a]: b``; a quiz has names for keys)."""
    if depth > 32:
        raise QuizFormatError(f"{where}: nested more than 32 levels deep; a quiz needs a few")
    if isinstance(data, dict):
        for key, value in data.items():
            if not isinstance(key, str):
                raise QuizFormatError(f"{where}: the key {key!r} is not a name; keys are words like id, prompt, options")
            _checked_keys(value, where, depth + 1)
    elif isinstance(data, list):
        for item in data:
            _checked_keys(item, where, depth + 1)
    return data
