"""The answer sheet of a graded quiz: the text of a converted notebook's answer cell.

A notebook converted for nbgrader (``python -m dlmagics.nbgrader``) has, after each locked
``%dlquiz ID`` cell, an answer cell the sidebar rewrites on every recorded answer, so the
answers are in the saved file and autograde's fresh kernel reads them back::

    %%dlquiz_answers ID
    # Your answers, written by the quiz above when you press Check.
    {"question id": answer, ...}

The body is data (one JSON object: question id -> the latest answer), never code: it is read
with ``json``, so nothing a student types there runs. A choice is written as its option's text,
not its index: an index says nothing a student could not type without reading the question (and
in a file the right option is often the first), a text is the answer itself. Composing (the
kernel) and reading (``%%dlquiz_answers``, autograde) are both here.
"""

from __future__ import annotations

import json

MAGIC = "dlquiz_answers"
COMMENT = "# Your answers, written by the quiz above when you press Check. Graded as they stand here."
# nbgrader's release puts its code stub where the converted notebook's (empty) answers were:
# an answer cell not yet written by the quiz holds these lines, and that is no answers.
RELEASE_STUB = "raise NotImplementedError()"
ALLOWED = 'one JSON object after the "#" lines: {"question id": answer, ...}'


class SheetError(ValueError):
    """An answer cell whose body cannot be read; the message says what is allowed."""


def answer_cell_source(quiz, answers: dict) -> str:
    """The whole answer cell of ``quiz``: the magic line, one comment line, then the answers
    (question id -> the answer as the progress store keeps it, in the order given) as one JSON
    object, one question a line, each choice as its option's text."""
    from .report import answer_text

    lines = [f" {_json(str(qid))}: {_json(answer_text(quiz.question(qid), answer))}"
             for qid, answer in answers.items()]
    body = "{\n" + ",\n".join(lines) + "\n}" if lines else "{}"
    return f"%%{MAGIC} {quiz.id}\n{COMMENT}\n{body}"


def graded_answer(question, written):
    """What the answer cell holds for ``question``, as grading takes it: an option's text back to
    its index (``from_text`` of its kind); a choice written any other way (a bare index) is no
    answer (None)."""
    from .kinds import KINDS

    back = getattr(KINDS[question.type], "from_text", None)
    return back(question, written) if back is not None else written


def read_answer_cell(body: str) -> dict:
    """The answers of an answer cell's body (the text after its magic line): see ``read``."""
    return read(body)[0]


def read(body: str) -> tuple[dict, str]:
    """The answers of an answer cell's body, and a note ("" or one line on what was left out).
    Lines starting with "#" are comments; an empty body (or the
    stub nbgrader's release leaves) is no answers. Text after the JSON object is left out (the answers before it still count);
    SheetError when there is no JSON object to read."""
    # split at "\n" only: splitlines() also splits at U+2028, U+2029 and U+0085, which a text
    # answer may hold inside a JSON string
    lines = [line for line in (body or "").split("\n") if not line.lstrip().startswith("#")]
    text = "\n".join(lines).strip()
    if not text or text == RELEASE_STUB:
        return {}, ""
    try:
        answers, end = json.JSONDecoder().raw_decode(text)
    except json.JSONDecodeError as error:
        raise SheetError(f"the answers could not be read ({error.msg}, line {error.lineno}); "
                         f"the cell holds {ALLOWED}") from None
    except RecursionError:  # brackets nested thousands deep: no quiz writes that
        raise SheetError(f"the answers are nested too deep to read; the cell holds {ALLOWED}") from None
    if not isinstance(answers, dict):
        raise SheetError(f"the answers are a {type(answers).__name__}; the cell holds {ALLOWED}")
    rest = text[end:].strip()
    note = f"left out what follows the answers ({_first_line(rest)})" if rest else ""
    return answers, note


UNICODE_LINE_BREAKS = {"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"}  # json leaves them raw


def _json(value) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    for raw, escaped in UNICODE_LINE_BREAKS.items():  # each answer stays on one line, in any editor
        text = text.replace(raw, escaped)
    return text


def _first_line(text: str, width: int = 40) -> str:
    line = text.splitlines()[0]
    return line if len(line) <= width else line[: width - 1] + "…"
