"""The %dlquiz wing: its magic's options and help, and the kernel's QuizDesk (the progress
store, the quizzes shown here and their status for the sidebar's Quizzes section)."""

from __future__ import annotations

from ..wing import Context, MagicSpec, Wing, arg

DLQUIZ = MagicSpec(
    "dlquiz", printed_in_scripts=True,
    usage=("%dlquiz [ID | PATH] [--mode practice|mastery|exam] | --reset ID | --score | --export csv|json PATH "
           "| --class GRADEBOOK.db [--export csv PATH]"),
    args=(
        arg("name", nargs="?", help="A quiz id (see the list) or the path of a quiz file (.yaml, .json, "
                                    "or a jupyterquiz .json list)."),
        arg("--mode", metavar="MODE", help="practice (default: feedback at once, retry, hints, the solution after "
                                           "a few tries), mastery (what you got right is locked; retry the rest) "
                                           "or exam (no feedback until you submit; limited submissions)."),
        arg("--reset", metavar="ID", help="Start the quiz afresh (earlier answers stay in the file, uncounted)."),
        arg("--score", action="store_true", help="A table of every quiz: answered, correct, score."),
        arg("--export", nargs=2, metavar=("FORMAT", "PATH"), help="Write one row per question as csv or json "
                                                                   "(with --class: one per student and question, csv)."),
        arg("--class", dest="gradebook", metavar="GRADEBOOK.db",
            help="A teacher's view of nbgrader's gradebook: each question's share of right answers and each "
                 "student's points (needs nbgrader)."),
    ),
    doc="""Quizzes on the deep-learning revolution, graded in this kernel, progress kept.

        With no arguments it lists the quizzes with your progress. ``%dlquiz ID`` shows one:
        answer, press Check, and the feedback comes at once, with the explanation when you
        are right. Hints come one level at a time; the solution is offered after a few
        tries. Question types: single choice, multiple select (partial credit), numbers
        (within a tolerance; 36.4, 36.4%, 1/3 and 2.5e6 all read), text, and code (define a
        function in a cell and the quiz tests it).

        Every answer is saved before its feedback shows, in a JSON Lines file in Jupyter's
        data directory (or $DLMAGICS_QUIZ_STORE), so your progress survives restarts.
        Editing a quiz starts its progress afresh. The JupyterLab sidebar shows each quiz of
        the notebook with its score; click one to scroll to it.

        Grading happens in the kernel and the answer key never goes to the page, but the
        kernel is yours: this is for learning, not an exam server.

        Examples::

          %dlquiz                          # the quizzes and your progress
          %dlquiz why-now
          %dlquiz gpus --mode exam
          %dlquiz my_quiz.yaml             # your own quiz (docs/quiz-format.md)
          %dlquiz questions.json           # a jupyterquiz file
          %dlquiz --score
          %dlquiz --export csv progress.csv
          %dlquiz --reset why-now
          %dlquiz --class gradebook.db     # a teacher's: the class's answers, from nbgrader
          %dlquiz --class gradebook.db --export csv class.csv
        """)


DLQUIZ_ANSWERS = MagicSpec(
    "dlquiz_answers", cell=True,
    args=(arg("quiz", help="The id of the quiz these answers are to."),),
    doc="""The answers to a quiz, in a notebook converted for grading (python -m dlmagics.nbgrader).

        The quiz above this cell writes your answers here each time you press Check, so they
        are saved with the notebook and your teacher's grader reads them back. The cell holds
        one JSON object, question id -> your latest answer, after "#" comment lines. It is read
        as data, never run as code; each answer is graded against the quiz's key as it stands
        here, so answer in the quiz above rather than editing this cell.

        Example::

          %%dlquiz_answers why-now
          # Your answers, written by the quiz above when you press Check.
          {"backprop-year": 1986, "points-vs-percent": 0}
        """)


class QuizWing(Wing):
    name = "quiz"
    magics = (DLQUIZ, DLQUIZ_ANSWERS)

    def __init__(self, kernel):
        super().__init__(kernel)
        from .desk import QuizDesk

        self.desk = QuizDesk(kernel.publish, kernel.show)

    def run(self, name, args, ctx: Context):
        from . import command

        if name == DLQUIZ_ANSWERS.name:
            return command.dlquiz_answers(args.quiz, ctx.cell, self.desk)
        return command.dlquiz(args, self.desk, ctx.namespace, ctx.cell_id)

    def snapshot_part(self) -> dict:
        return self.desk.snapshot_part()


WING = QuizWing
