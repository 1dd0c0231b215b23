"""The quizzes of one kernel: the progress store, every quiz shown here, and the status of
each, which goes to the sidebar as a ``quiz`` message on every change and in snapshots;
when a quiz answered before is shown, after each answer and at a reset, the quiz's answer
sheet goes to the notebook as a ``quiz_answers`` message.

Light to import (the magics create it at load): the quiz modules come with the first use.
"""

from __future__ import annotations


class QuizDesk:
    def __init__(self, publish, show):
        """``publish(message)`` sends to the sidebar; ``show`` is IPython's display."""
        self.publish, self.show = publish, show
        self._store = None
        self.quizzes: dict = {}  # quiz id -> the Quiz, for every quiz shown in this kernel
        self.status: dict[str, dict] = {}  # quiz id -> its latest summary, for the sidebar
        self.sheets: dict[str, dict] = {}  # quiz id -> the answers its %%dlquiz_answers cell holds (sheet.py)

    @property
    def store(self):
        if self._store is None:
            from .. import autograde
            from .store import MemoryStore, ProgressStore

            # autograde grades the answer cells; the progress file of its account is the teacher's
            self._store = MemoryStore() if autograde.active() else ProgressStore()
        return self._store

    def snapshot_part(self) -> dict:
        return {"quizzes": list(self.status.values())}

    def show_quiz(self, quiz, mode: str, namespace: dict, cell_id: str | None):
        """Display a quiz whose answers are graded here and kept in the progress store."""
        from .tutor import Tutor
        from .view import QuizView

        tutor = Tutor(quiz, self.store, mode, cell_id, namespace, on_change=self._changed,
                      on_answers=lambda answers: self._answered(quiz, cell_id, answers))
        self.quizzes[quiz.id] = quiz
        view = QuizView(tutor)
        view.publish(self.show)
        self._changed(tutor.summary())
        # Answered before (in the course's own notebook, say): the answer cell gets those answers
        # now, since an exam handed in or a quiz mastered takes no more, yet --score counts them.
        answers = tutor.progress.answers()
        if answers:
            self._answered(quiz, cell_id, answers)
        return view

    def reset(self, quiz) -> None:
        from .tutor import Tutor

        tutor = Tutor(quiz, self.store)
        tutor.reset()
        if quiz.id in self.status:
            self._changed({**self.status[quiz.id], **tutor.progress.summary()})
        # the answer cell starts afresh too, and the kernel's copy of it (shown here or not: after a
        # restart the cell still holds the answers): what it held no longer counts
        self.sheets.pop(quiz.id, None)
        self._answered(quiz, None, {})

    def _changed(self, summary: dict) -> None:
        from ..protocol import quiz_message

        self.status[summary["id"]] = summary
        self.publish(quiz_message(summary))

    def _answered(self, quiz, cell_id: str | None, answers: dict) -> None:
        """The whole answer sheet goes to the notebook's answer cell (a converted notebook has
        one; nbgrader's autograde sees only cell sources, never the progress store)."""
        from ..protocol import quiz_answers_message
        from .sheet import answer_cell_source

        self.publish(quiz_answers_message(quiz.id, cell_id, answer_cell_source(quiz, answers)))
