"""%train_demo parallel and alexnet2 with real processes: two ranks under torchrun, gloo on the
CPU, one thread each. Each demo's lesson holds over three seeds at --quick size (two headless,
one live with both ranks in the dashboard and in the sidebar's Runs); Stop ends every rank;
the split net is the one-device net cut in halves (its function and gradients); a machine that
cannot run them says so in one line."""

from __future__ import annotations

import threading
import time

import psutil
import pytest
from IPython.core.error import UsageError

from conftest import validate
from dlmagics.train import parallel, runner
from dlmagics.train.demos import DEMOS
from dlmagics.train.trainer import Trainer

pytestmark = pytest.mark.timeout(180)
PARALLEL = ["parallel", "alexnet2"]


def no_child_left() -> list:
    return psutil.Process().children(recursive=True)


class Shown:
    """IPython's display as the Trainer uses it: a handle whose updates are dropped."""

    def __call__(self, obj, raw=False, display_id=False):
        return self

    def update(self, obj, raw=False):
        pass


def until(condition, what: str, deadline_s: float = 120.0) -> None:
    """Wait for a background run to reach a state (a deadline for a loaded machine, not a timing goal)."""
    end = time.monotonic() + deadline_s
    while not condition():
        assert time.monotonic() < end, f"never saw {what}"
        time.sleep(0.02)


@pytest.mark.parametrize("name, seed", [(name, seed) for name in PARALLEL for seed in (0, 1)])
def test_the_lesson_holds_headless(name, seed):
    demo = DEMOS[name]
    result = runner.run(runner.start(demo, demo.settings(quick=True, seed=seed), ""))
    assert result.status == "finished", result.error
    assert result.lesson.holds, f"{name}, seed {seed}: {demo.claim} | measured: {result.lesson.measured}"
    assert result.history.steps_done == result.history.steps_planned
    assert no_child_left() == []


class EveryStep:
    """A throttle that lets every step draw (the real one may skip a phase that lasts under a second)."""

    def due(self) -> bool:
        return True

    def drew(self, started: float) -> None:
        pass


@pytest.mark.parametrize("name", PARALLEL)
def test_the_lesson_holds_live_with_both_ranks_in_the_dashboard_and_the_runs(name):
    sent: list[dict] = []
    trainer = Trainer(sent.append, Shown(), in_kernel=True)
    trainer._sidebar = EveryStep()
    demo = DEMOS[name]
    result = trainer.run(demo, demo.settings(quick=True, seed=2), live=True)
    board = trainer.board
    board.throttle = EveryStep()
    until(lambda: "phases" in result.notes, "the plan built")  # seconds before the ranks' first step
    ranks = result.notes["phases"][0]["ranks"]
    assert board.lr.disabled and board.pause.disabled  # the ranks cannot follow them; Stop can
    drawn = []  # while it trains: each rank's steps when the dashboard drew
    refresh = board.refresh

    def recorded(force: bool = False) -> None:
        refresh(force)
        if not result.done:
            drawn.append([len(result.history.loss[r]) for r in ranks])

    board.refresh = recorded
    assert trainer.live.finished.wait(120), "the run did not end"
    assert result.status == "finished", result.error
    assert any(all(drawn_steps) for drawn_steps in drawn), "no frame showed both ranks training"
    running = [m["run"] for m in sent if m["run"]["status"] == "running"]
    assert any(all(c["loss"] is not None for c in run["contenders"] if c["name"] in ranks) for run in running)
    assert result.lesson.holds, f"{name}, seed 2: {result.lesson.measured}"
    validate(sent[-1])
    assert sent[-1]["run"]["status"] == "finished" and sent[-1]["run"]["lesson"]["holds"]
    assert no_child_left() == []


def test_stop_in_the_runs_ends_every_rank():
    sent: list[dict] = []
    trainer = Trainer(sent.append, Shown(), in_kernel=True)
    demo = DEMOS["parallel"]
    result = trainer.run(demo, demo.settings(epochs=60), live=True)  # longer than the test
    until(lambda: "phases" in result.notes, "the plan built")
    rank1 = result.notes["phases"][0]["ranks"][1]
    until(lambda: result.history.loss[rank1] or result.done, "a step of rank 1")
    assert not result.done, result.error
    trainer.stop_running()  # the sidebar's Stop
    assert trainer.live.finished.wait(60)
    assert result.status == "stopped" and result.history.loss[rank1]  # what was trained is kept
    assert result.lesson.measured == "not measured: the small net phase did not finish"
    assert no_child_left() == []
    assert sent[-1]["run"]["status"] == "stopped"


def test_the_split_net_is_the_one_device_net_cut_in_halves(tmp_path):
    """The ranks' halves, with the all_gathers where AlexNet's GPUs met, give the one-device
    net's scores, and after backward each half holds its rows of the one-device gradients."""
    import torch

    from dlmagics.ddp.launcher import Settings, launch

    code = f"""
from dlmagics.train.nets import two_columns
from dlmagics.train.ranks import Column
torch.manual_seed(0)
whole = two_columns(10, 3, 5)
x, y = torch.rand(6, 1, 8, 8), torch.arange(6)
half = Column(whole, rank, world_size)
scores = half(x)
(torch.nn.functional.cross_entropy(scores, y) / world_size).backward()
torch.save({{"scores": scores.detach(), "grads": [p.grad for p in half.parameters()]}}, {str(tmp_path)!r} + f"/rank{{rank}}.pt")
"""
    outcome = launch(code, Settings(2, threads=1, timeout_s=30))
    assert outcome.status == "finished", outcome.fault
    torch.manual_seed(0)
    from dlmagics.train.nets import two_columns

    whole = two_columns(10, 3, 5)
    x, y = torch.rand(6, 1, 8, 8), torch.arange(6)
    scores = whole(x)
    torch.nn.functional.cross_entropy(scores, y).backward()
    layers = [m for m in whole if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]
    for rank in (0, 1):
        saved = torch.load(tmp_path / f"rank{rank}.pt")
        assert torch.allclose(saved["scores"], scores, atol=1e-5)
        expected = []
        for layer in layers:
            rows = layer.weight.shape[0] // 2
            expected += [layer.weight.grad[rank * rows:(rank + 1) * rows], layer.bias.grad[rank * rows:(rank + 1) * rows]]
        assert len(saved["grads"]) == len(expected)
        for got, want in zip(saved["grads"], expected):
            assert torch.allclose(got, want, atol=1e-5)
    assert no_child_left() == []


@pytest.fixture
def ip(shell):
    shell.run_line_magic("load_ext", "dlmagics")
    return shell


def test_a_machine_that_cannot_run_them_says_so_in_one_line(ip, monkeypatch):
    import torch

    def said(line: str) -> str:
        with pytest.raises(UsageError) as error:
            ip.run_line_magic("train_demo", line)
        text = str(error.value)
        assert "\n" not in text and "Usage" not in text
        return text

    with monkeypatch.context() as patched:
        patched.setattr(torch.distributed, "is_gloo_available", lambda: False)
        assert said("alexnet2 --quick") == ("%train_demo: alexnet2 cannot run here: this PyTorch build has no gloo backend, which "
                                            "runs the ranks on the CPU")
    monkeypatch.setattr(parallel, "cores", lambda: 1)
    assert said("parallel --quick") == ("%train_demo: parallel cannot run here: the ranks need 2 CPU cores, one thread each, and "
                                        "this machine gives this kernel 1")
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    assert parallel.cannot_run(DEMOS["parallel"].settings(device="cuda")) == (
        "--device cuda needs 2 GPUs, one per rank (NCCL), and this machine has 1; run it on the CPU (leave out --device)")
    assert no_child_left() == [] and not [t for t in threading.enumerate() if t.name.startswith("dlmagics-train-")]
