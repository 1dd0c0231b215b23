"""One learner working through one quiz: grading, hints, the solution, and the record.

Every answer is appended to the progress store *before* its feedback is returned, so a
crash between the two loses nothing. The tutor knows the key; the view that shows the
quiz asks it for feedback and never sees the key itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .grading import Grade, grade
from .model import MODES, Question, Quiz
from .store import ProgressStore


@dataclass
class QuestionProgress:
    attempts: int = 0  # answers that could be read
    score: float = 0.0  # of the latest answer, 0..1
    answer: object = None
    hints: int = 0
    solution_shown: bool = False
    answered_at: float | None = None  # the latest answer's time (seconds since the epoch)

    @property
    def correct(self) -> bool:
        return self.attempts > 0 and self.score >= 1.0 - 1e-9


@dataclass
class Progress:
    """What the records say about one quiz (of its current content)."""

    quiz: Quiz
    questions: dict[str, QuestionProgress] = field(default_factory=dict)
    submissions: int = 0

    @classmethod
    def from_records(cls, quiz: Quiz, records: list[dict]) -> "Progress":
        progress = cls(quiz, {q.id: QuestionProgress() for q in quiz.questions})
        for record in records:
            progress.apply(record)
        return progress

    def apply(self, record: dict) -> None:
        if record.get("quiz") != self.quiz.id:
            return
        event = record.get("event")
        if event == "reset":
            self.questions = {q.id: QuestionProgress() for q in self.quiz.questions}
            self.submissions = 0
            return
        if record.get("hash") != self.quiz.digest:
            return  # answers to another version of this quiz
        if event == "submit":
            self.submissions += 1
            return
        state = self.questions.get(record.get("question"))
        if state is None:
            return
        if event == "answer":
            state.attempts += 1
            state.score = float(record.get("score", 0.0))
            state.answer = record.get("answer")
            state.answered_at = record.get("t")
        elif event == "hint":
            state.hints = max(state.hints, int(record.get("level", 0)))
        elif event == "solution":
            state.solution_shown = True

    def designs(self) -> tuple[int, int]:
        """(design answers written, design questions): counted apart from the score."""
        designs = [q for q in self.quiz.questions if q not in self.quiz.scored_questions]
        written = sum(1 for q in designs if self.questions[q.id].attempts and self.questions[q.id].answer)
        return written, len(designs)  # (an exam handed in with a design left empty wrote none)

    def answers(self) -> dict:
        """Every answered question's latest answer, as the store keeps it: the answer sheet."""
        return {qid: state.answer for qid, state in self.questions.items() if state.attempts}

    def summary(self) -> dict:
        """answered/total, correct, points scored of the total, as plain numbers."""
        counted = [self.questions[q.id] for q in self.quiz.scored_questions]  # design answers count apart
        answered = sum(1 for s in counted if s.attempts)
        correct = sum(1 for s in counted if s.correct)
        points = sum(q.points * self.questions[q.id].score for q in self.quiz.scored_questions)
        total = self.quiz.total_points
        return {"id": self.quiz.id, "title": self.quiz.title, "answered": answered,
                "total": len(counted), "correct": correct, "points": round(points, 3),
                "max_points": total, "score": round(points / total, 4) if total else 0.0,
                "submissions": self.submissions}


class Tutor:
    def __init__(self, quiz: Quiz, store: ProgressStore, mode: str = "practice", cell_id: str | None = None,
                 namespace: dict | None = None, on_change=None, on_answers=None):
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}")
        self.quiz, self.store, self.mode, self.cell_id = quiz, store, mode, cell_id
        self.namespace = namespace if namespace is not None else {}
        self.on_change = on_change  # called with the summary after each recorded event
        self.on_answers = on_answers  # called with the answer sheet after each answer or exam submission
        self.progress = Progress.from_records(quiz, store.records(quiz.id))

    # -- what the view may show -------------------------------------------------------
    def state(self, qid: str) -> QuestionProgress:
        return self.progress.questions[qid]

    def locked(self, qid: str) -> bool:
        """No more answers to this question: mastered (mastery), or the exam is over."""
        if self.mode == "exam":
            return self.exam_over
        from .kinds import scored

        # a design answer can always be revised: no key says it is finished
        return self.mode == "mastery" and self.state(qid).correct and scored(self.quiz.question(qid))

    @property
    def exam_over(self) -> bool:
        return self.progress.submissions >= self.quiz.attempts

    def may_show_solution(self, qid: str) -> bool:
        if self.mode == "exam":
            return self.exam_over
        state = self.state(qid)
        return state.correct or state.solution_shown or state.attempts >= self.quiz.solution_after

    def hints_left(self, qid: str) -> int:
        if self.mode == "exam":
            return 0
        return len(self.quiz.question(qid).hints) - self.state(qid).hints

    # -- actions -------------------------------------------------------------------------
    def answer(self, qid: str, value) -> Grade:
        """Grade an answer, record it, and return the grade (practice and mastery)."""
        if self.mode == "exam":
            raise RuntimeError("in exam mode, answers are graded together by submit()")
        question = self.quiz.question(qid)
        if self.locked(qid):
            return Grade(self.state(qid).score, "Already mastered.", valid=False)
        result = grade(question, value, self.namespace)
        if result.valid:
            self._record(question, "answer", answer=_storable(question, value, self.namespace), score=round(result.score, 4),
                         attempt=self.state(qid).attempts + 1)
        return result

    def submit(self, answers: dict) -> dict[str, Grade]:
        """Exam mode: grade every answer at once, record them, count one submission."""
        if self.exam_over:
            raise RuntimeError(f"no attempts left (this quiz allows {self.quiz.attempts})")
        # Every answer is graded before any is recorded: a check stopped midway records nothing.
        grades = {q.id: grade(q, answers.get(q.id), self.namespace) for q in self.quiz.questions}
        for question in self.quiz.questions:
            value = answers.get(question.id)
            self._record(question, "answer", answer=_storable(question, value, self.namespace), score=round(grades[question.id].score, 4),
                         attempt=self.progress.submissions + 1, notify=False)
        self._record(None, "submit")
        return grades

    def hint(self, qid: str) -> str | None:
        """The next hint, or None when there are no more."""
        question = self.quiz.question(qid)
        if self.hints_left(qid) <= 0:
            return None
        level = self.state(qid).hints + 1
        self._record(question, "hint", level=level)
        return question.hints[level - 1]

    def hints_shown(self, qid: str) -> list[str]:
        return list(self.quiz.question(qid).hints[: self.state(qid).hints])

    def solution(self, qid: str) -> str | None:
        """The solution and explanation, once allowed; None before."""
        if not self.may_show_solution(qid):
            return None
        question = self.quiz.question(qid)
        if self.mode != "exam" and not self.state(qid).solution_shown and not self.state(qid).correct:
            self._record(question, "solution")  # after an exam, the solutions are part of the results
        text = f"**Solution:** {question.solution_text()}"
        return "\n\n".join(part for part in (text, question.explanation) if part)

    def reset(self) -> None:
        self._record(None, "reset")

    def summary(self) -> dict:
        return {**self.progress.summary(), "mode": self.mode, "cell_id": self.cell_id}

    def _record(self, question: Question | None, event: str, notify: bool = True, **fields) -> None:
        record = {"quiz": self.quiz.id, "hash": self.quiz.digest, "event": event, "mode": self.mode, **fields}
        if question is not None:
            record["question"] = question.id
        self.store.append(record)  # first the file, then the feedback
        self.progress.apply(record)
        if notify and self.on_change is not None:
            self.on_change(self.summary())
        if notify and event in ("answer", "submit") and self.on_answers is not None:
            self.on_answers(self.progress.answers())


def _storable(question: Question, value, namespace: dict):
    """The answer as JSON can hold it (each type says how: kinds/)."""
    from .kinds import KINDS

    return KINDS[question.type].storable(question, value, namespace)
