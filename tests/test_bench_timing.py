"""The timing loop: warm-up apart, budget kept, adaptive stop, GC off, Ctrl-C keeps results."""

import gc
import time

import pytest

from dlmagics.bench.timing import CpuClock, cpu_threads, gc_disabled, measure


class FakeClock:
    """A device whose runs take a scripted time, on a wall clock of its own (``wall``) that
    each run advances by its time: the budget is spent the same way on any machine."""

    def __init__(self, durations):
        self.durations = iter(durations)
        self.syncs = 0
        self.now = 0.0

    def sync(self):
        self.syncs += 1

    def wall(self):
        return self.now

    def time(self, run):
        run()
        took = next(self.durations)
        self.now += took
        return took


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
    clock = FakeClock(noisy)
    m = measure(lambda: None, clock, budget=3, min_runs=5, wall=clock.wall)
    assert m.stopped == "budget" and len(m.times) > 100  # noisy runs never pinned: on to the budget
    # ...and the loop stops at the first run that ends past it (counted from the end of the
    # first call), not before, not later.
    deadline = m.first_call + 3
    assert clock.now >= deadline and clock.now - m.times[-1] < deadline


def test_the_budget_starts_after_the_first_call_and_a_slow_cell_stops_at_min_runs():
    # One-time costs (a CUDA context, a thread pool) are the first call's, not the budget's.
    clock = FakeClock([5.0] + [0.5] * 100)
    m = measure(lambda: None, clock, budget=3, min_runs=3, tight=0, wall=clock.wall)
    assert m.stopped == "budget" and len(m.times) == 6 and clock.now == 8.0
    # The rest of the warm-up is the budget's; runs longer than it stop at min_runs.
    clock = FakeClock([5.0, 2.0] + [2.0] * 100)
    m = measure(lambda: None, clock, budget=3, min_runs=3, warmup=2, wall=clock.wall)
    assert m.stopped == "budget" and len(m.times) == 3
    assert (m.warmup_s, m.timed_s) == (7.0, 6.0)  # where the wall time went


def test_a_steady_cell_is_never_called_pinned_down_on_fewer_runs_than_an_interval_needs():
    m = measure(lambda: None, FakeClock([0.01] * 1000), budget=10, min_runs=3)
    assert m.stopped == "tight" and len(m.times) == 6


def test_each_run_is_reported_as_it_ends():
    seen = []
    m = measure(lambda: None, FakeClock([0.5] * 20), budget=10, min_runs=4, warmup=2, tight=0, max_runs=4,
                on_run=lambda r: seen.append((r.warming_up, len(r.times))))
    assert seen == [(True, 0), (True, 0), (False, 1), (False, 2), (False, 3), (False, 4)] and m.stopped == "max_runs"


def test_the_budget_is_wall_time():
    m = measure(lambda: time.sleep(0.02), FakeClock([1e-6, 2e-6] * 1000), budget=0.1, min_runs=2, tight=0)
    assert m.stopped == "budget" and 2 <= len(m.times) <= 6  # 0.1 s of 0.02 s sleeps, not 1000 runs


def test_max_runs_and_min_runs():
    assert measure(lambda: None, FakeClock([1.0, 2.0, 3.0] * 10), budget=0, min_runs=5).times.__len__() == 5
    m = measure(lambda: None, FakeClock(list(range(1, 100))), budget=10, min_runs=2, max_runs=10)
    assert m.stopped == "max_runs" and len(m.times) == 10


def test_many_fast_runs_stay_cheap(monkeypatch):
    # The tight check sorts the runs; checked every few runs it made this quadratic. Counted,
    # not timed: the checks must grow apart (a few dozen for 150,000 runs, not thousands).
    from dlmagics.bench import timing

    checks = []
    is_tight = timing._is_tight
    monkeypatch.setattr(timing, "_is_tight", lambda times, tight: checks.append(len(times)) or is_tight(times, tight))
    clock = FakeClock([1e-6, 3e-6] * 100000)
    m = measure(lambda: None, clock, budget=10, min_runs=100000, max_runs=150000, wall=clock.wall)
    assert m.stopped == "max_runs" and 1 <= len(checks) <= 5
    assert all(b >= a * 1.25 for a, b in zip(checks, checks[1:]))


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
