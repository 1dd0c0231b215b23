"""Every grading rule, and the learner's code checked with a time limit."""

from __future__ import annotations

import time

import pytest

from dlmagics.quiz.grading import grade, parse_number
from dlmagics.quiz.document import from_dict


def question(**fields):
    return from_dict({"id": "q", "title": "t", "questions": [{"id": "x", "prompt": "p", **fields}]}).questions[0]


@pytest.mark.parametrize("tolerance, right, wrong", [
    ({"abs": 0.1}, ["36.35", "36.52"], ["36.2", "36.6"]),
    ({"rel": 0.01}, ["36.1", "36.79"], ["35.9", "36.9"]),
    ({"sig_figs": 3}, ["36.4", "36.45", "36.38"], ["36.3", "36.5", "36"]),
    ({"sig_figs": 1}, ["40", "35"], ["30", "46"]),
])
def test_numeric_tolerances(tolerance, right, wrong):
    q = question(type="numeric", answer=36.43, tolerance=tolerance)
    assert all(grade(q, a).correct for a in right), tolerance
    assert not any(grade(q, a).correct for a in wrong), tolerance


def test_numbers_are_read_the_way_people_write_them():
    assert parse_number("36.4%", "%") == 36.4
    assert parse_number("2.75 ms", "ms") == 2.75
    assert parse_number("1/4") == 0.25
    assert parse_number("2.5e6") == parse_number("2.5 x 10^6") == 2.5e6
    assert parse_number("150,528") == 150528
    assert parse_number("\u22123") == -3
    q = question(type="numeric", answer=0.5)
    for unreadable in ("", "abc", "0,5", "1/0"):
        result = grade(q, unreadable)
        assert not result.valid and "number" in result.feedback


def test_default_tolerance_is_tight():
    q = question(type="numeric", answer=1986)
    assert grade(q, "1986").correct and not grade(q, "1985").correct


def test_single_choice_feedback_and_explanation():
    q = question(type="single", options=[{"text": "a", "feedback": "not a"}, {"text": "b", "correct": True}],
                 explanation="because b")
    assert grade(q, 0).feedback == "not a" and grade(q, 0).score == 0
    assert grade(q, 1).correct and "because b" in grade(q, 1).feedback
    assert not grade(q, None).valid and not grade(q, 7).valid
    several = grade(q, [0, 1])  # a page without the extension lets two round boxes be ticked
    assert not several.valid and "Tick one option only (2 are ticked)" in several.feedback
    from dlmagics.quiz.kinds import KINDS

    assert KINDS["single"].storable(q, [0, 1]) is None and KINDS["single"].storable(q, 1) == 1  # no list kept


def test_multiple_select_partial_credit_rules():
    options = [{"text": "a", "correct": True}, {"text": "b", "correct": True}, {"text": "c", "correct": True},
               {"text": "d", "feedback": "d is wrong"}]
    q = question(type="multiple", options=options)
    assert grade(q, [0, 1, 2]).correct
    assert grade(q, [0, 1]).score == pytest.approx(2 / 3)
    assert grade(q, [0, 1, 3]).score == pytest.approx(1 / 3)  # a wrong tick cancels a right one
    assert grade(q, [0, 3]).score == 0  # never below zero
    assert "d is wrong" in grade(q, [3]).feedback
    assert "3 options are right" in grade(q, [0]).feedback
    strict = question(type="multiple", options=options, partial_credit="all_or_nothing")
    assert grade(strict, [0, 1]).score == 0 and grade(strict, [2, 1, 0]).score == 1
    assert not grade(q, []).valid


def test_text_alternatives_normalisation_and_regex():
    q = question(type="text", answer=["GTX 580", "GeForce GTX 580"], patterns=[r"(nvidia )?gtx ?580"])
    for right in ("gtx 580", "  GeForce   GTX 580. ", "nvidia gtx580", "GTX580"):
        assert grade(q, right).correct, right
    assert not grade(q, "GTX 680").correct
    strict = question(type="text", answer=["ReLU"], case_sensitive=True)
    assert grade(strict, "ReLU").correct and not grade(strict, "relu").correct
    assert not grade(q, "   ").valid


RELU_FIELDS = dict(id="relu", type="code", prompt="Write relu.", name="relu", cases=[
    {"args": [-2.0], "expected": 0.0}, {"args": [3.5], "expected": 3.5}])
RELU = question(type="code", name="relu", time_limit=0.3, cases=[
    {"args": [-2.0], "expected": 0.0}, {"args": [3.5], "expected": 3.5}, {"args": [0.0], "expected": 0.0}],
    explanation="max(0, x)")


def check(source: str):
    namespace: dict = {}
    exec(source, namespace)
    return grade(RELU, None, namespace)


def test_code_right_and_wrong():
    right = check("def relu(x): return max(0.0, x)")
    assert right.correct and "3 of 3" in right.feedback and "max(0, x)" in right.feedback
    wrong = check("def relu(x): return x")
    assert wrong.score == pytest.approx(2 / 3) and "`relu(-2.0)` gave `-2.0`, expected `0.0`" in wrong.feedback


def test_code_exceptions_are_feedback_not_crashes():
    result = check("def relu(x): raise ValueError('my bug')")
    assert result.score == 0 and "raised ValueError: my bug" in result.feedback


def test_code_endless_loops_are_stopped():
    stubborn = "def relu(x):\n  while True:\n    try:\n      pass\n    except Exception:\n      pass"
    for source in ("def relu(x):\n  while True: pass", stubborn):
        started = time.perf_counter()
        result = check(source)
        took = time.perf_counter() - started
        assert result.score == 0 and "longer than 0.3 s" in result.feedback
        assert took < 15  # stopped, not left to run (a loaded machine may take seconds to say so)
    assert check("def relu(x): return max(0.0, x)").correct  # the timer does not fire later


def test_a_c_call_that_waits_is_stopped_at_the_limit_too():
    started = time.perf_counter()
    result = check("import time\ndef relu(x):\n  time.sleep(20)")  # a C call: no Python line to stop at
    took = time.perf_counter() - started
    assert result.score == 0 and "longer than 0.3 s" in result.feedback and took < 5


def test_ctrl_c_in_a_check_is_stopped_and_graded_nothing(tmp_path):
    import signal

    from dlmagics.quiz.codecheck import CheckStopped
    from dlmagics.quiz.store import ProgressStore
    from dlmagics.quiz.tutor import Tutor

    quiz = from_dict({"id": "c", "title": "c", "questions": [{**RELU_FIELDS, "time_limit": 5}]}, "test")
    store = ProgressStore(tmp_path / "p.jsonl")
    namespace: dict = {}
    exec("import os, signal, time\ndef relu(x):\n  os.kill(os.getpid(), signal.SIGINT)\n  time.sleep(5)", namespace)
    tutor = Tutor(quiz, store, namespace=namespace)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a kernel: SIGINT is Ctrl-C
    try:
        with pytest.raises(CheckStopped, match="interrupted; nothing was graded or saved"):
            tutor.answer("relu", None)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert store.records() == [] and tutor.state("relu").attempts == 0


def test_a_pattern_that_backtracks_is_refused_when_the_quiz_loads():
    from dlmagics.quiz.model import QuizFormatError

    for pattern in ("(a+)+$", "(x*y?)*", "(\\w+\\s?)+"):
        with pytest.raises(QuizFormatError, match="repeats a repeated group"):
            from_dict({"id": "t", "title": "t", "questions": [
                {"id": "q", "type": "text", "prompt": "?", "patterns": [pattern]}]}, "test")
    flat = from_dict({"id": "t", "title": "t", "questions": [
        {"id": "q", "type": "text", "prompt": "?", "patterns": ["colou?r", "(gpu|cuda)s?"]}]}, "test")
    assert grade(flat.questions[0], "Colour", {}).correct


def test_code_not_defined_or_not_callable_and_values_and_tensors():
    assert not grade(RELU, None, {}).valid
    assert "not a function" in grade(RELU, None, {"relu": 3}).feedback
    value = question(type="code", name="params", kind="value", cases=[{"expected": [1, 2.0]}])
    assert grade(value, None, {"params": [1, 2.0000000001]}).correct
    torch = pytest.importorskip("torch")
    tensors = question(type="code", name="f", cases=[{"args": [[-1.0, 2.0]], "expected": [0.0, 2.0]}])
    assert grade(tensors, None, {"f": lambda xs: torch.relu(torch.tensor(xs))}).correct


def test_the_figure_notebook_01_teaches_grades_right():
    from dlmagics.quiz import catalog

    resnet = catalog.find("resnet-transformers").question("resnet-error")
    assert grade(resnet, "3.6", {}).correct and grade(resnet, "3.57%", {}).correct  # 01's table says 3.6%
    assert not grade(resnet, "3.7", {}).correct and not grade(resnet, "5.1", {}).correct
