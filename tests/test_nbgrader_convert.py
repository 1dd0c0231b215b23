"""The converter (python -m dlmagics.nbgrader), %%dlquiz_answers and points() without the
nbgrader CLI: which cells a quiz becomes, what the answer cell reads, what points() grades."""

from __future__ import annotations

import importlib.util
import json

import nbformat
import pytest

from dlmagics.nbgrader import points
from dlmagics.nbgrader.__main__ import main
from dlmagics.nbgrader.convert import NothingToConvert, convert, quiz_names
from dlmagics.quiz import catalog


def notebook(*sources: str):
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])


@pytest.mark.parametrize("source, name", [("%dlquiz why-now", "why-now"), ("x = 1\n%dlquiz gpus --mode exam", "gpus"),
                                          ("%dlquiz 'my quiz.yaml'", "my quiz.yaml"), ("%dlquiz --score", None),
                                          ("%dlquiz --reset why-now", None), ("%dlquiz", None), ("# %dlquiz why-now", None)])
def test_the_quiz_a_cell_shows(source, name):
    assert quiz_names(source) == ([name] if name else [])


def test_a_quiz_becomes_locked_quiz_answer_cell_graded_tests_and_hand_graded_designs(tmp_path):
    nb = notebook("%load_ext dlmagics", "%dlquiz imagenet", "print('after')")
    done = convert(nb, tmp_path)
    quiz = catalog.bank()["imagenet"]
    assert done.quizzes == ["imagenet: 8 graded, 1 by hand"]
    meta = [c.metadata.get("nbgrader") for c in nb.cells]
    assert meta[0] is None and nb.cells[-1].source == "print('after')"  # other cells stay as they were
    assert meta[1] == {"grade": False, "solution": False, "locked": True, "grade_id": "quiz-imagenet", "schema_version": 3}
    answers = nb.cells[2]
    assert answers.metadata["dlmagics"] == {"answers_for": "imagenet"} and meta[2]["solution"] and not meta[2]["grade"]
    assert answers.source.startswith("%%dlquiz_answers imagenet\n#") and "### BEGIN SOLUTION" in answers.source
    tests = [(m["grade_id"], m["points"]) for m in meta[3:-1] if m.get("grade")]
    assert tests == [(f"test-imagenet-{q.id}", q.points) for q in quiz.scored_questions]
    design = nb.cells[3 + len(tests)]
    assert design.cell_type == "markdown" and design.metadata["nbgrader"]["task"] is True
    assert "BEGIN MARK SCHEME" in design.source and "Split by patient" in design.source
    assert convert(nb, tmp_path).already  # converting twice changes nothing


def test_a_quiz_files_key_is_in_hidden_tests_and_grades_there(tmp_path, shell):
    (tmp_path / "mine.yaml").write_text("id: mine\ntitle: Mine\nquestions:\n  - {id: n, type: numeric, prompt: N?, "
                                        "answer: 7, points: 3}\n")
    nb = notebook("%dlquiz mine.yaml")
    convert(nb, tmp_path)
    test = nb.cells[2].source
    assert test.splitlines()[1] == "### BEGIN HIDDEN TESTS" and test.endswith("### END HIDDEN TESTS")
    shell.run_line_magic("load_ext", "dlmagics")
    shell.run_cell_magic("dlquiz_answers", "mine", '{"n": "7"}')
    shell.ex(test.splitlines()[0])  # the import
    assert shell.ev(test.splitlines()[2]) == 3.0  # the hidden line: the key travels in it, not in the file
    with pytest.raises(LookupError):
        points("mine", "n")  # without it, a quiz file's key is nowhere


def test_the_answer_cell_is_data_and_points_grades_it_with_the_key(shell, capsys):
    shell.run_line_magic("load_ext", "dlmagics")
    shell.run_cell_magic("dlquiz_answers", "why-now",
                         '# a comment\n{"backprop-year": "1986", "points-vs-percent": 1, "score": 1, '
                         '"pixels": {"answer": 150528, "score": 1}}\nprint("correct")')
    said = capsys.readouterr().out
    assert said.splitlines() == [said.strip()] and "3 answers to why-now read" in said
    assert "'score'" in said and 'print("correct")' in said and "correct\n" not in said.replace('"correct")', "")
    assert points("why-now", "backprop-year") == 1.0
    assert points("why-now", "points-vs-percent") == 0.0  # a wrong answer
    assert points("why-now", "pixels") == 0.0  # an answer that is no answer scores nothing
    assert points("why-now", "three-forces") == 0.0  # unanswered
    assert type(points("why-now", "backprop-year")) is float  # nbgrader reads the printed number


def test_an_unreadable_answer_cell_is_one_line_and_no_answers(shell, capsys):
    shell.run_line_magic("load_ext", "dlmagics")
    shell.run_cell_magic("dlquiz_answers", "why-now", '{"backprop-year": "1986"}')
    result = shell.run_cell('%%dlquiz_answers why-now\nprint("correct")')
    assert result.success  # a run of the whole notebook goes on
    said = capsys.readouterr().out.splitlines()[-1]
    assert said.startswith("%dlquiz: no answers to why-now read:") and "one JSON object" in said
    assert points("why-now", "backprop-year") == 0.0  # the cell is the whole truth


def test_the_release_stub_is_no_answers(shell, capsys):
    shell.run_line_magic("load_ext", "dlmagics")
    shell.run_cell_magic("dlquiz_answers", "why-now", "# Your answers\n# YOUR CODE HERE\nraise NotImplementedError()")
    assert "0 answers to why-now read (answer the quiz above: this cell fills in as you do)" in capsys.readouterr().out


@pytest.mark.skipif(importlib.util.find_spec("nbgrader") is None, reason="nbgrader is in the test extra")
def test_the_command_line_says_in_one_line_what_it_did_or_what_is_wrong(tmp_path, capsys):
    plain = tmp_path / "plain.ipynb"
    nbformat.write(notebook("print(1)"), plain)
    assert main([str(plain)]) == 1
    assert capsys.readouterr().err.strip().endswith("no %dlquiz ID cell in this notebook: nothing to grade "
                                                    "(a quiz cell is `%dlquiz why-now` or `%dlquiz my_quiz.yaml`)")
    quiz = tmp_path / "quiz.ipynb"
    nbformat.write(notebook("%dlquiz why-now"), quiz)
    assert main([str(quiz)]) == 0 and (tmp_path / "quiz_graded.ipynb").exists()
    assert main([str(tmp_path / "quiz_graded.ipynb")]) == 0
    assert capsys.readouterr().out.splitlines()[-1].endswith("already converted for nbgrader (it has answer cells); "
                                                              "nothing changed")
    nbformat.write(notebook("%dlquiz nowhere.yaml"), quiz)
    assert main([str(quiz)]) == 1 and "nowhere.yaml" in capsys.readouterr().err


def test_without_nbgrader_the_command_line_says_how_to_install_it(tmp_path, capsys, monkeypatch):
    quiz = tmp_path / "quiz.ipynb"
    nbformat.write(notebook("%dlquiz why-now"), quiz)
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "nbgrader" else real(name, *a))
    assert main([str(quiz)]) == 1
    assert capsys.readouterr().err == "dlmagics.nbgrader: nbgrader is not installed; install it with pip install 'dlmagics[teach]'\n"
    assert not (tmp_path / "quiz_graded.ipynb").exists()


def test_no_quiz_is_nothing_to_convert(tmp_path):
    with pytest.raises(NothingToConvert):
        convert(notebook("%dlquiz --score"), tmp_path)


@pytest.mark.parametrize("typed", [{"answer": 0, "score": 1}, ["x"], [[0]], 10**400, True, [True], -1, "zz", [], None,
                                   [0.5], "x" * 10_000])
def test_whatever_is_typed_as_an_answer_scores_nothing_and_raises_nothing(shell, typed):
    shell.run_line_magic("load_ext", "dlmagics")
    for quiz_id in ("why-now", "dbn"):  # numeric, single, multiple and text questions
        answers = {q.id: typed for q in catalog.bank()[quiz_id].scored_questions if q.type != "code"}
        shell.run_cell_magic("dlquiz_answers", quiz_id, json.dumps(answers))
        assert {qid: points(quiz_id, qid) for qid in answers} == dict.fromkeys(answers, 0.0)


def test_the_first_option_typed_everywhere_scores_nothing(shell):
    """In the file the right option is often the first (32 of the bank's 34 single choices): the
    answer cell names an option by its text, so a bare index (0, [0]) is no answer, and the
    option's own text is graded as the quiz grades it."""
    shell.run_line_magic("load_ext", "dlmagics")
    quiz = catalog.bank()["why-now"]
    choices = [q for q in quiz.scored_questions if q.type in ("single", "multiple")]
    guesses = {q.id: (0 if q.type == "single" else [0]) for q in choices}
    shell.run_cell_magic("dlquiz_answers", "why-now", json.dumps(guesses))
    assert {qid: points("why-now", qid) for qid in guesses} == dict.fromkeys(guesses, 0.0)
    right = {q.id: next(o.text for o in q.options if o.correct) for q in choices if q.type == "single"}
    shell.run_cell_magic("dlquiz_answers", "why-now", json.dumps(right))
    assert {qid: points("why-now", qid) for qid in right} == {qid: float(quiz.question(qid).points) for qid in right}


def test_two_quizzes_in_one_cell_are_both_graded(tmp_path):
    nb = notebook("%dlquiz why-now\n%dlquiz gpus --mode exam")
    done = convert(nb, tmp_path)
    assert [line.split(":")[0] for line in done.quizzes] == ["why-now", "gpus"]
    assert nb.cells[0].metadata["nbgrader"]["grade_id"] == "quiz-why-now" and nb.cells[0].metadata["nbgrader"]["locked"]
    assert [c.metadata["dlmagics"]["answers_for"] for c in nb.cells if "dlmagics" in c.metadata] == ["why-now", "gpus"]


def test_a_notebook_without_cell_ids_stays_valid(tmp_path):
    """nbformat 4.4 has no cell ids; the cells the converter adds have them (nbformat 4.5's)."""
    nb = nbformat.from_dict({"nbformat": 4, "nbformat_minor": 4, "metadata": {}, "cells": [
        {"cell_type": "code", "metadata": {}, "source": "%dlquiz why-now", "outputs": [], "execution_count": None}]})
    convert(nb, tmp_path)
    nbformat.validate(nb)


def test_a_quiz_file_in_a_folder_is_named_as_the_cell_names_it(tmp_path):
    (tmp_path / "quizzes").mkdir()
    (tmp_path / "quizzes" / "mine.yaml").write_text("id: mine\ntitle: Mine\nquestions:\n  - {id: n, type: numeric, "
                                                    "prompt: N?, answer: 7}\n")
    assert convert(notebook("%dlquiz quizzes/mine.yaml"), tmp_path).files == ["quizzes/mine.yaml"]


def test_a_quiz_line_the_converter_cannot_read_prints_no_usage_of_its_own(tmp_path, capsys):
    assert quiz_names("%dlquiz why-now  # the first quiz") == []  # (%dlquiz itself refuses it too)
    assert quiz_names("%dlquiz -h") == []
    assert capsys.readouterr().err == ""


def test_a_code_question_has_its_own_cell_above_the_tests_and_is_graded_from_it(tmp_path, shell, monkeypatch):
    """A code question grades the learner's definition when its test cell runs, and autograde
    runs the cells top to bottom: the converted notebook gives the definition a cell above the
    tests (a definition in a cell of the learner's at the end of the notebook scored 0)."""
    monkeypatch.setenv("DLMAGICS_QUIZ_STORE", str(tmp_path / "progress.jsonl"))
    nb = notebook("%load_ext dlmagics", "%dlquiz dbn", "print('the rest of the assignment')")
    convert(nb, tmp_path)
    definition = "def rbm_params(v, h):\n    return v * h + v + h"
    ids = [c.metadata.get("nbgrader", {}).get("grade_id", "") for c in nb.cells]
    place = ids.index("code-dbn-rbm-params")
    assert ids[place - 1] == "quiz-dbn" and ids[place + 1] == "answers-dbn" and nb.cells[place].metadata["nbgrader"]["solution"]
    assert "define the function rbm_params in this cell" in nb.cells[place].source
    nb.cells[place].source = definition  # the student's answer, where the notebook asks for it
    nb.cells[place + 1].source = f'%%dlquiz_answers dbn\n{{"rbm-params": {json.dumps(definition)}}}'
    scored = {}
    for cell in nb.cells:  # as nbgrader's autograde runs them
        if cell.cell_type == "code":
            result = shell.run_cell(cell.source)
            if cell.metadata.get("nbgrader", {}).get("grade"):
                scored[cell.metadata["nbgrader"]["grade_id"]] = result.result
    assert scored["test-dbn-rbm-params"] == catalog.bank()["dbn"].question("rbm-params").points


@pytest.mark.skipif(importlib.util.find_spec("nbgrader") is None, reason="nbgrader is in the test extra")
def test_the_output_may_be_the_assignments_folder_and_a_path_that_cannot_be_written_is_one_line(tmp_path, capsys):
    quiz = tmp_path / "quiz.ipynb"
    nbformat.write(notebook("%dlquiz why-now"), quiz)
    week1 = tmp_path / "course" / "source" / "week1"
    week1.mkdir(parents=True)
    assert main([str(quiz), "-o", str(week1)]) == 0  # as its help says: put it in source/ASSIGNMENT/
    assert convert(nbformat.read(week1 / "quiz.ipynb", as_version=4), tmp_path).already
    (tmp_path / "a file").write_text("")
    assert main([str(quiz), "-o", str(tmp_path / "a file" / "quiz.ipynb")]) == 1
    said = capsys.readouterr().err
    assert said.startswith("dlmagics.nbgrader: ") and said.count("\n") == 1 and "cannot write" in said


@pytest.mark.skipif(importlib.util.find_spec("nbgrader") is None, reason="nbgrader is in the test extra")
@pytest.mark.parametrize("text", ['[{"question": "a jupyterquiz file"}]', '{"a": 1}', "not json",
                                  '{"nbformat": 4, "nbformat_minor": 5, "cells": [{"cell_type": "code"}]}'])
def test_a_file_that_is_not_a_notebook_is_one_line(tmp_path, capsys, text):
    given = tmp_path / "given.ipynb"
    given.write_text(text)
    assert main([str(given)]) == 1
    said = capsys.readouterr().err
    assert said.startswith(f"dlmagics.nbgrader: {given}: cannot be read as a notebook") and said.count("\n") == 1


def test_what_a_learners_function_writes_to_stderr_while_graded_costs_no_points(shell, capsys):
    """nbgrader gives 0 to a test cell that writes anything to stderr (its rule for an error):
    a right function that prints a debug line there or warns kept none of its points."""
    shell.run_line_magic("load_ext", "dlmagics")
    shell.run_cell("import sys, warnings\ndef rbm_params(v, h):\n    print('checking', v, h, file=sys.stderr)\n"
                   "    warnings.warn('a note of the learner')\n    return v * h + v + h")
    shell.run_cell_magic("dlquiz_answers", "dbn", '{"rbm-params": "def rbm_params(v, h): ..."}')
    capsys.readouterr()
    assert points("dbn", "rbm-params") == catalog.bank()["dbn"].question("rbm-params").points
    assert capsys.readouterr().err == ""
