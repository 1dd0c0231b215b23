"""The answer cell of a converted notebook (dlmagics/quiz/sheet.py): what the kernel writes is
what autograde reads back, and anything else in the cell is read as data or refused in one line."""

from __future__ import annotations

import pytest

from dlmagics.quiz.sheet import SheetError, answer_cell_source, read, read_answer_cell

ANSWERS = {"year": 2012, "pick": [0, 2], "words": 'a "quoted"\nline #not a comment', "blank": None}


def body(source: str) -> str:
    return source.split("\n", 1)[1]


def test_what_the_kernel_writes_reads_back_the_same():
    source = answer_cell_source("why-now", ANSWERS)
    assert source.splitlines()[0] == "%%dlquiz_answers why-now"
    assert source.splitlines()[1].startswith("# ")
    assert read_answer_cell(body(source)) == ANSWERS
    assert list(read_answer_cell(body(source))) == list(ANSWERS)  # the quiz's order is kept
    assert read_answer_cell(body(answer_cell_source("why-now", {}))) == {}


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
    answers = {"design": f"split by patient{separator}no flips", "year": 2012}
    source = answer_cell_source("why-now", answers)
    assert separator not in source  # written escaped: one answer, one line
    assert read_answer_cell(body(source)) == answers
    assert read_answer_cell('{"design": "a' + separator + 'b"}') == {"design": "a" + separator + "b"}  # typed raw
