"""The quiz format: read a YAML or JSON file into checked objects.

A bad file gets one error naming the file, the question and the field, so an author
knows where to look. The same rules are published as a JSON Schema (quiz.schema.json);
a test holds the two together. The format is documented in docs/quiz-format.md.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

PARTIAL_CREDIT = ("right_minus_wrong", "all_or_nothing")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
MODES = ("practice", "mastery", "exam")
MAX_QUIZ_BYTES = 4 << 20  # the course's largest quiz file is 20 KiB


class QuizFormatError(ValueError):
    """A quiz file that cannot be used; the message says where and why."""


@dataclass(frozen=True)
class Option:
    text: str
    correct: bool = False
    feedback: str = ""


@dataclass(frozen=True)
class Tolerance:
    abs: float = 0.0
    rel: float = 0.0
    sig_figs: int | None = None

    def allows(self, key: float) -> float:
        """The largest distance from the key that still counts as right."""
        width = max(self.abs, self.rel * abs(key))
        if self.sig_figs is not None:
            # Agrees to n significant figures: within half a unit of the key's n-th figure.
            if key == 0:
                return max(width, 0.5 * 10.0 ** (1 - self.sig_figs))
            place = math.floor(math.log10(abs(key))) - self.sig_figs + 1
            width = max(width, 0.5 * 10.0 ** place)
        return width


@dataclass(frozen=True)
class Case:
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    expected: object = None


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    prompt: str
    options: tuple[Option, ...] = ()
    partial_credit: str = "right_minus_wrong"
    answer: object = None  # numeric: the number; text: the accepted answers (a tuple)
    tolerance: Tolerance = Tolerance(rel=1e-6)
    unit: str = ""
    patterns: tuple[str, ...] = ()
    case_sensitive: bool = False
    name: str = ""  # code: the function or variable the learner defines
    kind: str = "function"
    cases: tuple[Case, ...] = ()
    time_limit: float = 2.0
    starter: str = ""
    solution: str = ""
    explanation: str = ""
    hints: tuple[str, ...] = ()
    source: str = ""
    points: float = 1.0
    extra: dict = field(default_factory=dict)  # the fields of a type (kinds/) that needs others than these

    def solution_text(self) -> str:
        """What "show the solution" reveals: the author's solution, else what the type says."""
        from .kinds import KINDS

        return self.solution or KINDS[self.type].solution(self)


@dataclass(frozen=True)
class Quiz:
    id: str
    title: str
    topic: str
    questions: tuple[Question, ...]
    events: tuple[str, ...] = ()
    intro: str = ""
    attempts: int = 1  # exam mode: submissions allowed
    solution_after: int = 3  # practice/mastery: wrong tries before the solution is offered
    path: str = ""
    digest: str = ""  # a hash of the content: an edited quiz does not inherit stale answers
    skipped: tuple[str, ...] = ()  # questions of an imported file left out, each with why

    def question(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid:
                return q
        raise KeyError(qid)

    @property
    def scored_questions(self) -> tuple[Question, ...]:
        """The questions the score counts (not design ones, whose answers are kept apart)."""
        from .kinds import scored

        return tuple(q for q in self.questions if scored(q))

    @property
    def total_points(self) -> float:
        return sum(q.points for q in self.scored_questions)


# -- reading ---------------------------------------------------------------------------

def load(path: str | Path) -> Quiz:
    """Read a quiz from a .yaml/.yml/.json file (jupyterquiz's JSON lists too)."""
    from ..files import FileProblem, read_text, resolve

    try:
        path = resolve(path)
        text = read_text(path, max_bytes=MAX_QUIZ_BYTES)
    except FileProblem as error:
        raise QuizFormatError(str(error)) from None
    where = str(path)
    data = parse_text(text, where, yaml=path.suffix.lower() in (".yaml", ".yml"))
    if isinstance(data, list):
        from dataclasses import replace

        from .jupyterquiz import convert

        data, skipped = convert(data, default_id=_id_from_name(path.stem), where=where)
        return replace(from_dict(data, where), skipped=tuple(skipped))
    return from_dict(data, where)


def parse_text(text: str, where: str, yaml: bool):
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


def _id_from_name(stem: str) -> str:
    cleaned = re.sub(r"[^a-z0-9_-]+", "-", stem.lower()).strip("-_")
    return cleaned[:64] or "quiz"


def from_dict(data, where: str = "<quiz>") -> Quiz:
    """Check a quiz document and build the Quiz; QuizFormatError names what is wrong."""
    r = _Reader(where)
    doc = r.mapping(data, "", required=("id", "title", "questions"),
                    allowed=("id", "title", "topic", "events", "intro", "attempts", "solution_after", "questions"))
    qid = r.ident(doc["id"], "id")
    raw_questions = doc["questions"]
    if not isinstance(raw_questions, list) or not raw_questions:
        r.fail("questions", "must be a non-empty list of questions")
    questions, seen = [], set()
    for index, raw in enumerate(raw_questions):
        question = _question(r, raw, index)
        if question.id in seen:
            r.fail("id", f"question id {question.id!r} is used twice", question=question.id)
        seen.add(question.id)
        questions.append(question)
    return Quiz(
        id=qid,
        title=r.string(doc["title"], "title"),
        topic=r.string(doc.get("topic", ""), "topic", empty_ok=True),
        events=tuple(r.ident(e, "events") for e in r.strings(doc.get("events", []), "events")),
        intro=r.string(doc.get("intro", ""), "intro", empty_ok=True),
        attempts=r.whole(doc.get("attempts", 1), "attempts", 1, 100),
        solution_after=r.whole(doc.get("solution_after", 3), "solution_after", 1, 100),
        questions=tuple(questions),
        path=where,
        digest=content_digest(data),
    )


def content_digest(data) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


COMMON = ("id", "type", "prompt", "explanation", "hints", "source", "points")


def _question(r: "_Reader", raw, index: int) -> Question:
    from .kinds import KINDS  # each type's own rules (kinds/), which build on this module

    label = raw.get("id") if isinstance(raw, dict) and isinstance(raw.get("id"), str) else f"#{index + 1}"
    r.question = label
    if not isinstance(raw, dict):
        r.fail("", "must be a mapping with id, type and prompt")
    kind = KINDS.get(raw.get("type")) if isinstance(raw.get("type"), str) else None
    if kind is None:
        r.fail("type", f"must be one of {', '.join(KINDS)}, got {raw.get('type')!r}")
    q = r.mapping(raw, "", required=("id", "type", "prompt"), allowed=COMMON + kind.fields)
    common = dict(
        id=r.ident(q["id"], "id"),
        type=kind.name,
        prompt=r.string(q["prompt"], "prompt"),
        explanation=r.string(q.get("explanation", ""), "explanation", empty_ok=True),
        hints=tuple(r.strings(q.get("hints", []), "hints")),
        source=r.string(q.get("source", ""), "source", empty_ok=True),
        points=r.number(q.get("points", 1), "points", lambda v: v > 0, "a number above 0"),
    )
    return kind.read(r, q, common)


def read_options(r: "_Reader", raw) -> tuple[Option, ...]:
    if not isinstance(raw, list) or len(raw) < 2:
        r.fail("options", "must be a list of at least two options")
    options = []
    for i, item in enumerate(raw):
        if isinstance(item, str):
            item = {"text": item}
        o = r.mapping(item, f"options[{i}]", required=("text",), allowed=("text", "correct", "feedback"))
        options.append(Option(text=r.string(o["text"], f"options[{i}].text"),
                              correct=r.boolean(o.get("correct", False), f"options[{i}].correct"),
                              feedback=r.string(o.get("feedback", ""), f"options[{i}].feedback", empty_ok=True)))
    texts = [o.text for o in options]
    if len(set(texts)) != len(texts):
        r.fail("options", "two options have the same text")
    return tuple(options)


def read_tolerance(r: "_Reader", raw) -> Tolerance:
    if raw is None:
        return Tolerance(rel=1e-6)
    t = r.mapping(raw, "tolerance", required=(), allowed=("abs", "rel", "sig_figs"))
    if not t:
        r.fail("tolerance", "give abs, rel or sig_figs")
    nonneg = (lambda v: v >= 0, "a number from 0")
    sig = t.get("sig_figs")
    return Tolerance(abs=r.number(t.get("abs", 0.0), "tolerance.abs", *nonneg),
                     rel=r.number(t.get("rel", 0.0), "tolerance.rel", *nonneg),
                     sig_figs=None if sig is None else r.whole(sig, "tolerance.sig_figs", 1, 15))


class _Reader:
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
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.fail(name, "must be a list of texts")
        return value

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
