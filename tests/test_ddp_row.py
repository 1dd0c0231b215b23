"""A %%ddp cell's row in the sidebar's Runs (dlmagics/ddp/row.py): its messages follow the
schema, say how the run ended, stop being sent when it ends, and the snapshot carries the
last row whichever wing sent it. The real kernel's sequence, Ctrl-C included, is in test_ddp.py."""

from __future__ import annotations

import threading

import psutil
import pytest

from conftest import validate, wait_for
from dlmagics.ddp.launcher import Settings
from dlmagics.ddp.result import Compare, Outcome, RankReport
from dlmagics.ddp.row import RunsRow, end_words

pytestmark = pytest.mark.timeout(180)


def outcome(status: str, fault: str | None = None, steps: int = 0) -> Outcome:
    o = Outcome(2, 2, "gloo", 1, 4.0, status=status, fault=fault)
    o.ranks = [RankReport(r, 2, 1.0, steps=[0.1] * steps) for r in range(2)]
    return o


@pytest.mark.parametrize("status, fault, says", [
    ("finished", None, ("finished", "finished: 2 ranks, 5 steps in 3.0 s")),
    ("interrupted", "the kernel was interrupted (its stop button, I I or the sidebar's Stop): all 2 ranks ...",
     ("stopped", "stopped after 3.0 s: the kernel was interrupted and all 2 ranks were ended")),
    ("failed", "rank 1 failed: ValueError: boom", ("failed", "failed after 3.0 s: rank 1 failed: ValueError: boom")),
    ("timed out", "rank 1 did not end within 4 s of rank 0 ending; all ranks were ended",
     ("failed", "failed after 3.0 s: rank 1 did not end within 4 s of rank 0 ending; all ranks were ended")),
])
def test_the_last_row_says_how_the_run_ended_with_the_ranks_one_line(status, fault, says):
    assert end_words(outcome(status, fault, steps=5), 3.0) == says


def test_a_run_stopped_midway_says_the_step_every_rank_had_reached():
    assert end_words(outcome("interrupted"), 7.3, step=12)[1] == \
        "stopped after 7.3 s at step 12: the kernel was interrupted and all 2 ranks were ended"


def test_a_comparison_that_was_interrupted_marks_the_row_stopped():
    o = outcome("finished")
    o.compare = Compare(error="the run of one process interrupted: ...", ended="interrupted")
    assert end_words(o, 2.0)[0] == "stopped"


def test_rows_follow_the_schema_and_none_is_sent_after_the_last():
    sent: list[dict] = []
    row = RunsRow("%%ddp -n 2", sent.append, every_s=0.01)
    row.start(Settings(2))
    wait_for(lambda: len(sent) >= 3)  # the first, and the thread's
    row.end(outcome("finished", steps=3))
    for thread in threading.enumerate():
        if thread.name == "dlmagics-ddp-row":
            thread.join(10)
    for message in sent:
        validate(message)
    runs = [m["run"] for m in sent]
    assert {r["status"] for r in runs[:-1]} == {"running"} and runs[-1]["status"] == "finished"
    assert all(r["stop"] == "interrupt" and r["title"] == "%%ddp -n 2" for r in runs)
    assert [c["name"] for c in runs[0]["contenders"]] == ["rank 0", "rank 1"]
    assert runs[0]["step"] == 0 and runs[0]["words"].startswith("running: 2 ranks")  # no progress claimed
    assert runs[-1]["step"] == 3


@pytest.fixture
def ip(comms, shell, no_driver):
    shell.run_line_magic("load_ext", "dlmagics")
    return shell


def test_the_running_row_claims_the_step_every_rank_has_reached_and_no_more():
    sent: list[dict] = []
    row = RunsRow("%%ddp -n 2", sent.append, every_s=0.01)
    row.start(Settings(2))
    row.steps({0: 5})  # rank 1 not heard from: no step claimed
    assert row.step == 0
    row.steps({0: 5, 1: 4})
    wait_for(lambda: sent[-1]["run"]["step"] == 4)
    assert ", step 4, " in sent[-1]["run"]["words"]
    row.end(outcome("finished", steps=6))
    assert sent[-1]["run"]["step"] == 6  # the end: the reports' count


def test_a_run_that_lost_a_rank_before_its_report_still_names_every_rank():
    sent: list[dict] = []
    row = RunsRow("%%ddp -n 2", sent.append, every_s=60)
    row.start(Settings(2))
    failed = outcome("failed", "rank 1 was killed (SIGKILL) before it finished; the other ranks were ended")
    failed.ranks = failed.ranks[:1]
    row.end(failed)
    assert [c["name"] for c in sent[-1]["run"]["contenders"]] == ["rank 0", "rank 1"]
    assert sent[-1]["run"]["status"] == "failed" and "rank 1 was killed (SIGKILL)" in sent[-1]["run"]["words"]


def test_a_launch_that_raises_leaves_a_failed_row(ip, comms, monkeypatch):
    from dlmagics.ddp import command

    def broken(*args, **kwargs):
        raise OSError("no torchrun here")

    monkeypatch.setattr(command, "launch", broken)
    with pytest.raises(Exception):
        ip.run_cell_magic("ddp", "-n 2", "print(rank)")
    (c,) = comms
    last = [m for m in c.sent if m["type"] == "training"][-1]["run"]
    validate({"type": "training", "run": last})
    assert last["status"] == "failed" and last["words"].endswith("OSError: no torchrun here")


def test_bad_options_send_no_row(ip, comms):
    with pytest.raises(Exception):
        ip.run_cell_magic("ddp", "-n 0", "print(rank)")
    (c,) = comms
    assert "training" not in c.types()


def test_the_snapshot_carries_the_last_row_whichever_wing_sent_it(ip, comms):
    """A %train_demo run, then a real %%ddp -n 2 run with gloo, then the demo again: the
    snapshot's training is each time the last row sent."""
    (c,) = comms

    def snapshot_training() -> dict:
        snapshot = c.request_snapshot()
        validate(snapshot)
        return snapshot["training"]

    def last_row() -> dict:
        return [m for m in c.sent if m["type"] == "training"][-1]["run"]

    ip.run_line_magic("train_demo", "xor --quick --no-live")
    assert snapshot_training()["demo"] == "xor"
    result = ip.run_cell_magic("ddp", "-n 2 --threads 1", "x = torch.ones(2)\ndist.all_reduce(x)\nstep()\n")
    assert result.status == "finished" and psutil.Process().children(recursive=True) == []
    assert snapshot_training() == last_row()
    assert last_row()["demo"] == "%%ddp" and last_row()["status"] == "finished" and last_row()["step"] == 1
    ip.run_line_magic("train_demo", "xor --quick --no-live")
    assert snapshot_training() == last_row() and last_row()["demo"] == "xor"


def ddp_rows(comms) -> list[dict]:
    (c,) = comms
    return [m["run"] for m in c.sent if m["type"] == "training"]


def test_an_interrupt_outside_the_launch_leaves_a_stopped_row_not_a_failed_one(ip, comms, monkeypatch):
    """A KeyboardInterrupt the launcher does not catch (between --compare rounds, or as it
    cleans up after a second press): the kernel was interrupted, the row says so."""
    from dlmagics.ddp import command

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(command, "launch", interrupted)
    with pytest.raises(KeyboardInterrupt):
        ip.run_cell_magic("ddp", "-n 2", "print(rank)")
    last = ddp_rows(comms)[-1]
    validate({"type": "training", "run": last})
    assert last["status"] == "stopped" and last["words"].startswith("stopped after ")
    assert last["words"].endswith(": the kernel was interrupted and all 2 ranks were ended")


def test_an_interrupt_while_the_last_row_is_made_still_ends_the_row(ip, comms, monkeypatch):
    """Without a last row the row's thread would say 'running' every second for ever, and its
    Stop would interrupt whatever cell runs next."""
    from dlmagics.ddp import command, row

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(command, "launch", lambda *args, **kwargs: outcome("finished", steps=2))
    monkeypatch.setattr(row, "end_words", interrupted)
    with pytest.raises(KeyboardInterrupt):
        ip.run_cell_magic("ddp", "-n 2", "print(rank)")
    for thread in threading.enumerate():
        if thread.name == "dlmagics-ddp-row":
            thread.join(10)
            assert not thread.is_alive(), "the row's thread outlived the cell"
    assert ddp_rows(comms)[-1]["status"] == "stopped"
