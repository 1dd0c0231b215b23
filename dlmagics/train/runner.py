"""Run a demo from its settings to a result, on whatever thread calls it."""

from __future__ import annotations

import time
from typing import Callable

from .demos import Demo, Settings
from .engine import Controls, History, run_race
from .result import DemoResult


def start(demo: Demo, settings: Settings, command: str) -> DemoResult:
    """An empty result to fill; the view can show it before the first step."""
    return DemoResult(demo, settings, command, History([], 0))


def run(result: DemoResult, controls: Controls | None = None,
        on_step: Callable[[DemoResult], None] | None = None) -> DemoResult:
    """Build the demo's race and train it; never raises (a failure is kept in ``result.error``)."""
    import torch

    started = result.started_at = time.perf_counter()
    controls = controls or Controls(result.settings.lr)
    try:
        with torch.random.fork_rng(devices=[]):
            plan = result.demo.build(result.settings)
            result.plan = plan
            result.notes.update(plan.notes)
            result.history = History(plan.names, plan.steps)
            callback = (lambda history: on_step(result)) if on_step else None
            race = result.demo.race or run_race
            result.status = race(plan, controls, result.settings.seed, result.history, callback)
    except KeyboardInterrupt:
        result.status = "interrupted"
    except Exception as error:  # noqa: BLE001 - kept and shown: a demo must never lose its history
        result.status, result.error = "failed", f"{type(error).__name__}: {error}"
    finally:
        result.elapsed_s = time.perf_counter() - started
    return result
