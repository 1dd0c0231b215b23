"""The class view of a graded quiz (``%dlquiz --class GRADEBOOK.db``): from nbgrader's
gradebook, each question's share of right answers and each student's quiz points.

A converted notebook's graded test cells are named ``test-<quiz id>-<question id>`` and call
``points("<quiz id>", "<question id>")`` (dlmagics.nbgrader); a question scored its full
points is right. The gradebook is opened read-only (nbgrader's Gradebook would otherwise add
its tables to any SQLite file it is given) and nbgrader is imported only here.
"""

from __future__ import annotations

import ast
import csv
import html
import io
from dataclasses import dataclass
from pathlib import Path

TEST_PREFIX = "test-"  # the grade_id of a converted notebook's graded test cell: test-<quiz>-<question>
GRADEBOOK_TABLES = {"grade", "base_cell", "student", "submitted_notebook"}
CSV_COLUMNS = ("student", "assignment", "quiz", "question", "points", "max_points", "right")
SQLITE_MAGIC = b"SQLite format 3\x00"


class ClassViewError(ValueError):
    """A gradebook that cannot be read; the message is one line that says what is allowed."""


@dataclass(frozen=True)
class Mark:
    """One student's graded answer to one question."""

    student: str
    assignment: str
    quiz: str
    question: str
    points: float
    max_points: float

    @property
    def right(self) -> bool:
        return self.max_points > 0 and self.points >= self.max_points - 1e-9


def read(path: str | Path) -> tuple[list[Mark], list[str]]:
    """Every autograded quiz question of every submission in the gradebook at ``path``, and
    every student the gradebook knows (submitted, graded or not)."""
    from ..files import FileProblem, resolve

    try:
        where = resolve(path)
    except FileProblem as error:
        raise ClassViewError(str(error)) from None
    _check_gradebook(where)
    try:
        from nbgrader.api import Grade, Gradebook, SourceCell
    except ImportError:
        raise ClassViewError("--class reads nbgrader's gradebook, and nbgrader is not installed here: "
                             "pip install 'nbgrader>=0.9'") from None
    from sqlalchemy.exc import SQLAlchemyError

    try:
        # read-only, and course "" (Gradebook adds a missing course otherwise)
        # SQLAlchemy unescapes the URL once and SQLite the URI again: "#" and "%" in a folder name
        # must come through both
        uri = where.resolve().as_uri().replace("%", "%25")
        with Gradebook(f"sqlite:///{uri}?mode=ro&uri=true", course_id="") as book:
            calls = {(c.notebook.assignment.name, c.name): _quiz_and_question(c.source)
                     for c in book.db.query(SourceCell).all() if c.name.startswith(TEST_PREFIX)}
            marks = []
            for grade in book.db.query(Grade).all():
                if not grade.name.startswith(TEST_PREFIX) or (grade.auto_score is None and grade.manual_score is None):
                    continue  # not a quiz question, or not graded yet
                assignment = grade.assignment.name
                quiz, question = calls.get((assignment, grade.name)) or ("", grade.name[len(TEST_PREFIX):])
                marks.append(Mark(grade.student.id, assignment, quiz, question, float(grade.score),
                                  float(grade.max_score or 0)))
            students = sorted(student.id for student in book.students)
    except SQLAlchemyError as error:
        raise ClassViewError(f"--class {path}: nbgrader could not read it as a gradebook "
                             f"({str(error).splitlines()[0][:120]}); give the gradebook.db of an nbgrader course") from None
    return sorted(marks, key=lambda m: (m.assignment, m.quiz, m.question, m.student)), students


def _check_gradebook(where: Path) -> None:
    allowed = "give the gradebook.db of an nbgrader course (the folder you run nbgrader in has it)"
    if not where.is_file():
        raise ClassViewError(f"--class {where}: no such file; {allowed}")
    try:
        with open(where, "rb") as f:
            head = f.read(len(SQLITE_MAGIC))
    except OSError as error:
        raise ClassViewError(f"--class {where}: cannot be read ({error.strerror or error}); {allowed}") from None
    if head != SQLITE_MAGIC:
        raise ClassViewError(f"--class {where}: not a gradebook (not an SQLite database); {allowed}")
    import sqlite3

    try:
        with sqlite3.connect(f"{where.resolve().as_uri()}?mode=ro", uri=True) as db:
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.Error as error:
        raise ClassViewError(f"--class {where}: cannot be read ({error}); {allowed}") from None
    if not GRADEBOOK_TABLES <= tables:
        raise ClassViewError(f"--class {where}: not a gradebook (an SQLite database without nbgrader's tables); "
                             f"{allowed}")


def _quiz_and_question(source: str | None) -> tuple[str, str] | None:
    """The quiz and question a test cell grades, from its ``points("quiz", "question")`` call
    (read as syntax, never run)."""
    try:
        tree = ast.parse(source or "")
    except (SyntaxError, ValueError):
        return None
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "points"
                and len(node.args) >= 2 and all(isinstance(a, ast.Constant) and isinstance(a.value, str)
                                                for a in node.args[:2])):
            return node.args[0].value, node.args[1].value
    return None


class ClassView:
    """Each question's share of right answers and each student's quiz points; a table in a
    notebook, text in a terminal; ``questions``, ``students`` and ``waiting`` (the students with
    no quiz answer autograded yet: no submission, or autograde not run on it) for code."""

    def __init__(self, marks: list[Mark], source: str, everyone: list[str] = ()):
        self.marks, self.source = marks, source
        self.waiting = sorted(set(everyone) - {m.student for m in marks})
        by_question: dict[tuple, list[Mark]] = {}
        by_student: dict[str, list[Mark]] = {}
        for m in marks:
            by_question.setdefault((m.assignment, m.quiz, m.question), []).append(m)
            by_student.setdefault(m.student, []).append(m)
        self.questions = [{"assignment": a, "quiz": q, "question": n, "answered": len(ms),
                           "right": sum(m.right for m in ms), "share_right": sum(m.right for m in ms) / len(ms)}
                          for (a, q, n), ms in by_question.items()]
        self.students = [{"student": s, "points": sum(m.points for m in ms), "max_points": sum(m.max_points for m in ms),
                          "right": sum(m.right for m in ms), "questions": len(ms)}
                         for s, ms in sorted(by_student.items())]

    def _question_label(self, row: dict) -> str:
        return f"{row['quiz']} / {row['question']}" if row["quiz"] else row["question"]

    def _waiting_words(self) -> str:
        # "quiz answer": a student autograded only in a notebook without a quiz has nothing here either
        return (f"no quiz answer autograded yet for {len(self.waiting)} student{'s' if len(self.waiting) != 1 else ''} "
                f"(no submission, or autograde not run on it): {', '.join(self.waiting)}")

    def __repr__(self) -> str:
        if not self.marks:
            return f"{self.source}: no autograded quiz question yet (run nbgrader autograde first)"
        width = max(len(self._question_label(r)) for r in self.questions)
        lines = [f"{self.source}: {len(self.students)} students", f"{'question':<{width}}  right  share"]
        lines += [f"{self._question_label(r):<{width}}  {r['right']:>2}/{r['answered']:<2}  {r['share_right']:>5.0%}"
                  for r in self.questions]
        width = max(len(r["student"]) for r in self.students)
        lines.append(f"{'student':<{width}}  points")
        lines += [f"{r['student']:<{width}}  {r['points']:g} of {r['max_points']:g}" for r in self.students]
        if self.waiting:
            lines.append(self._waiting_words())
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        if not self.marks:
            return f"<p>{html.escape(repr(self))}</p>"
        questions = "".join(
            f"<tr><td><code>{html.escape(self._question_label(r))}</code></td><td>{r['right']} / {r['answered']}</td>"
            f"<td>{r['share_right']:.0%}</td></tr>" for r in self.questions)
        students = "".join(
            f"<tr><td>{html.escape(r['student'])}</td><td>{r['points']:g} of {r['max_points']:g}</td></tr>"
            for r in self.students)
        return (f"<p>{html.escape(self.source)}: {len(self.students)} students</p>"
                "<table class='dlm-quiz-class'><thead><tr><th>question</th><th>right</th><th>share right</th></tr>"
                f"</thead><tbody>{questions}</tbody></table>"
                "<table class='dlm-quiz-class'><thead><tr><th>student</th><th>points</th></tr></thead>"
                f"<tbody>{students}</tbody></table>"
                + (f"<p>{html.escape(self._waiting_words())}</p>" if self.waiting else ""))

    def to_dict(self) -> dict:
        return {"questions": self.questions, "students": self.students}

    def csv_text(self) -> str:
        """One row per student and question."""
        from .report import _inert

        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for m in self.marks:
            row = {"student": m.student, "assignment": m.assignment, "quiz": m.quiz, "question": m.question,
                   "points": m.points, "max_points": m.max_points, "right": m.right}
            writer.writerow({k: _inert(v) for k, v in row.items()})
        return buffer.getvalue()
