"""jupyterquiz files graded as jupyterquiz grades them (its README, schema and JavaScript), with a
bad question left out in the author's own field names and the rest kept."""

from __future__ import annotations

import json

import pytest

from dlmagics.quiz.grading import grade
from dlmagics.quiz.kinds.numeric import round_to_figures
from dlmagics.quiz.formats import load
from dlmagics.quiz.model import QuizFormatError


def quiz_of(tmp_path, *questions, name="theirs.json"):
    path = tmp_path / name
    path.write_text(json.dumps(list(questions)))
    return load(path)


def numeric(*answers, **fields):
    return {"question": "How much?", "type": "numeric", "answers": list(answers), **fields}


def string(*answers):
    return {"question": "Who?", "type": "string", "answers": list(answers)}


def test_options_given_as_code_alone_or_with_text(tmp_path):
    (q,) = quiz_of(tmp_path, {"question": "Which prints 3?", "type": "multiple_choice", "code": "x = 1\nprint(x + 2)",
                              "answers": [{"code": "print(1 + 2)", "correct": True},
                                          {"answer": "This one:", "code": "def f():\n    return 2", "correct": False},
                                          {"code": "print('3')", "correct": False, "feedback": "that is text"}]}).questions
    assert q.type == "single" and "```python\nx = 1\nprint(x + 2)\n```" in q.prompt
    assert [o.text for o in q.options] == ["`print(1 + 2)`", "This one:\n\n```python\ndef f():\n    return 2\n```",
                                           "`print('3')`"]
    assert grade(q, 0).correct and grade(q, 2).feedback == "that is text"


def test_the_count_of_correct_answers_decides_pick_one_or_tick_all_as_in_its_javascript(tmp_path):
    one = {"question": "a", "type": "many_choice", "answers": [{"answer": "x", "correct": True}, {"answer": "y"}]}
    two = {"question": "b", "type": "multiple_choice",
           "answers": [{"answer": "x", "correct": True}, {"answer": "y", "correct": True}, {"answer": "z"}]}
    first, second = quiz_of(tmp_path, one, two).questions
    assert (first.type, second.type) == ("single", "multiple")
    assert grade(second, [0, 1]).correct and not grade(second, [0]).correct


def test_numbers_every_correct_value_and_range_counts_and_a_range_excludes_its_upper_end(tmp_path):
    (q,) = quiz_of(tmp_path, numeric({"type": "value", "value": 10, "correct": True},
                                     {"type": "range", "range": [20, 30], "correct": True, "feedback": "in range"},
                                     {"type": "value", "value": "-15", "correct": True})).questions  # text "-15"
    assert grade(q, "10").correct and grade(q, "-15").correct
    assert grade(q, "20").correct and grade(q, "29.999").feedback.startswith("in range")
    assert not grade(q, "30").correct and not grade(q, "10.5").correct
    assert q.solution_text() == "10"


def test_the_first_matching_answer_decides_with_its_feedback_and_the_default_when_none(tmp_path):
    (q,) = quiz_of(tmp_path, numeric({"type": "value", "value": 3.14, "correct": True},
                                     {"type": "range", "range": [3.142857, 3.142858], "correct": False,
                                      "feedback": "That is 22/7."},
                                     {"type": "range", "range": [-1e8, 0], "correct": False, "feedback": "Positive."},
                                     {"type": "default", "feedback": "pi is the area of the unit circle."})).questions
    wrong = grade(q, "22/7")  # fractions are read, as jupyterquiz reads them
    assert not wrong.correct and wrong.feedback == "That is 22/7."
    assert grade(q, "-1").feedback == "Positive."
    assert grade(q, "5").feedback == "pi is the area of the unit circle."
    assert grade(q, "3.14").correct and not grade(q, "3.141").correct  # no precision: the value itself


def test_precision_rounds_the_answer_and_the_value_to_significant_figures(tmp_path):
    (q,) = quiz_of(tmp_path, numeric({"type": "value", "value": 3.14, "correct": True}, precision=2)).questions
    assert grade(q, "3.055").correct and grade(q, "3.1").correct and grade(q, "3.149").correct  # all 3.1
    assert not grade(q, "3.04").correct and not grade(q, "3.16").correct  # 3.0 and 3.2
    assert grade(q, "3.15").correct  # the double nearest 3.15 is 3.1499..., 3.1 in JavaScript too
    # toPrecision's halves go away from zero, from the double's exact value
    assert round_to_figures(0.125, 2) == 0.13 and round_to_figures(-2.5, 1) == -3 and round_to_figures(2.675, 3) == 2.67
    assert round_to_figures(123456, 2) == 120000 and round_to_figures(0.0, 3) == 0.0


def test_an_old_files_precision_0_reads_as_to_a_whole_number_with_a_note(tmp_path):
    """Issue 31 item 6: jupyterquiz before 2.8 read "precision" as decimal places, so an old file's
    0 meant "to a whole number"; the question is kept (it was left out) and the author told how
    it was read."""
    from pathlib import Path

    from dlmagics.quiz.store import ProgressStore
    from dlmagics.quiz.tutor import Tutor
    from dlmagics.quiz.view import QuizView, static_text

    quiz = load(Path(__file__).parent / "quizzes" / "jq_old_precision.json")
    layers, millions, pi = quiz.questions
    assert quiz.skipped == ()
    assert [line.split(":")[0] for line in quiz.notes] == ["question #1", "question #2"]  # not #3: precision 3
    assert all("to a whole number" in line and "before 2.8" in line for line in quiz.notes)
    # an answer counts as the whole number it rounds to (halves up), values and ranges alike
    for answer in ("8", "8.4", "7.5", "7.99", "8.0"):
        assert grade(layers, answer).correct, answer
    for answer in ("8.5", "7.49", "9"):
        assert not grade(layers, answer).correct, answer
    assert grade(layers, "4.4").feedback == "More than that: count the dense layers too."  # 4 in [0, 5)
    assert grade(layers, "4.5").feedback == "Count the convolutional and the fully connected layers."  # 5: not
    assert grade(millions, "61").correct and grade(millions, "60.6").correct and not grade(millions, "60.4").correct
    assert grade(pi, "3.141").correct and not grade(pi, "3.15").correct  # significant figures as before
    tutor = Tutor(quiz, ProgressStore(tmp_path / "progress.jsonl"))
    assert "to a whole number" in QuizView(tutor).header.value and "left out" not in QuizView(tutor).header.value
    assert "read from " in static_text(tutor) and "question #2: 'precision': 0" in static_text(tutor)


def test_string_answers_feedback_case_fuzzy_and_default(tmp_path):
    (q,) = quiz_of(tmp_path, string(
        {"answer": "John F. Kennedy", "correct": True, "feedback": "The 35th.", "fuzzy_threshold": 0.8},
        {"answer": "JFK", "correct": True, "match_case": True},
        {"answer": "Kennedy", "correct": False, "feedback": "His first name too."},
        {"type": "default", "feedback": "He was president from 1961 to 1963."})).questions
    assert grade(q, "john f. kennedy").correct and grade(q, "  John F. Kennedy ").feedback.startswith("The 35th.")
    near = grade(q, "Jon F. Kenedy")  # two letters off in 15: 0.87
    assert near.correct and "Close enough" in near.feedback and "The 35th." in near.feedback
    assert not grade(q, "Jon Kenedy").correct  # 0.67
    assert grade(q, "JFK").correct and not grade(q, "jfk").correct  # match_case
    assert grade(q, "kennedy").feedback == "His first name too." and not grade(q, "kennedy").correct
    assert grade(q, "Nixon").feedback == "He was president from 1961 to 1963."
    assert q.solution_text() == "John F. Kennedy"


BAD = [
    # (a question, the author's field the line names)
    (numeric({"type": "value", "value": "about ten", "correct": True}), "'answers[0].value' is 'about ten', not a number"),
    (numeric({"type": "range", "range": [5], "correct": True}), "'answers[0].range' is [5]"),
    (numeric({"type": "range", "range": [5, 5], "correct": True}), "low must be below high"),
    (numeric({"type": "value", "value": 1, "correct": True}, precision=-1), "'precision' is -1"),
    (numeric({"type": "value", "value": 1, "correct": True}, precision=2.5), "'precision' is 2.5"),
    (numeric({"type": "range", "range": [3.2, 3.7], "correct": True}, precision=0), "holds no whole number"),
    (numeric({"type": "value", "value": 1, "correct": False}), "no value or range is marked"),
    (numeric({"type": "value", "value": 1, "correct": True}, {"feedback": "?"}), "'answers[1]' has no 'value' or 'range'"),
    (string({"answer": "x", "correct": "yes"}), "'answers[0].correct' must be true or false"),
    (string({"answer": "x", "correct": True, "fuzzy_threshold": 8}), "'answers[0].fuzzy_threshold' is 8"),
    (string({"answer": "", "correct": True}), "'answers[0].answer' is ''"),
    ({"question": "?", "type": "many_choice", "answers": [{"answer": "a", "correct": True}, {"correct": False}]},
     "'answers[1]' has neither 'answer' nor 'code'"),
    ({"question": "?", "type": "many_choice", "answers": [{"answer": "a", "correct": True}, {"answer": "a"}]},
     "'answers[1]' repeats 'answers[0]'"),
    ({"question": "?", "type": "essay", "answers": [{}]}, "'type' is 'essay'"),
    ({"question": 7, "type": "string", "answers": [{"answer": "x", "correct": True}]}, "'question' must be text"),
    ("a question", "not a question"),
]


@pytest.mark.parametrize("bad, words", BAD)
def test_a_bad_question_is_left_out_in_the_authors_words_and_the_rest_load(tmp_path, bad, words):
    good = string({"answer": "Ada", "correct": True})
    other = {**good, "question": "Who else?"}
    quiz = quiz_of(tmp_path, good, bad, other)
    assert [q.id for q in quiz.questions] == ["who", "who-else"]  # ids from their text, whatever is left out
    (line,) = quiz.skipped
    assert line.startswith("question #2: ") and words in line, line
    with pytest.raises(QuizFormatError, match="no question of this jupyterquiz file can be used"):
        quiz_of(tmp_path, bad, name="all-bad.json")


def test_the_learner_sees_what_was_left_out(tmp_path):
    from dlmagics.quiz.store import ProgressStore
    from dlmagics.quiz.tutor import Tutor
    from dlmagics.quiz.view import QuizView, static_text

    quiz = quiz_of(tmp_path, string({"answer": "Ada", "correct": True}), numeric({"value": "x", "correct": True}))
    tutor = Tutor(quiz, ProgressStore(tmp_path / "progress.jsonl"))
    view = QuizView(tutor)
    assert "1 question of" in view.header.value and "answers[0].value" in view.header.value
    assert "left out of" in static_text(tutor) and "question #2" in static_text(tutor)


def test_an_authors_file_gets_ids_from_its_questions_and_a_title_from_its_name():
    """Issue 35 item 9: an imported file's questions are named by what they ask (the author's own
    id where there is one), unique within the file, and the quiz by its file name made readable;
    a teacher's export then says which question each row is."""
    from pathlib import Path

    quiz = load(Path(__file__).parent / "quizzes" / "jq_week1.json")
    assert quiz.id == "jq_week1" and quiz.title == "JQ week 1"
    assert [q.id for q in quiz.questions] == [
        "which-activation-function-keeps-gradients-alive", "choose-every-ingredient-of-alexnet-2012",
        "enter-the-value-of-pi-to", "enter-the-value-of-pi-to-2", "which-line-appends-the-item-3", "lecun-1989"]
    again = load(Path(__file__).parent / "quizzes" / "jq_week1.json")
    assert [q.id for q in again.questions] == [q.id for q in quiz.questions]  # stable: the same file, the same ids


def test_ids_stay_when_questions_are_added_or_moved(tmp_path):
    first = {"question": "What is 2 + 2?", "type": "numeric", "answers": [{"type": "value", "value": 4, "correct": True}]}
    second = string({"answer": "Ada", "correct": True})
    before = {q.prompt: q.id for q in quiz_of(tmp_path, first, second).questions}
    after = {q.prompt: q.id for q in quiz_of(tmp_path, numeric({"type": "value", "value": 1, "correct": True}),
                                             second, first, name="later.json").questions}
    assert all(after[prompt] == qid for prompt, qid in before.items()), (before, after)


def test_an_authors_own_id_is_never_taken_by_an_earlier_questions_slug():
    from dlmagics.quiz.formats.jupyterquiz import question_ids
    from dlmagics.quiz.reading import ID_PATTERN

    long_own = "x" * 64
    items = [{"question": "What is pi"}, {"question": "Other", "id": "what-is-pi"},
             {"question": "Again", "id": "what-is-pi"}, {"id": long_own}, {"id": long_own}]
    ids = question_ids(items)
    assert ids[1] == "what-is-pi" and ids[0] == "what-is-pi-2" and ids[2] == "what-is-pi-3"
    assert ids[3] == long_own and len(set(ids)) == len(ids)
    assert all(ID_PATTERN.match(i) for i in ids)
