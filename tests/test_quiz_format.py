"""The quiz format: schema errors that say where, the built-in bank, jupyterquiz files."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from dlmagics.quiz import catalog
from dlmagics.quiz.grading import grade
from dlmagics.quiz.document import from_dict
from dlmagics.quiz.formats import load
from dlmagics.quiz.model import QuizFormatError

HERE = Path(__file__).parent
SCHEMA = json.loads((HERE.parent / "dlmagics" / "quiz" / "quiz.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
SAMPLE = yaml.safe_load((HERE / "quizzes" / "sample.yaml").read_text())


def with_question(**changes) -> dict:
    doc = json.loads(json.dumps(SAMPLE))
    doc["questions"][0].update(changes)
    return doc


BAD = [
    # (document, words the error must contain)
    ({"title": "t", "questions": []}, ["field 'id'", "is required"]),
    ({**SAMPLE, "id": "Bad Id"}, ["field 'id'", "lowercase"]),
    ({**SAMPLE, "id": "mine\n"}, ["field 'id'", "lowercase"]),  # it broke the converter's test cells
    (with_question(id="pick-one\n"), ["field 'id'", "lowercase"]),
    ({**SAMPLE, "questions": []}, ["field 'questions'", "non-empty"]),
    ({**SAMPLE, "colour": "red"}, ["field 'colour'", "not a field"]),
    (with_question(type="essay"), ["question 'pick-one'", "field 'type'", "single, multiple"]),
    (with_question(prompt=""), ["question 'pick-one'", "field 'prompt'"]),
    (with_question(options=["a"]), ["question 'pick-one'", "field 'options'", "at least two"]),
    (with_question(options=[{"text": "a", "correct": True}, {"text": "b", "correct": True}]),
     ["question 'pick-one'", "exactly one correct"]),
    (with_question(options=[{"text": "a", "correct": "yes"}, "b"]), ["options[0].correct", "true or false"]),
    (with_question(hints="one hint"), ["field 'hints'", "list of texts"]),
    (with_question(points=0), ["field 'points'", "above 0"]),
]


@pytest.mark.parametrize("doc, words", BAD)
def test_a_bad_quiz_is_refused_with_the_file_question_and_field(doc, words):
    with pytest.raises(QuizFormatError) as error:
        from_dict(doc, "my_quiz.yaml")
    message = str(error.value)
    assert message.startswith("my_quiz.yaml: ")
    for word in words:
        assert word in message
    assert "\n" not in message
    if "exactly one correct" not in words:  # a rule JSON Schema cannot state (the schema says so)
        assert not VALIDATOR.is_valid(doc), "the published schema must refuse it too"


def test_type_specific_rules():
    numeric = {"id": "n", "type": "numeric", "prompt": "p", "answer": "ten"}
    code = {"id": "c", "type": "code", "prompt": "p", "name": "not a name", "cases": [{"expected": 1}]}
    regex = {"id": "t", "type": "text", "prompt": "p", "patterns": ["(unclosed"]}
    twice = [{"id": "a", "type": "text", "prompt": "p", "answer": "x"}] * 2
    for questions, words in (([numeric], "'answer': must be a number"), ([code], "'name'"),
                             ([regex], "not a regular expression"), (twice, "used twice")):
        with pytest.raises(QuizFormatError, match=words):
            from_dict({"id": "q", "title": "t", "questions": questions}, "f.json")


def test_unreadable_files(tmp_path):
    with pytest.raises(QuizFormatError, match="no such file"):
        load(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: x\nquestions: [unclosed\n")
    with pytest.raises(QuizFormatError, match=r"broken.yaml: not valid YAML at line \d"):
        load(broken)
    bad_json = tmp_path / "bad.json"
    bad_json.write_text('{"id": "x",')
    with pytest.raises(QuizFormatError, match="bad.json: not valid JSON at line 1"):
        load(bad_json)


def test_the_digest_changes_when_the_content_does():
    edited = with_question(prompt="Another prompt?")
    assert from_dict(SAMPLE).digest == from_dict(json.loads(json.dumps(SAMPLE))).digest
    assert from_dict(SAMPLE).digest != from_dict(edited).digest


def test_the_bank_has_8_quizzes_and_60_questions_that_the_schema_accepts():
    quizzes = catalog.bank()
    assert len(quizzes) >= 8
    assert sum(len(q.questions) for q in quizzes.values()) >= 60
    for path in catalog.BANK.glob("*.yaml"):
        errors = list(VALIDATOR.iter_errors(yaml.safe_load(path.read_text())))
        assert not errors, (path.name, errors[0].message)
    for quiz in quizzes.values():
        assert {q.type for q in quiz.questions} - {"code"}, quiz.id
        for question in quiz.questions:
            assert question.source, f"{quiz.id}/{question.id} has no source"
    types = {q.type for quiz in quizzes.values() for q in quiz.questions}
    assert types == {"single", "multiple", "numeric", "text", "code", "design"}


def key_answer(question):
    """The answer the key says is right, as a learner would give it."""
    if question.type == "single":
        return next(i for i, o in enumerate(question.options) if o.correct)
    if question.type == "multiple":
        return [i for i, o in enumerate(question.options) if o.correct]
    if question.type == "numeric":
        return f"{question.answer:g}"
    if question.type == "text":
        return question.answer[0] if question.answer else None
    if question.type == "design":
        return question.solution  # the author's example answer is a design that is handed in
    return None


@pytest.mark.parametrize("quiz_id", sorted(catalog.bank()))
def test_every_stored_answer_in_the_bank_grades_correct(quiz_id):
    for question in catalog.bank()[quiz_id].questions:
        namespace = {}
        if question.type == "code":
            assert question.solution, f"{question.id}: code questions need a solution to check"
            exec(question.solution, namespace)
        result = grade(question, key_answer(question), namespace)
        assert result.correct, (quiz_id, question.id, result.feedback)
        if question.type in ("single", "multiple"):
            wrong = next(i for i, o in enumerate(question.options) if not o.correct)
            assert not grade(question, wrong if question.type == "single" else [wrong]).correct


def test_the_alexnet_reduction_question_says_which_figure_it_means():
    question = catalog.bank()["why-now"].question("reduction")
    assert "16.4%" in question.prompt and "15.3%" in question.prompt
    assert grade(question, "36.4%").correct and not grade(question, "9.4").correct


def test_jupyterquiz_files_are_read(tmp_path):
    items = [
        {"question": "Pick the prime", "type": "multiple_choice",
         "answers": [{"answer": "4", "correct": False, "feedback": "4 = 2 x 2"}, {"answer": "5", "correct": True}]},
        {"question": "Pick the evens", "type": "many_choice",
         "answers": [{"answer": "2", "correct": True}, {"answer": "3", "correct": False}, {"answer": "4", "correct": True}]},
        {"question": "Pi to 3 figures", "type": "numeric", "precision": 3,
         "answers": [{"type": "value", "value": 3.14159, "correct": True, "feedback": "Yes"},
                     {"type": "default", "feedback": "No"}]},
        {"question": "A number in [1, 2)", "type": "numeric",
         "answers": [{"type": "range", "range": [1, 2], "correct": True}]},
        {"question": "Capital of France", "type": "string",
         "answers": [{"answer": "Paris", "correct": True}]},
    ]
    path = tmp_path / "My Quiz.json"
    path.write_text(json.dumps(items))
    quiz = load(path)
    assert quiz.id == "my-quiz" and [q.type for q in quiz.questions] == ["single", "multiple", "numeric", "numeric", "text"]
    single, many, pi, interval, text = quiz.questions
    assert grade(single, 1).correct and grade(single, 0).feedback == "4 = 2 x 2"
    assert grade(many, [0, 2]).correct and not grade(many, [0]).correct
    assert grade(pi, "3.14").correct and not grade(pi, "3.2").correct
    assert grade(interval, "1.5").correct and not grade(interval, "2.5").correct
    assert grade(text, "paris").correct
    path.write_text(json.dumps([{"question": "?", "type": "essay", "answers": [{}]}]))
    with pytest.raises(QuizFormatError, match="can be used: question #1: 'type' is 'essay'"):
        load(path)


def test_responses_otherwise_precision_and_fuzzy_in_our_own_format():
    doc = {"id": "mine", "title": "Mine", "questions": [
        {"id": "pi", "type": "numeric", "prompt": "pi?", "answer": 3.14, "tolerance": {"abs": 0.005},
         "responses": [{"range": [3.142857, 3.142858], "feedback": "22/7"}], "otherwise": "area of the unit circle"},
        {"id": "e", "type": "numeric", "prompt": "e?", "precision": 3, "responses": [{"value": 2.718, "correct": True}]},
        {"id": "who", "type": "text", "prompt": "who?", "otherwise": "a mathematician",
         "responses": [{"answer": "Ada Lovelace", "fuzzy": 0.8}, {"answer": "Byron", "correct": False, "feedback": "her father"}]}]}
    assert VALIDATOR.is_valid(doc)
    pi, e, who = from_dict(doc).questions
    assert grade(pi, "3.141").correct and grade(pi, "22/7").feedback == "22/7" and not grade(pi, "22/7").correct
    assert grade(pi, "4").feedback == "area of the unit circle"
    assert grade(e, "2.7182818").correct and not grade(e, "2.71").correct and e.solution_text() == "2.718"
    assert grade(who, "Ada Lovelase").correct and grade(who, "byron").feedback == "her father"
    assert grade(who, "Euler").feedback == "a mathematician"
    for bad, words in (({"value": 1, "range": [0, 2]}, "one of them"), ({"range": [2, 1]}, "low must be below high")):
        broken = json.loads(json.dumps(doc))
        broken["questions"][0]["responses"] = [bad]
        with pytest.raises(QuizFormatError, match=words):
            from_dict(broken, "f.yaml")
        assert not VALIDATOR.is_valid(broken) or "below" in words  # a rule JSON Schema cannot state
