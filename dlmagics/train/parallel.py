"""The kernel side of the parallel demos: their race runs on two ranks under torchrun, through
the %%ddp launcher (ranks.py is what each rank runs), and fills the run's history from the
lines the ranks print as they train, so the dashboard and the sidebar's Runs follow both
ranks. The Stop button ends every rank (the launcher's stop).

Each demo trains phases, a small net then a wide one: each first on one process, then on two
ranks. ``figures(result)`` measures what its lesson is about, per phase: the two ranks'
samples per second against one process's, and the share of a step spent with a collective
in flight."""

from __future__ import annotations

import json
import math
import os
import shutil
import statistics
import tempfile
from dataclasses import dataclass

RANKS = 2
MIN_STEPS = 10  # each phase: enough steps to take a median of
EVALS = 5  # evaluations a phase at least (they are not timed, but they take the ranks' time)
TIMEOUT_S = 60.0  # a collective's longest wait (a rank that hangs ends the run after it)


class RanksFailed(RuntimeError):
    """A rank failed, was killed or hung: the launcher's one line names it."""


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def cannot_run(settings) -> str | None:
    """Why this machine cannot run a parallel demo with these settings, in one line (None: it can)."""
    import torch
    import torch.distributed as dist

    if not dist.is_available():
        return "this PyTorch build has no torch.distributed, which runs the ranks"
    if settings.device.startswith("cuda"):
        have = torch.cuda.device_count()
        return None if have >= RANKS else (f"--device cuda needs {RANKS} GPUs, one per rank (NCCL), and this machine "
                                          f"has {have}; run it on the CPU (leave out --device)")
    if settings.device != "cpu":
        return f"--device {settings.device}: the ranks run on the CPU (gloo) or on {RANKS} CUDA GPUs (NCCL)"
    if not dist.is_gloo_available():
        return "this PyTorch build has no gloo backend, which runs the ranks on the CPU"
    if cores() < RANKS:
        return f"the ranks need {RANKS} CPU cores, one thread each, and this machine gives this kernel {cores()}"
    return None


def phase(label: str, steps: int, batch: int, single: str = "one process", **sizes) -> dict:
    """A phase of the race: its names (``single``, then each rank), its net's sizes, its length."""
    steps = max(MIN_STEPS, steps)
    return {"label": label, "single": single, "one": f"{label}, {single}", "ranks": [f"{label}, rank {r}" for r in range(RANKS)],
            "steps": steps, "batch": batch, "eval_every": max(1, min(steps // EVALS, 50)), **sizes}


def names(phases: list[dict]) -> list[str]:
    return [name for p in phases for name in (p["one"], *p["ranks"])]


def race(plan, controls, seed: int, history, on_step=None) -> str:
    """Train the plan's phases on the ranks; "finished", "stopped" (Stop) or "interrupted"
    (Ctrl-C); RanksFailed with the launcher's line when a rank failed."""
    from ..ddp.launcher import Settings, launch
    from .ranks import PREFIX, code

    phases = plan.notes["phases"]
    counted = {p["one"] for p in phases} | {p["ranks"][0] for p in phases}  # a step of the run: one of theirs
    folder = tempfile.mkdtemp(prefix="dlmagics-parallel-")
    lr = controls.lr
    config = {"demo": plan.notes["kind"], "seed": seed, "lr": lr, "folder": folder, "phases": phases}

    def on_line(line) -> None:
        if not line.text.startswith(PREFIX):
            return
        try:
            said = json.loads(line.text[len(PREFIX):])
            name = said["name"]
            if "eval" in said:
                history.evals[name].append(said["eval"])
                return
            history.loss[name].append(float(said["loss"]))
            history.seconds[name].append(float(said["s"]))
            history.comm_s.setdefault(name, []).append(float(said["comm_s"]))
        except (ValueError, KeyError, TypeError):  # not one of ours after all
            return
        if name in counted:
            history.lr.append(lr)
        if not math.isfinite(history.loss[name][-1]):
            history.diverged.setdefault(name, len(history.loss[name]))
        if on_step is not None:
            on_step(history)

    try:
        outcome = launch(code(config), Settings(RANKS, plan.notes["backend"], threads=1, timeout_s=TIMEOUT_S), on_line,
                         controls.stop_requested)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if outcome.status in ("finished", "stopped", "interrupted"):
        return outcome.status
    raise RanksFailed(outcome.fault or outcome.status)


@dataclass(frozen=True)
class Figures:
    """One phase, measured."""

    label: str
    single: str  # what the ranks race: "one process", "one device"
    batch: int
    speedup: float  # two ranks' samples per second / one process's (median steps)
    comm_share: float  # of the ranks' median step, the time with a collective in flight
    accuracy_one: float
    accuracy_ranks: float  # the lower of the ranks' (a replica or a half that fell behind shows)

    def words(self) -> str:
        return (f"{self.label} (batch {self.batch}): two ranks {self.speedup:.2f}x {self.single}'s samples/s, "
                f"{self.comm_share:.0%} of a step communicating, test accuracy {self.accuracy_ranks:.1%} "
                f"against {self.accuracy_one:.1%}")


def _steady(values: list[float]) -> list[float]:
    """The steps after the first (which pays for warming up), when there are more."""
    return values[1:] if len(values) > 2 else values


def phase_figures(history, p: dict) -> Figures:
    """A phase's figures; ValueError when it did not finish."""
    one = _steady(history.seconds[p["one"]])
    ranks = [_steady(history.seconds[n]) for n in p["ranks"]]
    if not one or not all(ranks) or len(history.seconds[p["ranks"][0]]) < p["steps"]:
        raise ValueError(f"the {p['label']} phase did not finish")
    shares = [c / s for n in p["ranks"] for s, c in zip(_steady(history.seconds[n]), _steady(history.comm_s[n])) if s > 0]
    return Figures(p["label"], p["single"], p["batch"],
                   statistics.median(one) / max(statistics.median(r) for r in ranks),
                   statistics.median(shares),
                   history.evals[p["one"]][-1]["test_accuracy"],
                   min(history.evals[n][-1]["test_accuracy"] for n in p["ranks"]))


def figures(result) -> list[Figures]:
    """Each phase's figures; ValueError when a phase did not finish."""
    return [phase_figures(result.history, p) for p in result.notes["phases"]]


def panel(result):
    """The lesson's picture: each finished phase's speed on two ranks, in % of one process's."""
    import numpy as np

    from .pictures import Chart

    done = []
    for p in result.notes.get("phases", []):
        try:
            done.append(phase_figures(result.history, p))
        except ValueError:
            break
    if not done:
        return None
    return Chart(f"two ranks' speed, % of {done[0].single}'s", "% of its samples/s",
                 {f.label: (np.array([i], float), np.array([100 * f.speedup])) for i, f in enumerate(done)},
                 bars=True, xlabel="")
