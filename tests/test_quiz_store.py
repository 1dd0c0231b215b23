"""Progress that lasts: appended before feedback, kept across restarts, crashes, damage and
two kernels writing at once."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest

from dlmagics.quiz.formats import load
from dlmagics.quiz.store import ProgressStore
from dlmagics.quiz.tutor import Tutor

SAMPLE = Path(__file__).parent / "quizzes" / "sample.yaml"


@pytest.fixture
def store(tmp_path):
    return ProgressStore(tmp_path / "progress.jsonl")


def test_answers_survive_a_new_tutor_as_after_a_restart(store):
    quiz = load(SAMPLE)
    first = Tutor(quiz, store)
    assert first.answer("pick-one", 0).score == 0
    assert first.answer("pick-one", 1).correct
    first.answer("reduction", "36.4")
    first.hint("pick-one")
    again = Tutor(load(SAMPLE), store)  # what a re-run after a kernel restart does
    assert again.state("pick-one").attempts == 2 and again.state("pick-one").correct
    assert again.state("reduction").answer == "36.4"
    assert again.hints_shown("pick-one") == ["Look at the slope of each function."]
    summary = again.summary()
    assert (summary["answered"], summary["correct"], summary["total"]) == (2, 2, 5)
    assert summary["score"] == pytest.approx(0.4)


def test_the_answer_is_stored_before_the_feedback(store, monkeypatch):
    quiz = load(SAMPLE)
    tutor = Tutor(quiz, store)

    def crash(*_):  # the kernel dies between writing the answer and showing feedback
        raise SystemExit("crash")

    monkeypatch.setattr(tutor.progress, "apply", crash)
    with pytest.raises(SystemExit):
        tutor.answer("pick-one", 1)
    assert Tutor(quiz, store).state("pick-one").correct


def test_an_edited_quiz_does_not_inherit_answers(store, tmp_path):
    Tutor(load(SAMPLE), store).answer("pick-one", 1)
    edited = tmp_path / "sample.yaml"
    edited.write_text(SAMPLE.read_text().replace("Which activation", "Which function"))
    assert Tutor(load(edited), store).state("pick-one").attempts == 0
    assert Tutor(load(SAMPLE), store).state("pick-one").attempts == 1  # the old answers are still there


def test_reset_starts_afresh_and_keeps_the_old_lines(store):
    quiz = load(SAMPLE)
    Tutor(quiz, store).answer("pick-one", 1)
    Tutor(quiz, store).reset()
    assert Tutor(quiz, store).summary()["answered"] == 0
    assert [r["event"] for r in store.records()] == ["answer", "reset"]


def test_a_corrupt_store_is_moved_aside_and_its_good_lines_kept(store):
    quiz = load(SAMPLE)
    Tutor(quiz, store).answer("pick-one", 1)
    with open(store.path, "a") as f:
        f.write('{"quiz": "sample", "event": "ans')  # a write cut short
        f.write("\nnot json at all\n")
    with pytest.warns(UserWarning, match=r"2 unreadable line\(s\).*moved to .*corrupt-.*1 readable"):
        tutor = Tutor(quiz, store)
    assert tutor.state("pick-one").correct
    aside = list(store.path.parent.glob("progress.jsonl.corrupt-*"))
    assert len(aside) == 1 and "not json at all" in aside[0].read_text()
    tutor.answer("reduction", "36.4")
    assert len(store.records()) == 2  # the repaired file takes new answers


def test_records_of_the_wrong_shape_are_moved_aside_and_the_rest_kept(store):
    from dlmagics.quiz import report

    quiz = load(SAMPLE)
    Tutor(quiz, store).answer("pick-one", 1)
    hand_edited = [[1, 2], "text", {"quiz": 3}, {"quiz": "sample", "event": 7}, {"quiz": "sample", "event": "answer",
                   "question": ["pick-one"]}, {"quiz": "sample", "event": "answer", "score": "1"},
                   {"quiz": "sample", "event": "answer", "score": 1e308}, {"quiz": "sample", "event": "hint", "level": True},
                   {"quiz": "sample", "event": "hint", "level": 10 ** 9}, {"quiz": "sample", "event": "answer", "t": None}]
    with open(store.path, "a") as f:
        f.writelines(json.dumps(r) + "\n" for r in hand_edited)
        f.write("[" * 100_000 + "]" * 100_000 + "\n")  # valid JSON too deep for the parser
    with pytest.warns(UserWarning, match=r"11 unreadable line\(s\).*1 readable"):
        tutor = Tutor(quiz, store)
    assert tutor.state("pick-one").correct  # the good answer is kept
    table = report.ScoreTable(report.progress_of({"sample": quiz}, store))  # --score works again
    assert table.rows[0]["answered"] == 1


def test_an_unwritable_store_says_where(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    store = ProgressStore(blocker / "sub" / "progress.jsonl")
    with pytest.warns(UserWarning, match="cannot read quiz progress"):
        tutor = Tutor(load(SAMPLE), store)
    with pytest.raises(OSError, match="could not save the answer to .*progress.jsonl"):
        tutor.answer("pick-one", 1)


def _answer_many(path: str, worker: int, count: int) -> None:
    tutor = Tutor(load(SAMPLE), ProgressStore(path))
    for i in range(count):
        tutor.answer("reduction", f"{worker}.{i}")


def test_two_kernels_answering_at_once_lose_nothing(store):
    count = 150
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_answer_many, args=(str(store.path), w, count)) for w in (1, 2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    lines = store.path.read_text().splitlines()
    assert len(lines) == 2 * count
    answers = {json.loads(line)["answer"] for line in lines}
    assert answers == {f"{w}.{i}" for w in (1, 2) for i in range(count)}


def test_modes(store):
    quiz = load(SAMPLE)
    mastery = Tutor(quiz, store, mode="mastery")
    mastery.answer("pick-one", 1)
    assert mastery.locked("pick-one") and not mastery.answer("pick-one", 0).valid
    assert not mastery.locked("pick-many")
    practice = Tutor(quiz, store)
    assert practice.solution("reduction") is None
    practice.answer("reduction", "1")
    practice.answer("reduction", "2")  # solution_after: 2
    assert "36.4" in practice.solution("reduction")
    assert practice.hint("pick-one") == "Look at the slope of each function."
    assert practice.hint("pick-one") == "Which one has slope 1?" and practice.hint("pick-one") is None
    exam = Tutor(quiz, ProgressStore(store.path.with_name("exam.jsonl")), mode="exam")
    assert exam.hint("pick-one") is None and exam.solution("pick-one") is None
    with pytest.raises(RuntimeError):
        exam.answer("pick-one", 1)
    grades = exam.submit({"pick-one": 1, "reduction": "36.4", "who": "LeCun"})
    assert grades["pick-one"].correct and not grades["who"].correct and not grades["relu"].valid
    assert exam.exam_over and exam.solution("who")
    assert [r["event"] for r in exam.store.records()].count("solution") == 0
    with pytest.raises(RuntimeError, match="no attempts left"):
        exam.submit({})
