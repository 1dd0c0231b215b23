"""A notebook's ``%dlquiz ID`` cells made into an nbgrader source notebook (metadata schema 3).

For each quiz cell, in place:
- the quiz cell, locked (the student answers in it; they cannot change which quiz it is);
- per code question, the learner's cell that defines its function or variable (a solution
  cell, before the tests: autograde runs the cells in order, and a definition below the tests
  would come too late);
- the answer cell (quiz/sheet.py), which the sidebar rewrites on every answer; its answers sit
  in a solution region, so nbgrader's release leaves the magic line and empties the answers;
- one locked, graded test cell per scored question, worth the question's points; its last
  line is ``points(...)``, which nbgrader takes as partial credit;
- one locked task cell per design question, graded by hand: its rubric is the mark scheme
  formgrader shows (nbgrader strips it from the release).
Where the key is kept is said in dlmagics/nbgrader/__init__.py.
"""

from __future__ import annotations

import argparse
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from ..quiz.sheet import answer_cell_source

SCHEMA = 3


class NothingToConvert(ValueError):
    """A notebook with no quiz cell; the message says so in one line."""


@dataclass
class Converted:
    quizzes: list[str] = field(default_factory=list)  # "why-now: 7 graded, 1 by hand"
    files: list[str] = field(default_factory=list)  # the quiz files the notebook shows (their keys go out with them)
    already: bool = False  # the notebook was converted before: nothing was changed


class _Quiet(argparse.ArgumentParser):
    def error(self, message):  # a line %dlquiz itself refuses is no quiz: raised, never printed here
        raise ValueError(message)


def quiz_names(source: str) -> list[str]:
    """The quizzes a cell shows (``%dlquiz ID`` or ``%dlquiz PATH``, with options or not), in order."""
    from ..quiz.wing import DLQUIZ

    parser = _Quiet(add_help=False, exit_on_error=False)
    for one in DLQUIZ.args:
        parser.add_argument(*one.flags, **one.options)
    names = []
    for line in source.splitlines():
        words = line.strip().split(None, 1)
        if not words or words[0] != "%dlquiz":
            continue
        try:
            args = parser.parse_args(shlex.split(words[1] if len(words) > 1 else ""))
        except (argparse.ArgumentError, ValueError):
            continue
        if args.name and not (args.reset or args.score or args.export or args.gradebook):
            names.append(args.name)
    return names


def convert(notebook, folder: Path) -> Converted:
    """Convert ``notebook`` (an nbformat NotebookNode) in place; quiz files are found from
    ``folder`` (the notebook's). NothingToConvert when it shows no quiz."""
    from ..quiz import catalog

    if any(cell.get("metadata", {}).get("dlmagics", {}).get("answers_for") for cell in notebook.cells):
        return Converted(already=True)
    cells, done = [], Converted()
    seen: set[str] = set()
    for cell in notebook.cells:
        cells.append(cell)
        locked = False
        for name in quiz_names(cell.source) if cell.cell_type == "code" else ():
            quiz, quiz_file = _find(name, folder, catalog)
            if quiz.id in seen:  # a quiz shown twice is graded once (grade ids must be unique)
                continue
            seen.add(quiz.id)
            if quiz_file is not None:
                done.files.append(name)  # as the cell names it: the students' copy goes there
            if not locked:  # (a cell showing two quizzes is one locked cell, named by the first)
                cell.metadata["nbgrader"], locked = _meta(f"quiz-{quiz.id}", locked=True), True
            cells.extend(_cells_for(quiz, quiz_file))
            by_hand = len(quiz.questions) - len(quiz.scored_questions)
            done.quizzes.append(f"{quiz.id}: {len(quiz.scored_questions)} graded" + (f", {by_hand} by hand" if by_hand else ""))
    if not done.quizzes:
        raise NothingToConvert("no %dlquiz ID cell in this notebook: nothing to grade (a quiz cell is "
                               "`%dlquiz why-now` or `%dlquiz my_quiz.yaml`)")
    notebook.cells = cells
    if notebook.nbformat_minor < 5:  # the new cells have ids, which nbformat 4.5 brought in
        from nbformat.v4 import upgrade

        upgrade(notebook, from_version=4, from_minor=notebook.nbformat_minor)
    return done


def _find(name: str, folder: Path, catalog):
    """The quiz, and for a quiz file {"name", "text"} (its key travels in hidden tests)."""
    if not (Path(name).suffix or "/" in name or "\\" in name):
        return catalog.find(name), None  # a built-in quiz, or QuizNotFound naming the near ones
    path = Path(name) if Path(name).is_absolute() else folder / name
    quiz = catalog.find(str(path))  # QuizFormatError / QuizNotFound say what is wrong
    return quiz, {"name": path.name, "text": path.read_text(encoding="utf-8")}


def _cells_for(quiz, quiz_file: dict | None) -> list:
    from nbformat.v4 import new_code_cell, new_markdown_cell

    answers = answer_cell_source(quiz, {}).rsplit("\n", 1)[0]  # the magic and comment lines
    cells = [new_code_cell(_code_source(question), metadata={  # above the tests, which run in order
        "nbgrader": _meta(f"code-{quiz.id}-{question.id}", solution=True)})
        for question in quiz.scored_questions if question.type == "code"]
    cells += [new_code_cell(f"{answers}\n### BEGIN SOLUTION\n{{}}\n### END SOLUTION", metadata={
        "nbgrader": _meta(f"answers-{quiz.id}", solution=True), "dlmagics": {"answers_for": quiz.id}})]
    for question in quiz.questions:
        if question.scored:
            cells.append(new_code_cell(_test_source(quiz.id, question.id, quiz_file), metadata={
                "nbgrader": _meta(f"test-{quiz.id}-{question.id}", grade=True, locked=True, points=question.points)}))
        else:
            cells.append(new_markdown_cell(_task_source(question), metadata={
                "nbgrader": _meta(f"task-{quiz.id}-{question.id}", task=True, locked=True, points=question.points)}))
    return cells


def _test_source(quiz_id: str, question_id: str, quiz_file: dict | None) -> str:
    call = f'points("{quiz_id}", "{question_id}"'  # ids are letters, digits, - and _ (quiz/reading.py)
    if quiz_file is None:
        return f"from dlmagics.nbgrader import points\n{call})"
    return (f"from dlmagics.nbgrader import points\n### BEGIN HIDDEN TESTS\n"
            f"{call}, quiz_file={quiz_file!r})\n### END HIDDEN TESTS")


def _code_source(question) -> str:
    """The learner's cell for a code question: a code question grades what the notebook defines
    when its test cell runs, and autograde runs the cells top to bottom."""
    what = "function" if question.kind == "function" else "variable"
    return (f"# The quiz's question {question.id}: define the {what} {question.name} in this cell, run it, then "
            f"press Check in the quiz (it is graded from here, above the tests).\n### BEGIN SOLUTION\n"
            f"{question.starter or ''}\n### END SOLUTION")


def _task_source(question) -> str:
    from ..quiz.kinds.design import rubric_text

    return (f"**Design question `{question.id}`** ({question.points:g} points, graded by hand): the answer is "
            f"`\"{question.id}\"` in the answer cell above.\n\n=== BEGIN MARK SCHEME ===\n\n"
            f"{rubric_text(question)}\n\n=== END MARK SCHEME ===")


def _meta(grade_id: str, grade: bool = False, solution: bool = False, locked: bool = False, task: bool = False,
          points: float | None = None) -> dict:
    meta = {"grade": grade, "solution": solution, "locked": locked, "grade_id": grade_id, "schema_version": SCHEMA}
    if task:
        meta["task"] = True
    if points is not None:
        meta["points"] = points
    return meta
