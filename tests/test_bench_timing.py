"""The timing loop: warm-up apart, budget kept, adaptive stop, GC off, Ctrl-C keeps results."""

import gc
import time

import pytest

from dlmagics.bench.timing import CpuClock, cpu_threads, gc_disabled, measure


class FakeClock:
    """A device whose runs take a scripted time (and no wall time)."""

    def __init__(self, durations):
        self.durations = iter(durations)
        self.syncs = 0

    def sync(self):
        self.syncs += 1

    def time(self, run):
        run()
        return next(self.durations)


def test_the_first_call_is_reported_apart_and_not_counted():
    clock = FakeClock([5.0] + [0.010] * 100)
    m = measure(lambda: None, clock, budget=10, min_runs=8)
    assert m.first_call == 5.0 and 5.0 not in m.times
    assert clock.syncs == 1  # warm-up work finished before the first timed run


def test_steady_runs_stop_early_once_the_median_is_pinned_down():
    m = measure(lambda: None, FakeClock([0.01] * 1000), budget=10, min_runs=8)
    assert m.stopped == "tight" and len(m.times) == 8  # checked first at min_runs
    assert m.summary().median == 0.01


def test_noisy_runs_go_on_until_the_budget():
    import random

    rng = random.Random(0)
    noisy = [rng.lognormvariate(-4, 0.5) for _ in range(100000)]  # a 1% interval needs ~4000 runs
    began = time.perf_counter()
    m = measure(lambda: time.sleep(0.001), FakeClock(noisy), budget=0.3, min_runs=5)
    wall = time.perf_counter() - began
    assert m.stopped == "budget" and 0.3 <= wall < 2  # not the 100 s that 100000 runs would take
    assert len(m.times) > 20


def test_max_runs_and_min_runs():
    assert measure(lambda: None, FakeClock([1.0, 2.0, 3.0] * 10), budget=0, min_runs=5).times.__len__() == 5
    m = measure(lambda: None, FakeClock(list(range(1, 100))), budget=10, min_runs=2, max_runs=10)
    assert m.stopped == "max_runs" and len(m.times) == 10


def test_many_fast_runs_stay_cheap():
    # The tight check sorts the runs; checked every few runs it made this quadratic.
    began = time.perf_counter()
    m = measure(lambda: None, FakeClock([0.01, 0.03] * 100000), budget=10, min_runs=100000, max_runs=150000)
    assert m.stopped == "max_runs" and time.perf_counter() - began < 3


def test_real_cpu_runs():
    m = measure(lambda: sum(range(2000)), CpuClock(), budget=0.2, min_runs=5)
    s = m.summary()
    assert s.runs >= 5 and 0 < s.median < 0.01 and m.first_call > 0


def test_ctrl_c_keeps_what_was_measured():
    calls = []

    def run():
        calls.append(1)
        if len(calls) == 12:
            raise KeyboardInterrupt

    m = measure(run, FakeClock([0.01, 0.02, 0.03] * 10), budget=10, min_runs=50)
    assert m.stopped == "interrupted" and len(m.times) == 10  # 1 warm-up + 10 timed + the interrupted one
    assert gc.isenabled()


def test_gc_is_off_while_timing_and_restored():
    seen = []
    measure(lambda: seen.append(gc.isenabled()), FakeClock([0.01] * 20), budget=10, min_runs=8)
    assert seen and not any(seen) and gc.isenabled()
    gc.disable()
    with gc_disabled():
        pass
    assert not gc.isenabled()
    gc.enable()


def test_cpu_threads_sets_and_restores_torch():
    torch = pytest.importorskip("torch")
    before = torch.get_num_threads()
    with cpu_threads(1) as n:
        assert n == 1 and torch.get_num_threads() == 1
    assert torch.get_num_threads() == before
    with cpu_threads(None) as n:
        assert n == before
