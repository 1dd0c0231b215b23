"""Quiz file formats are found by a registry (dlmagics/quiz/formats/): a format is one module,
and one defined here, in the test, is read by %dlquiz and catalog.find like ours."""

from __future__ import annotations

import json

import pytest
from IPython.core.error import UsageError

from dlmagics.quiz import catalog, formats
from dlmagics.quiz.document import from_dict
from dlmagics.quiz.grading import grade
from dlmagics.quiz.model import Question, Quiz, QuizFormatError
from dlmagics.quiz.reading import Reader, id_from_name


class OnePerLine:
    """A toy format: ``prompt = answer``, one text question a line; ``#`` starts a comment."""

    name, order, suffixes = "one-per-line", 1, (".qtxt",)

    def recognises(self, path, text) -> bool:
        return True

    def read(self, path, text) -> Quiz:
        lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
        questions = []
        for number, line in enumerate(lines, 1):
            prompt, _, answer = line.partition("=")
            questions.append({"id": f"q{number}", "type": "text", "prompt": prompt.strip(), "answer": answer.strip()})
        quiz_id = id_from_name(path.stem)
        return from_dict({"id": quiz_id, "title": path.stem, "questions": questions}, str(path))


CAPITALS = "# capitals\nCapital of France? = Paris\nCapital of Italy? = Rome\n"


@pytest.fixture
def capitals(tmp_path, monkeypatch):
    path = tmp_path / "Capitals.qtxt"
    path.write_text(CAPITALS)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DLMAGICS_QUIZ_STORE", str(tmp_path / "progress.jsonl"))
    return path


def test_ours_and_jupyterquiz_are_found_as_formats():
    assert {"dlmagics", "jupyterquiz"} <= set(formats.FORMATS)
    assert {".yaml", ".yml", ".json"} <= set(formats.suffixes())


def test_a_format_defined_in_a_test_is_read_through_the_catalog(capitals, monkeypatch):
    with pytest.raises(QuizFormatError, match=r"not a quiz file dlmagics reads; give a file ending .*\.json"):
        catalog.find(str(capitals))
    monkeypatch.setitem(formats.FORMATS, OnePerLine.name, OnePerLine())
    assert ".qtxt" in formats.suffixes()
    quiz = catalog.find("Capitals.qtxt")  # a bare name: known as a file by its suffix, as %dlquiz finds it
    assert (quiz.id, quiz.title, [q.prompt for q in quiz.questions]) == (
        "capitals", "Capitals", ["Capital of France?", "Capital of Italy?"])
    assert grade(quiz.question("q1"), "paris.").correct and not grade(quiz.question("q2"), "Milan").correct
    assert quiz.question("q2").solution_text() == "Rome" and quiz.attempts == 1 and quiz.digest
    capitals.write_text("Capital of Spain? =\n")
    with pytest.raises(QuizFormatError, match="Capitals.qtxt: question 'q1': field 'answer'"):
        catalog.find("Capitals.qtxt")  # our checks, in our words, for every format


def test_dlquiz_shows_a_quiz_of_a_format_defined_in_a_test(shell, capitals, monkeypatch):
    shell.run_line_magic("load_ext", "dlmagics")
    with pytest.raises(UsageError, match="no quiz named 'Capitals.qtxt'"):  # no format reads .qtxt yet
        shell.run_line_magic("dlquiz", "Capitals.qtxt")
    monkeypatch.setitem(formats.FORMATS, OnePerLine.name, OnePerLine())
    shell.run_line_magic("dlquiz", "Capitals.qtxt")
    rows = shell.run_line_magic("dlquiz", "--score").to_dict()["quizzes"]
    assert any(row["id"] == "capitals" and row["total"] == 2 for row in rows)


def test_the_first_format_in_order_that_recognises_a_file_reads_it(tmp_path):
    ours, theirs = tmp_path / "ours.json", tmp_path / "theirs.json"
    ours.write_text(json.dumps({"id": "ours", "title": "Ours", "questions": [
        {"id": "q", "type": "text", "prompt": "p", "answer": "a"}]}))
    theirs.write_text(json.dumps([{"question": "p", "type": "string", "answers": [{"answer": "a", "correct": True}]}]))
    assert formats.format_of(ours, ours.read_text()).name == "dlmagics"
    assert formats.format_of(theirs, theirs.read_text()).name == "jupyterquiz"
    listed = tmp_path / "theirs.yaml"
    listed.write_text("# a jupyterquiz list, in YAML\n---\n- question: p\n  type: string\n  answers: [{answer: a, correct: true}]\n")
    assert formats.load(listed).id == "theirs"


def test_defaults_are_the_dataclasses_own():
    """A field a file leaves out takes the default model.py states (said there only)."""
    quiz = from_dict({"id": "d", "title": "t", "questions": [
        {"id": "m", "type": "multiple", "prompt": "p", "options": [{"text": "a", "correct": True}, "b"]},
        {"id": "c", "type": "code", "prompt": "p", "name": "f", "cases": [{"expected": 1}]}]})
    multiple, code = quiz.questions
    bare = Quiz(id="d", title="t", questions=())
    assert (quiz.topic, quiz.intro, quiz.events, quiz.attempts, quiz.solution_after) == (
        bare.topic, bare.intro, bare.events, bare.attempts, bare.solution_after)
    plain = Question(id="q", type="text", prompt="p")
    for question in (multiple, code):
        assert (question.explanation, question.hints, question.source, question.points) == (
            plain.explanation, plain.hints, plain.source, plain.points)
    assert multiple.partial_credit == plain.partial_credit and multiple.options[1].feedback == ""
    assert (code.kind, code.time_limit, code.starter, code.tolerance) == (
        plain.kind, plain.time_limit, plain.starter, plain.tolerance)
    assert Reader("f").get({}, "attempts", Quiz) == bare.attempts
