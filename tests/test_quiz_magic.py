"""%dlquiz through an IPython shell: the widget, what it keeps secret, the magic's options."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest
from IPython.core.error import UsageError

from dlmagics.quiz import catalog
from dlmagics.quiz.text import to_inline_html, to_text

SAMPLE = Path(__file__).parent / "quizzes" / "sample.yaml"


@pytest.fixture
def quiz_shell(shell, tmp_path, monkeypatch):
    monkeypatch.setenv("DLMAGICS_QUIZ_STORE", str(tmp_path / "progress.jsonl"))
    shell.run_line_magic("load_ext", "dlmagics")
    return shell


def magics(shell):
    return shell.magics_manager.registry["DLMagics"]


def show(shell, name: str, mode: str = "practice"):
    desk = magics(shell).wing("quiz").desk
    from dlmagics.quiz.formats import load

    quiz = load(name) if name.endswith(".yaml") else catalog.find(name)
    return desk.show_quiz(quiz, mode, shell.user_ns, "cell-1")


def choose(question_view, index: int) -> None:
    """Tick option ``index`` (the file's numbering) of a choice question, wherever it is shown;
    in a single-choice question the others are unticked first, as the page does."""
    label = to_inline_html(question_view.q.options[index].text)
    for box in question_view.controls:
        if box.description == label:
            box.value = True
        elif question_view.q.type == "single":
            box.value = False


def all_widget_state() -> str:
    import ipywidgets

    return json.dumps([w.get_state() for w in list(ipywidgets.widgets.widget._instances.values())], default=str)


def test_the_answer_key_is_in_no_widget_state_nor_output(quiz_shell):
    import ipywidgets

    ipywidgets.Widget.close_all()
    view = show(quiz_shell, str(SAMPLE))
    state = all_widget_state() + json.dumps(view.outputs())
    quiz = view.tutor.quiz
    secrets = ["36.43", "Geoffrey Hinton", "geoff(rey)?", "max(0.0, x)", '"correct"', "correct\": true"]
    secrets += [q.explanation for q in quiz.questions] + [h for q in quiz.questions for h in q.hints]
    secrets += [o.feedback for q in quiz.questions for o in q.options if o.feedback]
    for secret in secrets:
        assert secret not in state, secret
    assert "Which activation keeps gradients alive" in state  # the prompts are there


def test_answering_in_the_widget_gives_feedback_records_and_tells_the_sidebar(quiz_shell):
    view = show(quiz_shell, str(SAMPLE))
    sent = []
    magics(quiz_shell).session.channel.send = sent.append
    first = view.questions[0]
    choose(first, 0)
    first.check.click()
    assert "Not yet" in first.feedback.value and "at most 1/4" in first.feedback.value
    assert "slope is 1 for positive" not in first.feedback.value
    assert "var(--jp-error-color1" in first.feedback.value  # the theme's colour, readable in light and dark
    choose(first, 1)
    first.check.click()
    assert "\u2713 Correct" in first.feedback.value and "slope is 1 for positive" in first.feedback.value
    assert "dlm-live" in first.feedback._dom_classes and "dlm-live" in view.score._dom_classes  # live regions
    assert "dlm-own-keys" in view.widget._dom_classes
    assert "1 of 5 answered" in view.score.value and "score 20%" in view.score.value
    status = [m for m in sent if m["type"] == "quiz"][-1]  # (a quiz_answers message follows it)
    assert status["quiz"]["correct"] == 1 and status["quiz"]["cell_id"] == "cell-1"
    numeric = view.questions[2]
    numeric.input.value = "thirty"
    numeric.check.click()
    assert "Could not read" in numeric.feedback.value and view.tutor.state("reduction").attempts == 0
    numeric.input.value = "1"
    numeric.check.click()
    numeric.input.value = "2"
    numeric.check.click()
    assert not numeric.reveal.disabled  # solution_after: 2
    numeric.reveal.click()
    assert "36.4" in numeric.feedback.value
    hint = view.questions[0]
    hint.hint.click()
    assert "Hint 1" in hint.hints.value


def test_code_question_checks_the_learners_function(quiz_shell):
    view = show(quiz_shell, str(SAMPLE))
    code = view.questions[4]
    code.check.click()
    assert "Define the function `relu`" in code.feedback.value
    quiz_shell.run_cell("def relu(x):\n    while True: pass")
    code.check.click()
    assert "longer than 0.5 s" in code.feedback.value
    quiz_shell.run_cell("def relu(x): return max(0.0, x)")
    code.check.click()
    assert "3 of 3 checks passed" in code.feedback.value


def test_a_read_only_store_says_so_at_check_hint_and_solution_and_shows_nothing_unsaved(quiz_shell, monkeypatch):
    from dlmagics.quiz.store import ProgressStore, StoreError

    view = show(quiz_shell, str(SAMPLE))
    first = view.questions[0]
    for _ in range(3):  # wrong answers, so that the solution is offered
        choose(first, 0)
        first.check.click()

    def read_only(self, record):
        raise StoreError(f"could not save the answer to {self.path} (Read-only file system)")

    monkeypatch.setattr(ProgressStore, "append", read_only)
    for button, says in ((first.check, "Not graded"), (first.hint, "No hint"), (first.reveal, "No solution")):
        button.disabled = False
        button.click()  # a click that raised would be lost in the kernel's log, the learner told nothing
        assert says in first.feedback.value and "Read-only file system" in first.feedback.value
    assert "Hint 1" not in first.hints.value and "Solution" not in first.feedback.value.split("No solution")[0]


def test_a_quiz_file_cannot_take_a_built_in_quiz_s_id(quiz_shell, tmp_path):
    mine = tmp_path / "gpus.yaml"
    mine.write_text("id: gpus\ntitle: Mine\nquestions:\n  - id: q1\n    type: single\n    prompt: Q?\n"
                    "    options:\n      - {text: a, correct: true}\n      - {text: b}\n")
    with pytest.raises(UsageError, match="its id 'gpus' is a built-in quiz's; give the file's quiz another id"):
        quiz_shell.run_line_magic("dlquiz", str(mine))
    assert catalog.find("gpus").title != "Mine"


def test_a_second_view_shows_the_earlier_answers(quiz_shell):
    view = show(quiz_shell, str(SAMPLE))
    view.questions[1].controls[0].value = True
    view.questions[1].check.click()
    again = show(quiz_shell, str(SAMPLE))
    assert again.questions[1].controls[0].value and not again.questions[1].controls[1].value
    assert "Partly right" not in again.questions[1].feedback.value  # restored as a state, not a replay
    assert "Not yet (1 attempt so far)" in again.questions[1].feedback.value


def test_exam_mode_hides_feedback_until_submit(quiz_shell):
    view = show(quiz_shell, str(SAMPLE), "exam")
    buttons = [child for qv in view.questions for box in qv.widget.children if hasattr(box, "children")
               for child in box.children]
    assert not any(qv.check in buttons or qv.hint in buttons for qv in view.questions)
    choose(view.questions[0], 1)
    assert all(qv.feedback.value == "" for qv in view.questions)
    view.submit.click()
    assert "\u2713 Correct" in view.questions[0].feedback.value
    assert "Wrong" in view.questions[2].feedback.value and "36.4" in view.questions[2].feedback.value
    assert view.submit.disabled and view.questions[0].controls[0].disabled
    assert "0 submissions left" in view.score.value


def test_mastery_locks_what_is_right(quiz_shell):
    view = show(quiz_shell, str(SAMPLE))
    choose(view.questions[0], 1)
    view.questions[0].check.click()
    mastery = show(quiz_shell, str(SAMPLE), "mastery")
    assert mastery.questions[0].controls[0].disabled and mastery.questions[0].check.disabled
    assert not mastery.questions[2].input.disabled


def test_scripts_and_handlers_in_a_quiz_file_stay_text(quiz_shell, tmp_path):
    evil = tmp_path / "evil.json"
    evil.write_text(json.dumps({"id": "evil", "title": "<script>alert(1)</script>", "questions": [
        {"id": "q", "type": "single", "prompt": "<img src=x onerror=alert(1)> **bold** [x](javascript:alert(1))",
         "options": [{"text": "<b onmouseover=alert(1)>a</b>", "correct": True}, "b"]}]}))
    view = show(quiz_shell, str(evil).replace(".json", ".json"))
    labels = [box.description for box in view.questions[0].controls]
    html = view.header.value + view.questions[0].prompt.value + json.dumps(view.outputs()[1]["text/html"]) + str(labels)
    assert "<script>" not in html and "onerror" not in html and "onmouseover" not in html and "href=\"javascript" not in html
    assert "&lt;script&gt;" in view.header.value  # the title is text
    assert '<img src="x">' in view.questions[0].prompt.value  # the tag is allowed, its handler is not
    assert "<strong>bold</strong>" in view.questions[0].prompt.value and "<b>a</b>" in labels


def test_list_score_export_and_reset(quiz_shell, tmp_path, capsys):
    view = show(quiz_shell, "why-now")
    view.questions[0].controls[0].value = True
    view.questions[0].check.click()
    table = quiz_shell.run_line_magic("dlquiz", "")
    row = next(r for r in table.to_dict()["quizzes"] if r["id"] == "why-now")
    assert row["answered"] == 1 and len(table.rows) >= 8 and "overall score" in repr(table)
    assert quiz_shell.run_line_magic("dlquiz", "--score").to_dict() == table.to_dict()
    out = tmp_path / "p.csv"
    quiz_shell.run_line_magic("dlquiz", f"--export csv {out}")
    rows = list(csv.DictReader(out.open()))
    assert len(rows) >= 60 and any(r["quiz"] == "why-now" and r["attempts"] == "1" for r in rows)
    quiz_shell.run_line_magic("dlquiz", f"--export json {tmp_path / 'p.json'}")
    assert json.loads((tmp_path / "p.json").read_text())["questions"][0]["quiz"]
    quiz_shell.run_line_magic("dlquiz", "--reset why-now")
    assert "starts afresh" in capsys.readouterr().out
    again = quiz_shell.run_line_magic("dlquiz", "--score")
    assert next(r for r in again.rows if r["id"] == "why-now")["answered"] == 0


def test_the_magic_shows_a_quiz_with_a_static_copy(quiz_shell):
    from IPython.core.displaypub import CapturingDisplayPublisher

    publisher = CapturingDisplayPublisher()
    old, quiz_shell.display_pub = quiz_shell.display_pub, publisher
    try:
        assert quiz_shell.run_line_magic("dlquiz", "gpus --mode mastery") is None
    finally:
        quiz_shell.display_pub = old
    widget, bundle = (output["data"] for output in publisher.outputs[-2:])
    # The widget alone in its output: an exporter that draws it (or fails to, offline) still
    # has the static copy, in the next output.
    assert "application/vnd.jupyter.widget-view+json" in widget and "text/html" not in widget
    assert "a terminal cannot show the quiz's inputs" in widget["text/plain"]
    assert "GPUs and CUDA" in bundle["text/html"] and "run the cell to answer" in bundle["text/html"]
    assert "19.5 TFLOPS" in bundle["text/plain"]  # options are shown, which one is right is not
    assert "datasheet gives" not in bundle["text/html"]
    assert ":has(.dlm-quiz) + .jp-OutputArea-child:has(.dlm-quiz-static)" in bundle["text/html"]


@pytest.mark.parametrize("line, words", [
    ("why-nwo", "no quiz named 'why-nwo'; did you mean why-now"),
    ("missing.yaml", "missing.yaml: no such file"),
    ("why-now --mode nope", "--mode nope: use practice, mastery, exam"),
    ("--export xml out.x", "--export xml: use csv or json"),
    ("--export csv /proc/no/such/dir/p.csv", "/proc/no/such/dir/p.csv: the folder /proc/no/such/dir does not exist"),
    ("--reset nothing-like-it", "no quiz named 'nothing-like-it'"),
    ("why-now --score", "give one of ID, --reset, --score or --export"),
    ("--export csv", "expected 2 arguments"),
    ("--mode exam", "--mode exam goes with a quiz: %dlquiz ID --mode exam"),
    ("--reset gpus --mode exam", "--mode exam goes with a quiz"),
    ("'why-now", "no closing quotation"),
])
def test_bad_input_is_a_one_line_usage_error(quiz_shell, line, words):
    with pytest.raises(UsageError) as error:
        quiz_shell.run_line_magic("dlquiz", line)
    message = str(error.value)
    assert words in message and "\n" not in message and "Usage: %dlquiz" in message


def test_a_malformed_file_is_a_usage_error(quiz_shell, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: bad\ntitle: t\nquestions:\n  - id: q\n    type: numeric\n    prompt: p\n")
    with pytest.raises(UsageError, match="bad.yaml: question 'q': field 'answer'"):
        quiz_shell.run_line_magic("dlquiz", str(bad))


def test_the_help_is_the_docstring(quiz_shell):
    doc = quiz_shell.magics_manager.magics["line"]["dlquiz"].__doc__
    assert "not an exam server" in doc and "--mode" in doc
    assert os.environ["DLMAGICS_QUIZ_STORE"]


def test_the_sidebar_gets_quiz_messages_and_snapshots_that_follow_the_schema(comms, shell, no_driver, tmp_path,
                                                                            monkeypatch):
    from conftest import validate

    monkeypatch.setenv("DLMAGICS_QUIZ_STORE", str(tmp_path / "progress.jsonl"))
    shell.run_line_magic("load_ext", "dlmagics")
    view = show(shell, str(SAMPLE))
    c = next(made for made in comms if made.target_name == "dlmagics")  # widgets open comms too
    choose(view.questions[0], 1)
    view.questions[0].check.click()
    quiz_messages = [m for m in c.sent if m["type"] == "quiz"]
    assert [m["quiz"]["answered"] for m in quiz_messages] == [0, 1]
    for message in quiz_messages:
        validate(message)
    snapshot = c.request_snapshot()
    validate(snapshot)
    assert snapshot["quizzes"] == [quiz_messages[-1]["quiz"]]


def test_each_answer_sends_the_whole_answer_sheet_for_the_notebook_s_answer_cell(comms, shell, no_driver, tmp_path,
                                                                                monkeypatch):
    """nbgrader keeps only cell sources: after every answer the kernel sends the answer cell's
    text, with every question's latest answer (not only the last one), and never in a snapshot."""
    from conftest import validate

    from dlmagics.quiz.sheet import answer_cell_source, read_answer_cell

    monkeypatch.setenv("DLMAGICS_QUIZ_STORE", str(tmp_path / "progress.jsonl"))
    shell.run_line_magic("load_ext", "dlmagics")
    view = show(shell, str(SAMPLE))
    c = next(made for made in comms if made.target_name == "dlmagics")
    choose(view.questions[0], 0)
    view.questions[0].check.click()
    choose(view.questions[0], 1)
    view.questions[0].check.click()
    view.questions[2].input.value = "36.4"
    view.questions[2].check.click()
    view.questions[0].hint.click()  # a hint changes no answer: no new sheet
    sheets = [m for m in c.sent if m["type"] == "quiz_answers"]
    assert len(sheets) == 3
    for message in sheets:
        validate(message)
    quiz = view.tutor.quiz
    assert sheets[-1] == {"type": "quiz_answers", "quiz": "sample", "cell_id": "cell-1",
                          "source": answer_cell_source(quiz, {"pick-one": 1, "reduction": "36.4"})}
    body = sheets[-1]["source"].split("\n", 1)[1]
    assert read_answer_cell(body) == {"pick-one": quiz.question("pick-one").options[1].text, "reduction": "36.4"}
    assert "quiz_answers" not in json.dumps(c.request_snapshot())
    shell.run_line_magic("dlquiz", "--reset sample")  # the answer cell is emptied with the progress
    assert c.last("quiz_answers") == {"type": "quiz_answers", "quiz": "sample", "cell_id": None,
                                      "source": answer_cell_source(quiz, {})}
    assert read_answer_cell(c.last("quiz_answers")["source"].split("\n", 1)[1]) == {}


def test_a_reset_in_a_fresh_kernel_empties_the_answer_cell_and_the_sheet_autograde_reads(comms, shell, no_driver,
                                                                                         tmp_path, monkeypatch):
    # After a restart the quiz is not shown yet but its answer cell still holds the answers (and
    # has run): --reset left both, so the checks still graded what the learner had reset.
    from dlmagics.nbgrader import _sheet
    from dlmagics.quiz.sheet import answer_cell_source

    monkeypatch.setenv("DLMAGICS_QUIZ_STORE", str(tmp_path / "progress.jsonl"))
    shell.run_line_magic("load_ext", "dlmagics")
    c = next(made for made in comms if made.target_name == "dlmagics")
    shell.run_cell_magic("dlquiz_answers", "why-now", '{"backprop-year": "1986"}')
    assert _sheet("why-now")[0] == {"backprop-year": "1986"}
    shell.run_line_magic("dlquiz", "--reset why-now")
    assert _sheet("why-now")[0] == {}
    assert c.sent[-1] == {"type": "quiz_answers", "quiz": "why-now", "cell_id": None,
                          "source": answer_cell_source(catalog.find("why-now", {}), {})}


def test_an_exam_sends_its_answer_sheet_once_at_submit(comms, shell, no_driver, tmp_path, monkeypatch):
    from dlmagics.quiz.sheet import read_answer_cell

    monkeypatch.setenv("DLMAGICS_QUIZ_STORE", str(tmp_path / "progress.jsonl"))
    shell.run_line_magic("load_ext", "dlmagics")
    view = show(shell, str(SAMPLE), "exam")
    c = next(made for made in comms if made.target_name == "dlmagics")
    choose(view.questions[0], 1)
    assert not [m for m in c.sent if m["type"] == "quiz_answers"]  # nothing is recorded before submit
    view.submit.click()
    sheets = [m for m in c.sent if m["type"] == "quiz_answers"]
    assert len(sheets) == 1
    answers = read_answer_cell(sheets[0]["source"].split("\n", 1)[1])
    pick_one = view.tutor.quiz.question("pick-one")
    assert answers["pick-one"] == pick_one.options[1].text and set(answers) == {q.id for q in view.tutor.quiz.questions}


def test_options_are_shuffled_per_learner_and_question_stable_and_spread(monkeypatch):
    """The file's order gives nothing away: each learner sees the bank's options in an order of
    their own, the same on every run, with the right option anywhere."""
    from collections import Counter

    from dlmagics.quiz.shuffle import option_order

    choices = [q for quiz in catalog.bank().values() for q in quiz.questions if q.type in ("single", "multiple")]
    assert len(choices) >= 30
    orders = {}
    for who in ("ada", "alan", "grace"):
        monkeypatch.setenv("DLMAGICS_LEARNER", who)
        orders[who] = [option_order(q) for q in choices]
        assert orders[who] == [option_order(q) for q in choices]  # stable: a restart shows the same
        assert all(sorted(o) == list(range(len(q.options))) for o, q in zip(orders[who], choices))
        assert sum(o != sorted(o) for o in orders[who]) > len(choices) / 2  # never the file's order throughout
        first_right = Counter(next(p for p, i in enumerate(o) if q.options[i].correct)
                              for o, q in zip(orders[who], choices) if q.type == "single")
        assert len(first_right) >= 3 and first_right[0] < 0.5 * sum(first_right.values()), first_right
    assert orders["ada"] != orders["alan"] != orders["grace"]  # another learner, another order


def test_the_page_the_export_and_the_terminal_show_one_order_and_grading_follows_the_label(quiz_shell):
    view = show(quiz_shell, "tricks")
    singles = [qv for qv in view.questions if qv.q.type == "single"]
    html_of = {to_inline_html(o.text): o for qv in singles for o in qv.q.options}
    shown = {qv.q.id: [html_of[box.description] for box in qv.controls] for qv in singles}
    shuffled = [qv for qv in singles if shown[qv.q.id] != list(qv.q.options)]
    assert shuffled  # for this learner, at least one question's options are not in the file's order
    question = shuffled[0]
    labels = [to_text(o.text) for o in shown[question.q.id]]
    static = next(o for o in view.outputs() if "text/html" in o)
    text_order = [line.strip()[2:] for line in static["text/plain"].splitlines() if line.strip().startswith("- ")]
    assert all(label in text_order for label in labels)
    assert [t for t in text_order if t in labels] == labels  # the copy lists them as the page shows them
    right = next(box for box in question.controls if html_of[box.description].correct)
    right.value = True  # the learner ticks the right label, wherever it is
    question.check.click()
    assert "Correct." in question.feedback.value


def test_a_single_choice_is_graded_on_the_boxes_as_the_page_left_them(quiz_shell):
    """The kernel never sets a box (a value it sent could cross the learner's next click), so
    what it grades is what the page sent: one tick, or a clear word when there are several."""
    view = show(quiz_shell, "tricks")
    question = next(qv for qv in view.questions if qv.q.type == "single")
    assert question.check._dom_classes == ("dlm-grades",)  # the page holds its click until the ticks arrived
    first, second = question.controls[:2]
    first.value = True
    second.value = True
    assert first.value and second.value  # nothing unticked behind the page's back
    question.check.click()
    assert "Tick one option only (2 are ticked)" in question.feedback.value
    assert not view.tutor.state(question.q.id).attempts  # not graded, not counted
    first.value = False
    question.check.click()
    assert view.tutor.state(question.q.id).attempts == 1


def test_a_design_answer_is_kept_across_a_restart_shown_the_rubric_counted_apart_and_exported(quiz_shell, tmp_path):
    view = show(quiz_shell, "imagenet")
    design = next(qv for qv in view.questions if qv.q.type == "design")
    rubric_line = design.q.extra["rubric"][3]
    assert rubric_line not in all_widget_state() and design.check.description == "Hand in"
    assert design.reveal not in design.widget.children[-3].children  # no Solution button: no key to reveal
    design.input.value = "A small CNN."
    design.check.click()
    assert "at least 40 words (this has 3)" in design.feedback.value and not view.tutor.state(design.q.id).attempts
    essay = ("Start from an ImageNet ResNet, fine-tune on 224 pixel greyscale copies in three channels; one sigmoid "
             "output with weighted binary cross-entropy because positives are rare; split the data by patient so "
             "nobody is in both sets; judge it by the ROC area and the sensitivity at the threshold we would use, "
             "and look at activation maps to see it reads the lungs. \u00e9\u00e8 \u2014 unicode kept.")
    design.input.value = essay
    design.check.click()
    assert "Kept" in design.feedback.value and rubric_line.split(":")[0] in design.feedback.value
    scored_total = sum(1 for q in view.tutor.quiz.questions if q.type != "design")
    assert view.tutor.summary()["total"] == scored_total and view.tutor.summary()["answered"] == 0  # apart
    assert "1 of 1 design answer written" in view.score.value

    again = show(quiz_shell, "imagenet", "mastery")  # a new view reads the store, as after a restart
    kept = next(qv for qv in again.questions if qv.q.type == "design")
    assert kept.input.value == essay and "Kept" in kept.feedback.value and not kept.input.disabled  # revisable

    out = tmp_path / "p.csv"
    quiz_shell.run_line_magic("dlquiz", f"--export csv {out}")
    row = next(r for r in csv.DictReader(out.open(encoding="utf-8")) if r["question"] == "pneumonia-cnn")
    assert row["answer"] == essay and row["score"] == "" and row["type"] == "design"
    quiz_shell.run_line_magic("dlquiz", f"--export json {tmp_path / 'p.json'}")
    exported = json.loads((tmp_path / "p.json").read_text(encoding="utf-8"))["questions"]
    assert next(r for r in exported if r["question"] == "pneumonia-cnn")["answer"] == essay


def test_the_export_names_the_learner_the_time_and_the_answers_in_words(quiz_shell, tmp_path, monkeypatch):
    """Issue 35 item 9: a teacher reads who answered, when, which option (its text, not its
    index) and the code that was checked (its source), in CSV and in JSON alike."""
    from datetime import datetime

    monkeypatch.delenv("DLMAGICS_LEARNER", raising=False)  # a hub: its user is the learner
    monkeypatch.setenv("JUPYTERHUB_USER", "ada")
    view = show(quiz_shell, str(SAMPLE))
    one, many, code = (next(qv for qv in view.questions if qv.q.id == qid) for qid in ("pick-one", "pick-many", "relu"))
    choose(one, 1)
    one.check.click()
    choose(many, 0)
    choose(many, 2)
    many.check.click()
    quiz_shell.run_cell("def relu(x):\n    return max(0.0, x)  # mine\n")
    code.check.click()
    assert view.tutor.state("relu").attempts == 1  # graded: the source is what was checked
    before = datetime.now().astimezone()

    out = tmp_path / "p.csv"
    quiz_shell.run_line_magic("dlquiz", f"--export csv {out}")
    rows = {r["question"]: r for r in csv.DictReader(out.open(encoding="utf-8")) if r["quiz"] == "sample"}
    assert rows["pick-one"]["learner"] == "ada" and rows["pick-one"]["answer"] == "ReLU"
    assert rows["pick-many"]["answer"].splitlines() == ["ReLU", "batch norm"]
    assert rows["relu"]["answer"] == "def relu(x):\n    return max(0.0, x)  # mine\n"
    answered = datetime.fromisoformat(rows["pick-one"]["answered_at"])
    assert answered.utcoffset() is not None and abs((answered - before).total_seconds()) < 3600
    assert rows["who"]["answered_at"] == "" and rows["who"]["answer"] == ""  # not answered: nothing made up

    quiz_shell.run_line_magic("dlquiz", f"--export json {tmp_path / 'p.json'}")
    exported = {r["question"]: r for r in json.loads((tmp_path / "p.json").read_text())["questions"]
                if r["quiz"] == "sample"}
    assert exported["pick-many"]["answer"] == ["ReLU", "batch norm"] and exported["pick-one"]["learner"] == "ada"
    assert exported["relu"]["answer"].startswith("def relu(x):") and exported["who"]["answered_at"] is None


def test_a_code_answer_is_kept_as_what_was_checked():
    from dlmagics.quiz.kinds.code import checked_code

    assert checked_code("k", 3) == 3 and checked_code("k", "text") == "text"
    assert checked_code("f", object()) == "<f: a object>" and checked_code("g", len) == "<g: a builtin_function_or_method>"
    exec_ns: dict = {}
    exec("def f(x):\n    return x\n", exec_ns)  # no file behind it: the source cannot be read, and it says so
    assert checked_code("f", exec_ns["f"]) == "<f: a function whose source could not be read>"


def test_the_solution_is_said_once_rounded_as_graded_and_notes_read_as_body_text(quiz_shell):
    """Issue 35 item 10: "Solution / Solution: 36.43 %" became one "Solution: 36.4 %" (the key
    within sig_figs 3 counts to one decimal); hints and solutions are the page's body text
    colour, not a grey a learner strains to read (Galata measures the contrast: quizreopen)."""
    import re

    view = show(quiz_shell, "why-now")
    numeric = next(qv for qv in view.questions if qv.q.id == "reduction")
    assert numeric.q.answer == 36.43 and numeric.q.tolerance.sig_figs == 3
    for wrong in ("1", "2", "3"):
        numeric.input.value = wrong
        numeric.check.click()
    numeric.reveal.click()
    text = re.sub(r"<[^>]+>", "", numeric.feedback.value)
    assert text.count("Solution") == 1 and text.startswith("Solution: 36.4 %"), text
    assert "36.43" not in text
    numeric.hint.click()
    for shown in (numeric.feedback.value, numeric.hints.value):
        assert "var(--jp-content-font-color1" in shown and "--jp-content-font-color2" not in shown
    again = show(quiz_shell, "why-now")  # the solution as restored, after a restart
    restored = re.sub(r"<[^>]+>", "", next(qv for qv in again.questions if qv.q.id == "reduction").feedback.value)
    assert restored.count("Solution") == 1 and restored.startswith("Solution: 36.4 %"), restored


@pytest.mark.parametrize("key, tolerance, shown", [
    (36.43, {"sig_figs": 3}, "36.4"), (36.43, {"abs": 0.5}, "36"), (36.43, None, "36.43"),
    (0.001234, {"sig_figs": 2}, "0.0012"), (137438953472, None, "137438953472"), (2.0, {"sig_figs": 3}, "2")])
def test_a_numeric_solution_shows_the_figures_its_tolerance_tells_apart(key, tolerance, shown):
    from dlmagics.quiz.document import read_question
    from dlmagics.quiz.reading import Reader

    raw = {"id": "n", "type": "numeric", "prompt": "?", "answer": key, **({"tolerance": tolerance} if tolerance else {})}
    assert read_question(Reader("t.yaml"), raw, 0).solution_text() == shown


def test_the_static_copy_a_saved_notebook_keeps_follows_every_grading(quiz_shell):
    """Issue 35 item 5: the copy below the widget showed the score from when the cell ran. It is
    a display with an id (in its metadata too, where the extension finds it) that each Check
    updates; the widget's output also carries our view type, which the extension draws as
    nothing once the widget's model is gone, instead of ipywidgets' "model not found"."""
    from IPython.core.displaypub import CapturingDisplayPublisher

    from dlmagics import theme

    publisher = CapturingDisplayPublisher()
    old, quiz_shell.display_pub = quiz_shell.display_pub, publisher
    try:
        view = show(quiz_shell, "why-now")
        widget, copy = publisher.outputs
        display_id = copy["transient"]["display_id"]
        assert copy["metadata"] == {theme.COPY_KEY: display_id} and not copy["update"]
        assert widget["data"][theme.WIDGET_VIEW] == widget["data"]["application/vnd.jupyter.widget-view+json"]
        assert widget["data"][theme.WIDGET_VIEW]["model_id"] == view.widget.model_id
        assert copy["data"]["text/plain"].splitlines()[0].endswith("0 of 8 answered, score 0%")
        first = next(qv for qv in view.questions if qv.q.type == "single")
        wrong = next(i for i, o in enumerate(first.q.options) if not o.correct)
        right = next(i for i, o in enumerate(first.q.options) if o.correct)
        firsts = []
        for option in (wrong, right):
            choose(first, option)
            first.check.click()
            update = publisher.outputs[-1]
            assert update["update"] and update["transient"] == {"display_id": display_id}
            assert update["metadata"] == {theme.COPY_KEY: display_id}
            firsts.append(update["data"]["text/plain"].splitlines()[0])
        assert firsts[0].endswith("1 of 8 answered, score 0%") and firsts[1].endswith("1 of 8 answered, score 12%")
        assert "score 12%" in update["data"]["text/html"]
    finally:
        quiz_shell.display_pub = old


def test_a_csv_export_keeps_a_learners_formula_as_text_and_survives_a_bad_time():
    """A learner's answer '=HYPERLINK(...)' must not run as a formula in the teacher's
    spreadsheet; a hand-edited store's time does not abort the export."""
    from dlmagics.quiz import report

    assert report._inert('=HYPERLINK("http://x","y")') == '\'=HYPERLINK("http://x","y")'
    assert report._inert("+1") == "'+1" and report._inert("@SUM(A1)") == "'@SUM(A1)"
    assert report._inert("ReLU") == "ReLU" and report._inert(-3.5) == -3.5 and report._inert(None) is None
    assert report.iso_time(float("nan")) is None and report.iso_time(1e20) is None
    assert report.iso_time(0) == "1970-01-01T00:00:00+00:00"


def test_a_quiz_answered_before_sends_its_answer_sheet_when_shown(comms, shell, no_driver, tmp_path, monkeypatch):
    """A built-in quiz the learner answered in the course's own notebook, then assigned in a
    converted one: the quiz shows those answers and %dlquiz --score counts them, so they go to
    the answer cell when the quiz shows. Else an exam handed in before (nothing left to submit)
    or a quiz mastered before (Check records nothing) leaves the answer cell empty: graded 0."""
    from dlmagics.quiz.sheet import graded_answer, read_answer_cell

    monkeypatch.setenv("DLMAGICS_QUIZ_STORE", str(tmp_path / "progress.jsonl"))
    shell.run_line_magic("load_ext", "dlmagics")
    c = next(made for made in comms if made.target_name == "dlmagics")
    show(shell, str(SAMPLE), "exam")
    assert not [m for m in c.sent if m["type"] == "quiz_answers"]  # never answered: no sheet to send
    earlier = show(shell, str(SAMPLE), "exam")
    choose(earlier.questions[0], 1)
    earlier.submit.click()
    before = len(c.sent)
    again = show(shell, str(SAMPLE), "exam")  # the assignment's quiz cell, in another notebook
    assert again.tutor.exam_over
    sheets = [m for m in c.sent[before:] if m["type"] == "quiz_answers"]
    assert len(sheets) == 1 and sheets[0]["cell_id"] == "cell-1"
    written = read_answer_cell(sheets[0]["source"].split("\n", 1)[1])
    assert {q: graded_answer(again.tutor.quiz.question(q), a) for q, a in written.items()} == again.tutor.progress.answers()
    assert written["pick-one"] == again.tutor.quiz.question("pick-one").options[1].text


def test_under_nbgraders_autograde_a_quiz_shows_none_of_the_graders_own_progress(quiz_shell, monkeypatch):
    """autograde runs each student's notebook in the teacher's account, where the progress file
    is the teacher's: the quiz in every autograded notebook showed the teacher's score. The
    student's answers are those of the answer cell, graded by the test cells."""
    from dlmagics.quiz.store import ProgressStore
    from dlmagics.quiz.tutor import Tutor

    quiz = catalog.bank()["why-now"]
    mine = Tutor(quiz, ProgressStore())  # the teacher tried the quiz
    mine.answer("points-vs-percent", 0)
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    view = show(quiz_shell, "why-now")
    assert view.tutor.summary()["answered"] == 0
    assert len(ProgressStore().records("why-now")) == 1  # the teacher's file as it was
