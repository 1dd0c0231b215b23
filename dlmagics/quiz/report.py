"""Progress over many quizzes: the listing, the score table, and exports (CSV, JSON)."""

from __future__ import annotations

import csv
import html
import io
import json
from datetime import datetime, timezone
from pathlib import Path

from .kinds import KINDS, scored
from .shuffle import learner
from .tutor import Progress

EXPORT_FORMATS = ("csv", "json")
COLUMNS = ("learner", "quiz", "title", "question", "type", "points", "attempts", "score", "correct", "hints",
           "solution_shown", "answer", "answered_at")


def iso_time(seconds: float | None) -> str | None:
    """A record's time as ISO 8601 in UTC (2026-12-04T03:09:18+00:00)."""
    if not isinstance(seconds, (int, float)):
        return None
    try:
        return datetime.fromtimestamp(seconds, timezone.utc).isoformat(timespec="seconds")
    except (OverflowError, OSError, ValueError):  # a hand-edited store's NaN or year 10,000
        return None


def answer_text(question, stored):
    """A stored answer as a teacher reads it: an option's text, not its index (kinds/)."""
    shown = getattr(KINDS[question.type], "answer_text", None)
    return shown(question, stored) if shown and stored is not None else stored


def progress_of(quizzes: dict, store) -> dict[str, Progress]:
    records = store.records()
    return {qid: Progress.from_records(quiz, records) for qid, quiz in quizzes.items()}


class ScoreTable:
    """One row per quiz: answered, correct, score. Shown as a table; ``rows`` for code."""

    def __init__(self, progress: dict[str, Progress]):
        self.rows = [p.summary() for p in progress.values()]

    @property
    def overall(self) -> float:
        points = sum(r["points"] for r in self.rows)
        total = sum(r["max_points"] for r in self.rows)
        return points / total if total else 0.0

    def __repr__(self) -> str:
        width = max([len(r["id"]) for r in self.rows] + [4])
        lines = [f"{'quiz':<{width}}  answered  correct  score  title"]
        for r in self.rows:
            lines.append(f"{r['id']:<{width}}  {r['answered']:>3}/{r['total']:<4}  {r['correct']:>7}  "
                         f"{r['score']:>5.0%}  {r['title']}")
        lines.append(f"overall score: {self.overall:.0%} of all questions")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{h}</th>" for h in ("quiz", "title", "answered", "correct", "score"))
        body = "".join(
            f"<tr><td><code>{html.escape(r['id'])}</code></td><td>{html.escape(r['title'])}</td>"
            f"<td>{r['answered']} / {r['total']}</td><td>{r['correct']}</td><td>{r['score']:.0%}</td></tr>"
            for r in self.rows)
        return (f"<table class='dlm-quiz-scores'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
                f"<p>Overall score: <b>{self.overall:.0%}</b> of all questions.</p>")

    def to_dict(self) -> dict:
        return {"quizzes": self.rows, "overall": round(self.overall, 4)}


def question_rows(progress: dict[str, Progress]) -> list[dict]:
    rows, who = [], learner()
    for p in progress.values():
        for q in p.quiz.questions:
            s = p.questions[q.id]
            counted = scored(q)  # a design answer is exported with no score: none was given
            rows.append({"learner": who, "quiz": p.quiz.id, "title": p.quiz.title, "question": q.id, "type": q.type,
                         "points": q.points if counted else 0, "attempts": s.attempts,
                         "score": s.score if counted else None, "correct": s.correct if counted else None,
                         "hints": s.hints, "solution_shown": s.solution_shown,
                         "answer": answer_text(q, s.answer), "answered_at": iso_time(s.answered_at)})
    return rows


def export(progress: dict[str, Progress], fmt: str, path: str | Path) -> Path:
    """Write one row per question; files.FileProblem when the path cannot be written."""
    rows = question_rows(progress)
    if fmt == "json":
        text = json.dumps({"questions": rows, "quizzes": ScoreTable(progress).to_dict()}, indent=1, default=str)
    else:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _inert(v) for k, v in {**row, "answer": _cell(row["answer"])}.items()})
        text = buffer.getvalue()
    from ..files import write_text

    return write_text(path, text)


def _cell(answer) -> str:
    """An answer in one CSV cell: text as it is (a function's source keeps its lines), several
    options one per line, nothing for no answer."""
    if answer is None:
        return ""
    if isinstance(answer, list):
        return "\n".join(map(str, answer))
    return str(answer)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _inert(value):
    """A cell a spreadsheet shows as text: a learner's answer '=HYPERLINK(...)' is not run as a
    formula when the teacher opens the export (OWASP's CSV injection advice: a leading ')."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value
