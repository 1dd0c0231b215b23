"""A quiz document (our format as YAML or JSON give it: a mapping with id, title and questions)
checked and built into a Quiz. Each question is read by the rules of its type (kinds/); a field
left out takes the default model.py states. The same rules are published as a JSON Schema
(quiz.schema.json); a test holds the two together. Formats (formats/) hand their files here,
our own as they are, others once turned into this shape.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace

from .kinds import KINDS
from .model import Question, Quiz
from .reading import Reader

COMMON = ("id", "type", "prompt", "explanation", "hints", "source", "points")


def from_dict(data, where: str = "<quiz>") -> Quiz:
    """Check a quiz document and build the Quiz; QuizFormatError names what is wrong."""
    r = Reader(where)
    doc = r.mapping(data, "", required=("id", "title", "questions"),
                    allowed=("id", "title", "topic", "events", "intro", "attempts", "solution_after", "questions"))
    qid = r.ident(doc["id"], "id")
    raw_questions = doc["questions"]
    if not isinstance(raw_questions, list) or not raw_questions:
        r.fail("questions", "must be a non-empty list of questions")
    questions, seen = [], set()
    for index, raw in enumerate(raw_questions):
        question = read_question(r, raw, index)
        if question.id in seen:
            r.fail("id", f"question id {question.id!r} is used twice", question=question.id)
        seen.add(question.id)
        questions.append(question)
    return Quiz(
        id=qid,
        title=r.string(doc["title"], "title"),
        topic=r.string(r.get(doc, "topic", Quiz), "topic", empty_ok=True),
        events=tuple(r.ident(e, "events") for e in r.strings(r.get(doc, "events", Quiz), "events")),
        intro=r.string(r.get(doc, "intro", Quiz), "intro", empty_ok=True),
        attempts=r.whole(r.get(doc, "attempts", Quiz), "attempts", 1, 100),
        solution_after=r.whole(r.get(doc, "solution_after", Quiz), "solution_after", 1, 100),
        questions=tuple(questions),
        path=where,
        digest=content_digest(data),
    )


def content_digest(data) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def read_question(r: Reader, raw, index: int) -> Question:
    """The ``index``-th question of a document, checked by the rules of its type (kinds/)."""
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
        explanation=r.string(r.get(q, "explanation"), "explanation", empty_ok=True),
        hints=tuple(r.strings(r.get(q, "hints"), "hints")),
        source=r.string(r.get(q, "source"), "source", empty_ok=True),
        points=r.number(r.get(q, "points"), "points", lambda v: v > 0, "a number above 0"),
    )
    if hasattr(kind, "scored"):  # a type that counts apart from the score says so (design)
        common["scored"] = kind.scored
    question = kind.read(r, q, common)
    return replace(question, answer_text=kind.solution(question))
