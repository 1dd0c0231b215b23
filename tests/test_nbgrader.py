"""Graded assignments through the real nbgrader CLI (issue 31): a teacher converts a notebook
with a built-in quiz and a quiz file, releases it, students answer (their answer cells written
as the extension writes them), and one ``nbgrader autograde`` gives, per question, the points
``%dlquiz --score`` gives for the same answers. A tampered submission scores its real answers
alone, one whose magic lines are removed scores nothing, and the released notebook holds no
key of the quiz file. Run it alone with ``-k nbgrader``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("nbgrader")
import nbformat  # noqa: E402
from nbgrader.api import Gradebook  # noqa: E402

from dlmagics.quiz import catalog  # noqa: E402
from dlmagics.quiz.formats import load  # noqa: E402
from dlmagics.quiz.sheet import answer_cell_source  # noqa: E402
from dlmagics.quiz.store import ProgressStore  # noqa: E402
from dlmagics.quiz.tutor import Tutor  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
QUIZ_FILE = """\
id: units
title: Units
questions:
  - id: flops
    type: numeric
    prompt: How many GFLOP/s is 2.5 TFLOP/s?
    answer: 2500
    tolerance: {rel: 0.01}
  - id: bigger
    type: single
    prompt: Which is bigger?
    options:
      - {text: "A petaFLOP", correct: true}
      - {text: "A teraFLOP"}
  - id: prefixes
    type: multiple
    points: 2
    prompt: Which prefixes mean a thousand or more?
    options:
      - {text: kilo, correct: true}
      - {text: mega, correct: true}
      - {text: milli}
"""
DESIGN = ("A DenseNet pretrained on ImageNet, fine-tuned on greyscale X-rays copied to three channels at "
          "224 pixels, one sigmoid output with weighted binary cross-entropy for the rare positives, the "
          "data split by patient, judged by the area under the ROC curve on held-out patients, with mild "
          "augmentation and no left-right flips.")
# Each student's answers, given to the quiz as a learner gives them (some right, some wrong, some left out)
STUDENTS = {
    "ada": {"imagenet": {"imagenet-paper": "2009", "labelling": 0, "top5": 0, "alexnet-ingredients": [0, 1, 2, 3],
                         "human": "5.1", "pneumonia-cnn": DESIGN},
            "units": {"flops": "2500", "bigger": 0, "prefixes": [0, 1]}},
    "bob": {"imagenet": {"imagenet-paper": "2012", "labelling": 1, "alexnet-ingredients": [0, 1, 4], "relu-speed": "6"},
            "units": {"flops": "25", "prefixes": [0, 2]}},
    "eve": {"imagenet": {"imagenet-paper": "2009", "labelling": 2}, "units": {"bigger": 1}},  # tampered below
    "mal": {"imagenet": {"imagenet-paper": "2009"}, "units": {"bigger": 0}},  # the magic lines removed
}


@pytest.fixture(autouse=True)
def scripts_on_path(monkeypatch):
    """nbgrader's gradebook runs the `alembic` script: the one installed beside this Python."""
    monkeypatch.setenv("PATH", os.pathsep.join((str(Path(sys.executable).parent), os.environ["PATH"])))


def run(*args: str, cwd: Path) -> str:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))}
    done = subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def scored(quiz, answers: dict, store: Path) -> tuple[dict, dict]:
    """What %dlquiz --score gives for these answers (a Tutor with its own store), per question,
    and the answer sheet the quiz writes into the notebook (each question's stored answer)."""
    tutor = Tutor(quiz, ProgressStore(store))
    for qid, value in answers.items():
        assert tutor.answer(qid, value).valid, (qid, value)
    progress = tutor.progress
    points = {q.id: q.points * progress.questions[q.id].score for q in quiz.scored_questions}
    assert sum(points.values()) == pytest.approx(progress.summary()["points"])
    sheet = {q.id: progress.questions[q.id].answer for q in quiz.questions if progress.questions[q.id].attempts}
    return points, sheet


def tamper(source: str, quiz_id: str) -> str:
    """A student's hand edits: a forged score, an answer that says it is right, a key typed in,
    and code after the answers."""
    head, body = source.rsplit("{", 1)
    answers = json.loads("{" + body)
    answers.update({"score": 1, "key": {"top5": 0, "bigger": 0}})
    if quiz_id == "imagenet":
        answers["top5"] = {"answer": 0, "score": 1, "correct": True}
    return head + json.dumps(answers) + '\nprint("correct")\n'


def test_nbgrader_autograde_gives_the_points_dlquiz_gives(tmp_path):
    course, teacher = tmp_path / "course", tmp_path / "teacher"
    (course / "source" / "ps1").mkdir(parents=True)
    teacher.mkdir()
    (course / "nbgrader_config.py").write_text(f"c = get_config()\nc.CourseDirectory.root = {str(course)!r}\n")
    (teacher / "units.yaml").write_text(QUIZ_FILE)
    shutil.copy(teacher / "units.yaml", course / "source" / "ps1")
    draft = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Problem set 1"), nbformat.v4.new_code_cell("%load_ext dlmagics"),
        nbformat.v4.new_code_cell("%dlquiz imagenet"), nbformat.v4.new_code_cell("%dlquiz units.yaml --mode exam")])
    nbformat.write(draft, teacher / "draft.ipynb")

    said = run("-m", "dlmagics.nbgrader", "draft.ipynb", "-o", str(course / "source" / "ps1" / "quiz.ipynb"), cwd=teacher)
    assert "imagenet: 8 graded, 1 by hand" in said and "units: 3 graded" in said and "note: put units.yaml" in said
    run("-m", "nbgrader", "generate_assignment", "ps1", cwd=course)

    released = nbformat.read(course / "release" / "ps1" / "quiz.ipynb", as_version=4)
    text = json.dumps(released)
    assert "quiz_file" not in text and "2500" not in text and "petaFLOP" not in text  # no key of the file
    assert "BEGIN MARK SCHEME" not in text and "DenseNet" not in text  # the rubric is for the grader
    answer_cells = {c.metadata["dlmagics"]["answers_for"]: c for c in released.cells if "dlmagics" in c.metadata}
    assert set(answer_cells) == {"imagenet", "units"}
    assert all(c.source.startswith("%%dlquiz_answers ") for c in answer_cells.values())

    quizzes = {"imagenet": catalog.bank()["imagenet"], "units": load(teacher / "units.yaml")}
    expected = {}
    for student, answers in STUDENTS.items():
        notebook = nbformat.read(course / "release" / "ps1" / "quiz.ipynb", as_version=4)
        for quiz_id, quiz in quizzes.items():
            points, sheet = scored(quiz, answers[quiz_id], tmp_path / f"{student}.jsonl")
            expected.update({(student, f"test-{quiz_id}-{qid}"): p for qid, p in points.items()})
            source = answer_cell_source(quiz, sheet)
            answer_cells_of = [c for c in notebook.cells if c.metadata.get("dlmagics", {}).get("answers_for") == quiz_id]
            answer_cells_of[0].source = tamper(source, quiz_id) if student == "eve" else source
            if student == "mal":  # the cell is then Python holding a dict: answers no grader reads
                answer_cells_of[0].source = source.split("\n", 1)[1]
                expected.update({(student, f"test-{quiz_id}-{qid}"): 0.0 for qid in points})
        if student == "eve":  # a graded cell edited too: nbgrader puts the teacher's back
            test_cell = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test-units-flops")
            test_cell.source = "1.0"
        folder = course / "submitted" / student / "ps1"
        folder.mkdir(parents=True)
        nbformat.write(notebook, folder / "quiz.ipynb")
        units = QUIZ_FILE.replace("answer: 2500", "answer: 25") if student == "eve" else QUIZ_FILE
        (folder / "units.yaml").write_text(units)  # eve's copy has the key she wanted: grading never reads it

    started = time.monotonic()
    run("-m", "nbgrader", "autograde", "ps1", cwd=course)
    print(f"nbgrader autograde of {len(STUDENTS)} submissions: {time.monotonic() - started:.1f} s")

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for (student, grade_id), points in expected.items():
            grade = gradebook.find_grade(grade_id, "quiz", "ps1", student)
            assert grade.score == pytest.approx(points, abs=1e-3), (student, grade_id)
        design = gradebook.find_grade("task-imagenet-pneumonia-cnn", "quiz", "ps1", "ada")
        assert design.needs_manual_grade and design.max_score == 1
    eve = {grade_id: p for (student, grade_id), p in expected.items() if student == "eve"}
    assert sum(eve.values()) == pytest.approx(1.0)  # her one right answer (imagenet-paper) and nothing else
    assert sum(p for (student, _), p in expected.items() if student == "mal") == 0
    ada = sum(p for (student, _), p in expected.items() if student == "ada")
    assert ada > 8  # the check can fail: right answers score
    autograded = nbformat.read(course / "autograded" / "ada" / "ps1" / "quiz.ipynb", as_version=4)
    assert "DenseNet" in json.dumps(autograded)  # her design answer is there for the grader, with the rubric
