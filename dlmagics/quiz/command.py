"""%dlquiz from parsed options to what it shows: a quiz, the list, --score, --export or
--reset. Each bad option is a ``QuizUsageError`` whose one line says what is allowed."""

from __future__ import annotations

from ..options import OptionError
from . import catalog, report
from .model import MODES, QuizFormatError


class QuizUsageError(OptionError):
    pass


def dlquiz(args, desk, namespace: dict, cell_id: str | None):
    """The whole magic, for the kernel's QuizDesk; returns what the cell shows (or None)."""
    if args.gradebook is not None:
        return _class_view(args)
    if sum(map(bool, (args.name, args.reset, args.score, args.export))) > 1:
        raise QuizUsageError("give one of ID, --reset, --score or --export")
    if args.mode is not None and args.mode not in MODES:
        raise QuizUsageError(f"--mode {args.mode}: use {', '.join(MODES)}")
    if args.mode is not None and not args.name:
        raise QuizUsageError(f"--mode {args.mode} goes with a quiz: %dlquiz ID --mode {args.mode}")
    try:
        if args.reset:
            quiz = _find(args.reset, desk)
            desk.reset(quiz)
            print(f"%dlquiz: {quiz.id} starts afresh (the earlier answers stay in {desk.store.path}).")
            return None
        everything = {**catalog.bank(), **desk.quizzes}
        if args.export:
            return _export(*args.export, everything, desk)
        if args.score or not args.name:
            return report.ScoreTable(report.progress_of(everything, desk.store))
        desk.show_quiz(_find(args.name, desk), args.mode or "practice", namespace, cell_id)
    except OSError as error:  # the progress file cannot be read or written
        raise QuizUsageError(str(error)) from None
    return None


def _class_view(args):
    """--class GRADEBOOK.db: the class's results from nbgrader's gradebook; with --export csv PATH, written."""
    from .classview import ClassView, ClassViewError, read

    if args.name or args.reset or args.score or args.mode:
        raise QuizUsageError("--class GRADEBOOK.db goes alone, or with --export csv PATH")
    if args.export and args.export[0] != "csv":
        raise QuizUsageError(f"--class exports csv: --class {args.gradebook} --export csv PATH")
    try:
        marks, everyone = read(args.gradebook)
        view = ClassView(marks, str(args.gradebook), everyone)
    except ClassViewError as error:
        raise QuizUsageError(str(error)) from None
    if not args.export:
        return view
    from ..files import FileProblem, resolve, write_text

    try:
        if resolve(args.export[1]).resolve() == resolve(args.gradebook).resolve():
            raise FileProblem(f"{args.export[1]} is the gradebook itself; give another path for the csv")
        written = write_text(args.export[1], view.csv_text())
    except FileProblem as error:
        raise QuizUsageError(str(error)) from None
    print(f"%dlquiz: wrote {written} ({len(view.marks)} rows: one per student and question)")
    return None


def _find(name: str, desk):
    try:
        return catalog.find(name, desk.quizzes)
    except (catalog.QuizNotFound, QuizFormatError) as error:
        raise QuizUsageError(str(error).rstrip(".")) from None


def _export(fmt: str, path: str, everything: dict, desk) -> None:
    if fmt not in report.EXPORT_FORMATS:
        raise QuizUsageError(f"--export {fmt}: use csv or json")
    from ..files import FileProblem

    try:
        written = report.export(report.progress_of(everything, desk.store), fmt, path)
    except FileProblem as error:
        raise QuizUsageError(str(error)) from None
    print(f"%dlquiz: wrote {written}")


def dlquiz_answers(quiz_id: str, body: str, desk) -> None:
    """%%dlquiz_answers ID: keep the cell's answers as the answer sheet of ``quiz_id`` (what
    autograde grades) and say in one line how many were read. The cell is the whole truth:
    what it does not hold is unanswered, and an unreadable body is one printed line (not an
    error, so a run of the whole notebook goes on)."""
    from .sheet import SheetError, read

    try:
        answers, note = read(body)
    except SheetError as error:
        desk.sheets[quiz_id] = {}
        print(f"%dlquiz: no answers to {quiz_id} read: {error}")
        return None
    quiz = {**catalog.bank(), **desk.quizzes}.get(quiz_id)
    if quiz is not None:  # what is not one of its questions (a "score" field, say) is left out
        known = {q.id for q in quiz.questions}
        unknown = [key for key in answers if key not in known]
        answers = {key: value for key, value in answers.items() if key in known}
        if unknown:
            note = "; ".join(filter(None, (note, f"left out {', '.join(map(repr, unknown))}: not questions of {quiz_id}")))
    desk.sheets[quiz_id] = answers
    count = f"{len(answers)} answer{'' if len(answers) == 1 else 's'}"
    if not answers:  # a Run All before any answer: say that the cell fills in, not that answers were lost
        note = "; ".join(filter(None, (note, "answer the quiz above: this cell fills in as you do")))
    print(f"%dlquiz: {count} to {quiz_id} read" + (f" ({note})" if note else ""))
    return None
