"""The quizzes of one kernel: the progress store, every quiz shown here, and the status of
each, which goes to the sidebar as a ``quiz`` message on every change and in snapshots.

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
            from .store import ProgressStore

            self._store = ProgressStore()
        return self._store

    def snapshot_part(self) -> dict:
        return {"quizzes": list(self.status.values())}

    def show_quiz(self, quiz, mode: str, namespace: dict, cell_id: str | None):
        """Display a quiz whose answers are graded here and kept in the progress store."""
        from .tutor import Tutor
        from .view import QuizView

        tutor = Tutor(quiz, self.store, mode, cell_id, namespace, on_change=self._changed)
        self.quizzes[quiz.id] = quiz
        view = QuizView(tutor)
        view.publish(self.show)
        self._changed(tutor.summary())
        return view

    def reset(self, quiz) -> None:
        from .tutor import Tutor

        tutor = Tutor(quiz, self.store)
        tutor.reset()
        if quiz.id in self.status:
            self._changed({**self.status[quiz.id], **tutor.progress.summary()})

    def _changed(self, summary: dict) -> None:
        from ..protocol import quiz_message

        self.status[summary["id"]] = summary
        self.publish(quiz_message(summary))
