"""The timing loop: warm up, then time runs until the budget is spent or the median is
pinned down, with the garbage collector off. Devices plug in through a ``Clock``.

A CPU clock is wall time around each run (the work is synchronous). A GPU clock must time
the device's work, not the launch: CUDA events recorded around the run, then a sync; it
implements the same two methods, so this loop serves every device.
"""

from __future__ import annotations

import gc
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterator, Protocol

from .defaults import BUDGET_S, MIN_RUNS, WARMUP
from .stats import Summary, summarize


class Clock(Protocol):
    def sync(self) -> None:
        """Wait until the device has finished all work queued so far."""

    def time(self, run: Callable[[], object]) -> float:
        """Seconds the device spent on one call of ``run``."""


class CpuClock:
    def sync(self) -> None:
        pass

    def time(self, run: Callable[[], object]) -> float:
        start = time.perf_counter()
        run()
        return time.perf_counter() - start


@dataclass
class Measurement:
    times: list[float] = field(default_factory=list)  # seconds per run, after warm-up
    first_call: float | None = None  # the first run alone: lazy init, caches, autotuning
    stopped: str = "budget"  # budget | tight | max_runs | interrupted
    warming_up: bool = True
    warmup_s: float = 0.0  # wall time of the warm-up runs
    timed_s: float = 0.0  # wall time of the timed runs (the loop's own checks included)

    def summary(self) -> Summary:
        return summarize(self.times)


FIRST_TIGHT_CHECK = 6  # the fewest runs whose median has a 95% order-statistic interval


def measure(run: Callable[[], object], clock: Clock, budget: float = BUDGET_S, min_runs: int = MIN_RUNS,
            max_runs: int = 10_000, warmup: int = WARMUP, tight: float = 0.01,
            wall: Callable[[], float] = time.perf_counter,
            on_run: Callable[[Measurement], None] | None = None) -> Measurement:
    """Time ``run`` on ``clock``.

    ``warmup`` runs go first and are not counted (the first one is reported as the
    first-call cost). Then runs are timed until ``budget`` seconds of wall time from the end
    of the first call, the rest of the warm-up included, have passed (and at least
    ``min_runs`` were timed), or ``max_runs``, or until
    the median's 95% interval is within ``tight`` (relative) of the median. Ctrl-C stops
    the loop and keeps what it has. ``wall`` reads the clock the budget is spent on (a test
    passes a fake one); ``on_run(measurement)`` follows each run (a progress line).
    """
    result = Measurement()
    started = wall()
    deadline = started + budget
    try:
        with gc_disabled():
            for i in range(warmup):
                took = clock.time(run)
                if i == 0:
                    result.first_call = took
                    deadline = wall() + budget  # the first call's one-time costs are not the budget's
                if on_run is not None:
                    on_run(result)
            clock.sync()
            result.warming_up = False
            timed_from = wall()
            result.warmup_s = timed_from - started
            next_check = max(min_runs, FIRST_TIGHT_CHECK)  # checks grow apart: O(n log n) in all
            while len(result.times) < max_runs:
                result.times.append(clock.time(run))
                if on_run is not None:
                    on_run(result)
                if len(result.times) >= min_runs:
                    if wall() >= deadline:
                        result.stopped = "budget"
                        break
                    if len(result.times) >= next_check:
                        if _is_tight(result.times, tight):
                            result.stopped = "tight"
                            break
                        next_check = len(result.times) + max(8, len(result.times) // 4)
            else:
                result.stopped = "max_runs"
            result.timed_s = wall() - timed_from
    except KeyboardInterrupt:
        result.stopped = "interrupted"
    return result


def _is_tight(times: list[float], tight: float) -> bool:
    s = summarize(times)
    return s.median > 0 and (s.ci95[1] - s.ci95[0]) / 2 <= tight * s.median


@contextmanager
def gc_disabled() -> Iterator[None]:
    """The collector off while timing (a collection mid-run is noise, not the code). The
    young garbage goes first; a full collection would cost ~0.15 s once torch is loaded."""
    was_enabled = gc.isenabled()
    gc.collect(1)
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def cpu_threads(count: int | None) -> Iterator[int]:
    """Run PyTorch's CPU ops on ``count`` threads (None: as set), restoring the setting."""
    import torch

    before = torch.get_num_threads()
    if count is not None:
        torch.set_num_threads(count)
    try:
        yield torch.get_num_threads()
    finally:
        torch.set_num_threads(before)
