"""The answer cell of a converted notebook (dlmagics/quiz/sheet.py): what the kernel writes is
what autograde reads back, and anything else in the cell is read as data or refused in one line."""

from __future__ import annotations

import pytest

from dlmagics.quiz import catalog
from dlmagics.quiz.sheet import SheetError, answer_cell_source, graded_answer, read, read_answer_cell

WHY_NOW = catalog.bank()["why-now"]
# as the progress store keeps them: a choice by its option's index
ANSWERS = {"backprop-year": 2012, "three-forces": [0, 2], "alexnet-gpus": 'a "quoted"\nline #not a comment',
           "pixels": None}


def body(source: str) -> str:
    return source.split("\n", 1)[1]


def test_what_the_kernel_writes_reads_back_the_same():
    source = answer_cell_source(WHY_NOW, ANSWERS)
    assert source.splitlines()[0] == "%%dlquiz_answers why-now"
    assert source.splitlines()[1].startswith("# ")
    written = read_answer_cell(body(source))
    options = [o.text for o in WHY_NOW.question("three-forces").options]
    assert written == {**ANSWERS, "three-forces": [options[0], options[2]]}  # a choice as its options' text
    assert {q: graded_answer(WHY_NOW.question(q), a) for q, a in written.items()} == ANSWERS
    assert list(written) == list(ANSWERS)  # the quiz's order is kept
    assert read_answer_cell(body(answer_cell_source(WHY_NOW, {}))) == {}


def test_a_choice_written_as_a_bare_index_or_an_unknown_text_is_no_answer():
    """The file's order is no secret (the right option is often the first): typing 0 everywhere
    must score nothing; only an option's own text is an answer."""
    single, multiple = WHY_NOW.question("points-vs-percent"), WHY_NOW.question("three-forces")
    assert graded_answer(single, 0) is None and graded_answer(single, "0") is None and graded_answer(single, True) is None
    assert graded_answer(single, "It fell by 5%") == 1
    assert graded_answer(single, "  It fell by 5%  ") == 1  # spaces around, as an editor may leave
    assert graded_answer(multiple, [0, 1]) is None and graded_answer(multiple, "Large labelled datasets such as ImageNet") is None
    assert graded_answer(multiple, ["Large labelled datasets such as ImageNet", "no such option"]) is None
    assert graded_answer(multiple, []) == []


def test_an_empty_cell_is_no_answers_and_comments_are_skipped():
    assert read_answer_cell("") == {}
    assert read_answer_cell("# only a comment\n   # another\n") == {}
    assert read_answer_cell('# c\n{"a": 1}\n# after') == {"a": 1}


def test_code_after_the_answers_is_left_out_and_said():
    answers, note = read('{"a": 1}\nprint("correct")')
    assert answers == {"a": 1}
    assert 'print("correct")' in note


@pytest.mark.parametrize("text, said", [('print("correct")', "could not be read"), ("[1, 2]", "a list"),
                                        ('"score"', "a str"), ("{'a': 1}", "could not be read"),
                                        ("[" * 100_000, "nested too deep")])
def test_a_body_that_is_not_one_json_object_is_one_line_that_says_what_is_allowed(text, said):
    with pytest.raises(SheetError) as error:
        read_answer_cell(text)
    assert said in str(error.value) and "one JSON object" in str(error.value)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
def test_an_answer_with_a_unicode_line_separator_reads_back(separator):
    """Text pasted from a PDF or a word processor can hold U+2028 (or U+2029, U+0085): json
    leaves them as they are, and Python's splitlines() splits a line there, so the whole cell
    could not be read and every answer of the quiz scored 0."""
    answers = {"alexnet-gpus": f"split by patient{separator}no flips", "backprop-year": 2012}
    source = answer_cell_source(WHY_NOW, answers)
    assert separator not in source  # written escaped: one answer, one line
    assert read_answer_cell(body(source)) == answers
    assert read_answer_cell('{"design": "a' + separator + 'b"}') == {"design": "a" + separator + "b"}  # typed raw
