"""%dlquiz --class GRADEBOOK.db: a teacher's view of nbgrader's gradebook (each question's share
of right answers, each student's points), its CSV, and one line for a file it cannot read.
The gradebook is built with nbgrader's own API, as its autograde leaves it."""

from __future__ import annotations

import csv
import hashlib
import os
import sqlite3
import sys
from pathlib import Path

import pytest
from IPython.core.error import UsageError

nbgrader_api = pytest.importorskip("nbgrader.api")

# (grade_id, points, the test cell's call) as dlmagics.nbgrader writes them; quiz and question
# ids with hyphens, so only the call says where one ends
QUESTIONS = [("test-why-now-backprop-year", 1, 'points("why-now", "backprop-year")'),
             ("test-why-now-gpu-speedup", 2, "points('why-now', 'gpu-speedup')")]
SCORES = {"ada": (1.0, 2.0), "bob": (1.0, 1.0), "cy": (0.0, 0.0)}  # bob: partial credit, not right


@pytest.fixture
def gradebook(tmp_path, monkeypatch):
    # nbgrader stamps a new gradebook with its schema version by running `alembic`, beside python
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    # read-only opens it by URI: a space, "#" and "%" in the folder's name must not break it
    path = tmp_path / "my course #1 (50%)" / "gradebook.db"
    path.parent.mkdir()
    with nbgrader_api.Gradebook(f"sqlite:///{path.as_uri().replace('%', '%25')}?uri=true") as book:
        book.add_assignment("week1")
        book.add_notebook("01_why_now", "week1")
        for grade_id, points, call in QUESTIONS:
            book.add_grade_cell(grade_id, "01_why_now", "week1", max_score=points, cell_type="code")
            source = f"from dlmagics.nbgrader import points\n{call}"
            book.add_source_cell(grade_id, "01_why_now", "week1", source=source, cell_type="code", locked=True,
                                 checksum=hashlib.sha256(source.encode()).hexdigest())
        # a manually graded cell of the same notebook: not a quiz question
        book.add_grade_cell("design-rubric", "01_why_now", "week1", max_score=5, cell_type="markdown")
        for student, scores in SCORES.items():
            book.add_student(student)
            book.add_submission("week1", student)
            for (grade_id, _, _), score in zip(QUESTIONS, scores):
                book.find_grade(grade_id, "01_why_now", "week1", student).auto_score = score
            book.find_grade("design-rubric", "01_why_now", "week1", student).manual_score = 4
        book.add_student("dan")  # submitted, not autograded yet: not counted, named as waiting
        book.add_submission("week1", "dan")
        book.add_student("eve")  # no submission yet: named as waiting
        book.db.commit()
    return path


@pytest.fixture
def ip(shell, tmp_path, monkeypatch):
    monkeypatch.setenv("DLMAGICS_QUIZ_STORE", str(tmp_path / "progress.jsonl"))
    shell.run_line_magic("load_ext", "dlmagics")
    return shell


def test_the_class_view_shows_each_questions_share_right_and_each_students_points(ip, gradebook):
    before = gradebook.read_bytes()
    view = ip.run_line_magic("dlquiz", f"--class '{gradebook}'")
    assert [(q["quiz"], q["question"], q["right"], q["answered"]) for q in view.questions] == [
        ("why-now", "backprop-year", 2, 3), ("why-now", "gpu-speedup", 1, 3)]
    assert [(s["student"], s["points"], s["max_points"]) for s in view.students] == [
        ("ada", 3.0, 3.0), ("bob", 2.0, 3.0), ("cy", 0.0, 3.0)]
    text = repr(view)
    assert "why-now / backprop-year   2/3     67%" in text and "bob  2 of 3" in text and "dan  " not in text
    waiting = ("no quiz answer autograded yet for 2 students (no submission, or autograde not run on it): dan, eve")
    assert view.waiting == ["dan", "eve"] and text.endswith("\n" + waiting)
    page = view._repr_html_()
    assert "<table class='dlm-quiz-class'>" in page and "<td>33%</td>" in page and "<td>ada</td>" in page
    assert page.endswith(f"<p>{waiting}</p>")
    assert gradebook.read_bytes() == before  # read-only: nothing added to the teacher's file


def test_the_class_view_exports_one_csv_row_per_student_and_question(ip, gradebook, tmp_path, capsys):
    out = tmp_path / "class.csv"
    assert ip.run_line_magic("dlquiz", f"--class '{gradebook}' --export csv {out}") is None
    assert "wrote" in capsys.readouterr().out
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 6 and set(rows[0]) == {"student", "assignment", "quiz", "question", "points", "max_points",
                                                "right"}
    bob = [r for r in rows if r["student"] == "bob"]
    assert [(r["question"], r["points"], r["max_points"], r["right"]) for r in bob] == [
        ("backprop-year", "1.0", "1.0", "True"), ("gpu-speedup", "1.0", "2.0", "False")]


def usage(ip, line: str) -> str:
    with pytest.raises(UsageError) as caught:
        ip.run_line_magic("dlquiz", line)
    message = str(caught.value)
    assert "\n" not in message and message.startswith("%dlquiz")
    return message


def test_a_file_that_is_not_a_gradebook_gets_one_line(ip, tmp_path, gradebook):
    assert "no such file; give the gradebook.db of an nbgrader course" in usage(ip, f"--class {tmp_path / 'none.db'}")
    (tmp_path / "notes.db").write_text("hello")
    assert "not a gradebook (not an SQLite database)" in usage(ip, f"--class {tmp_path / 'notes.db'}")
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE t (x)")
    assert "without nbgrader's tables" in usage(ip, f"--class {other}")
    with sqlite3.connect(other) as db:  # still as it was: no table was added to it
        assert [r[0] for r in db.execute("SELECT name FROM sqlite_master")] == ["t"]
    assert "--class exports csv" in usage(ip, f"--class '{gradebook}' --export json x.json")
    assert "goes alone" in usage(ip, f"why-now --class '{gradebook}'")


def test_without_nbgrader_the_class_view_says_how_to_install_it(ip, gradebook, monkeypatch):
    monkeypatch.setitem(sys.modules, "nbgrader.api", None)  # import nbgrader.api fails
    assert "nbgrader is not installed here: pip install 'nbgrader>=0.9'" in usage(ip, f"--class '{gradebook}'")


def test_the_csv_never_replaces_the_gradebook(ip, gradebook, monkeypatch):
    """One slip of the tab key (--export csv gradebook.db) would replace the course's grades."""
    before = gradebook.read_bytes()
    monkeypatch.chdir(gradebook.parent)
    assert "the gradebook itself" in usage(ip, "--class gradebook.db --export csv ./gradebook.db")
    assert gradebook.read_bytes() == before
