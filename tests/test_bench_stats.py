"""Benchmark statistics: robust summaries and intervals that hold at their stated rate."""

import math
import random
import statistics

import pytest

from dlmagics.bench.stats import median_interval, speedup_interval, summarize


def test_summary_of_known_runs():
    s = summarize([5.0, 1.0, 3.0, 2.0, 4.0])
    assert (s.runs, s.median, s.q1, s.q3, s.iqr) == (5, 3.0, 2.0, 4.0, 2.0)
    assert s.ci95 == (1.0, 5.0)  # 5 runs: no interval reaches 95%, so the full range
    assert s.noisy  # IQR is 67% of the median
    assert not summarize([1.0, 1.01, 0.99, 1.0, 1.0, 1.02, 0.98]).noisy


def test_one_run_and_no_run():
    s = summarize([2.5])
    assert (s.median, s.iqr, s.ci95) == (2.5, 0.0, (2.5, 2.5))
    with pytest.raises(ValueError):
        summarize([])


@pytest.mark.parametrize("n, j", [(6, 0), (10, 1), (20, 5), (100, 39)])
def test_median_interval_uses_the_binomial_order_statistics(n, j):
    # Known values: for n=10 the 95% interval is [x(2), x(9)] (1-based), i.e. index 1 to 8.
    data = list(range(n))
    assert median_interval(data) == (j, n - 1 - j)


def test_median_interval_holds_the_true_median_95_percent_of_the_time():
    rng = random.Random(1)
    true_median = 1.0  # lognormvariate(0, s) has median e^0 = 1, and a long right tail
    trials, hits = 20000, 0
    for _ in range(trials):
        lo, hi = median_interval(sorted(rng.lognormvariate(0, 0.5) for _ in range(25)))
        hits += lo <= true_median <= hi
    # For 25 runs the interval [x(7), x(17)] holds it with probability 95.67% exactly
    # (binomial); 20000 trials measure that to +-0.3% (2 standard errors).
    assert 0.9535 <= hits / trials <= 0.96


def test_speedup_interval_covers_the_true_ratio():
    rng = random.Random(2)
    trials, hits = 150, 0
    for _ in range(trials):
        cpu = [rng.lognormvariate(0, 0.2) * 10 for _ in range(30)]
        gpu = [rng.lognormvariate(0, 0.2) * 0.2 for _ in range(30)]
        point, lo, hi = speedup_interval(cpu, gpu, resamples=400, seed=3)
        assert lo <= point <= hi
        hits += lo <= 50.0 <= hi  # the true ratio of medians: 10 / 0.2
    assert hits / trials >= 0.88  # a percentile bootstrap at n=30 runs slightly below nominal


def test_speedup_is_reproducible_and_directional():
    base, fast = [10.0, 11.0, 9.5, 10.2, 10.8], [1.0, 1.1, 0.9, 1.05, 0.98]
    assert speedup_interval(base, fast) == speedup_interval(base, fast)
    point, lo, hi = speedup_interval(base, fast)
    assert point == pytest.approx(statistics.median(base) / statistics.median(fast))
    assert lo > 5 and speedup_interval(fast, base)[0] < 1
    with pytest.raises(ValueError):
        speedup_interval([], fast)


@pytest.mark.parametrize("n", [51, 52])
def test_the_quick_resampled_median_matches_resampling_for_real(n):
    from dlmagics.bench.stats import resampled_median

    data = sorted(random.Random(5).lognormvariate(0, 0.5) for _ in range(n))
    rng_a, rng_b = random.Random(6), random.Random(7)
    quick = sorted(resampled_median(data, rng_a) for _ in range(4000))
    naive = sorted(statistics.median(rng_b.choices(data, k=n)) for _ in range(4000))
    for q in (0.025, 0.25, 0.5, 0.75, 0.975):
        i = int(q * 3999)
        assert quick[i] == pytest.approx(naive[i], rel=0.03)


def test_t_points_are_students():
    from dlmagics.bench.stats import t975

    assert (t975(1), t975(4), t975(20)) == (12.706, 2.776, 2.086)
    assert t975(30) == pytest.approx(2.042, abs=0.003) and t975(1000) == pytest.approx(1.962, abs=0.003)


def test_a_repeat_interval_widens_with_the_blocks_spread_and_the_earlier_runs():
    from dlmagics.bench.stats import repeat_interval

    within = (0.99, 1.01)
    steady = repeat_interval(1.0, within, [1.0, 1.0, 1.0, 1.0, 1.0], [])
    assert (steady.low, steady.high, steady.blocks) == (0.99, 1.01, 5)  # never narrower than the burst's own
    spread = repeat_interval(1.0, within, [0.9, 1.0, 1.1, 1.0, 0.95], [])
    assert spread.low < 0.9 and spread.high > 1.1 and spread.earlier_runs == 0
    # Earlier runs of the cell 20% apart: a repeat may land that far, whatever one burst says.
    moved = repeat_interval(1.0, within, [1.0] * 5, [1.2, 1.0, 1.2])
    assert moved.earlier_runs == 3 and moved.high > 1.2 * 1.2 and moved.low < 1 / 1.2 ** 2
    one_earlier = repeat_interval(1.0, within, [1.0] * 5, [1.2])  # one step says too little to use
    assert one_earlier.earlier_runs == 0


def test_a_repeat_interval_holds_the_next_runs_median_when_runs_wander():
    # Each run of a cell meets the machine in another state (a run effect), and its blocks
    # vary within it: with the earlier runs in, the next run's median falls inside >= 90%.
    from dlmagics.bench.stats import block_medians, repeat_interval

    rng = random.Random(4)
    medians, intervals = [], []
    for _ in range(400):
        level = rng.lognormvariate(0, 0.05)
        times = [level * rng.lognormvariate(0, 0.02) * rng.lognormvariate(0, 0.1) for _ in range(100)]
        s = summarize(times)
        r = repeat_interval(s.median, s.ci95, block_medians(times, [20] * 5), medians[-10:])
        medians.append(s.median)
        intervals.append((r.low, r.high))
    held = [lo <= nxt <= hi for (lo, hi), nxt in zip(intervals[10:], medians[11:])]
    assert sum(held) / len(held) >= 0.9


def test_blocks_run_side_by_side_cancel_a_common_drift():
    from dlmagics.bench.stats import paired_speedup

    drifting = [1.0, 1.1, 1.3, 1.6, 2.0]  # the machine slows, both devices alike
    point, lo, hi = paired_speedup([10 * m for m in drifting], drifting)
    assert point == pytest.approx(10) and lo == pytest.approx(10) and hi == pytest.approx(10)
    assert paired_speedup([10, 11], [1, 1]) is None  # two rounds: too few


def test_drift_is_named_only_when_the_halves_separate():
    from dlmagics.bench.stats import drift

    assert drift([1.0, 1.0, 1.1, 1.3, 1.3]) == pytest.approx(0.3)
    assert drift([1.3, 1.3, 1.2, 1.0, 1.0]) == pytest.approx(-0.3 / 1.3)
    assert drift([1.0, 1.3, 1.1, 1.0, 1.3]) is None  # up and down: noise, not drift
    assert drift([1.0, 1.0, 1.05, 1.05]) is None  # 5%: within DRIFT
    assert drift([1.0, 2.0, 3.0]) is None  # three blocks: too few to tell


def test_a_pool_gives_run_3_a_sensible_width():
    # Issue 34: run 3 of a cell has two steps of its own (t on 2 df: 4.3). Other cells of the
    # kernel moved by about 5% a run: borrowed, run 3's interval is about t(~20) x 5% wide a
    # side, not 4.3 x its own two steps.
    from dlmagics.bench.stats import PRIOR_DF_MAX, StepPool, repeat_interval, t975

    within = (0.999, 1.001)
    own = [1.0, 1.05]  # two earlier runs: steps of +5% and -5% to this run
    alone = repeat_interval(1.0, within, [1.0] * 5, own)
    pool = StepPool(sum_squares=20 * 0.05 ** 2, steps=20, cells=4)
    pooled = repeat_interval(1.0, within, [1.0] * 5, own, pool)
    assert pooled.df == 22 and pooled.pooled_steps == 20 and pooled.pooled_cells == 4 and pooled.earlier_runs == 2
    half = math.log(pooled.high)
    assert 1.9 * 0.05 < half < 2.1 * 0.05 and half < 0.6 * math.log(alone.high)
    # The first run of a new cell borrows too (none of its own yet).
    first = repeat_interval(1.0, within, [1.0] * 5, [], pool)
    assert first.pooled_steps == 20 and first.earlier_runs == 0 and first.high > 1.1
    # As the cell's own history grows it weighs more: a cell whose steps could be the pool's
    # (4% and 6% against its 5%) shrinks toward it...
    like = [1.0, 1.04, 1.0, 1.06, 1.0]
    shrunk = repeat_interval(1.0, within, [1.0] * 5, like, pool)
    own = [math.log(1.04) ** 2] * 2 + [math.log(1.06) ** 2] * 2 + [0.0]
    expected = math.sqrt((PRIOR_DF_MAX * 0.05 ** 2 + sum(own)) / (PRIOR_DF_MAX + 5))
    assert shrunk.pooled_steps == 20 and math.log(shrunk.high) == pytest.approx(t975(25) * expected, rel=0.001)
    # ...and a cell that wanders 20% a run is not held to the pool's 5% once it has shown it:
    # its own steps alone, t on their 10 degrees of freedom.
    wandering = repeat_interval(1.0, within, [1.0] * 5, [1.0, 1.2] * 5, pool)
    assert wandering.pooled_steps == 0 and wandering.df == 10
    assert math.log(wandering.high) == pytest.approx(2.228 * math.log(1.2), rel=0.001)


def test_a_quiet_cell_among_noisier_cells_is_not_widened_by_their_wander():
    # Issue 34, measured: a 0.6 ms matmul moved 0.15% from run to run while the kernel's other
    # cells moved about 1%; at the pool's full weight its intervals were 2.3x the spread of its
    # medians. From its third step on it shows that it wanders less, and keeps to its own.
    from dlmagics.bench.stats import StepPool, repeat_interval

    pool = StepPool(sum_squares=4 * 0.01 ** 2, steps=4, cells=2)
    medians = [1.0, 0.9985, 1.0, 1.0015, 1.0]
    early = repeat_interval(1.0, (0.9999, 1.0001), [1.0] * 5, medians[:2], pool)  # 2 steps: too few to tell
    late = repeat_interval(1.0, (0.9999, 1.0001), [1.0] * 5, medians, pool)
    assert early.pooled_steps == 4 and late.pooled_steps == 0
    assert math.log(late.high) == pytest.approx(2.571 * 0.0015 * math.sqrt(4 / 5), rel=0.01)  # t(5), its own 0.15%
    assert math.log(late.high) < 0.4 * math.log(early.high)


def test_a_pool_too_small_is_not_borrowed():
    from dlmagics.bench.stats import StepPool, repeat_interval

    one_step = repeat_interval(1.0, (0.99, 1.01), [1.0] * 5, [1.2, 1.0], StepPool(0.01, 1, 1))
    assert one_step.pooled_steps == 0 and one_step.df == 2


def test_pooled_intervals_hold_the_next_median_and_are_sharper_from_run_3():
    # Simulated cells in one kernel: each run meets the machine in another state (a run
    # effect of 5%), its blocks vary within it. With the pool the next run's median falls
    # inside >= 90% of the time and run 3's interval is narrower than the cell's own alone.
    from dlmagics.bench.history import RunHistory
    from dlmagics.bench.stats import block_medians, repeat_interval

    rng = random.Random(11)
    history = RunHistory()
    held, widths_pooled, widths_alone = [], [], []
    for cell in range(12):
        medians, intervals = [], []
        for run in range(8):
            level = rng.lognormvariate(0, 0.05)
            times = [level * rng.lognormvariate(0, 0.02) for _ in range(50)]
            s = summarize(times)
            pool = history.pool(leave_out=(str(cell), "cpu"))
            r = repeat_interval(s.median, s.ci95, block_medians(times, [10] * 5), medians[-10:], pool)
            if run == 2 and cell > 0:
                alone = repeat_interval(s.median, s.ci95, block_medians(times, [10] * 5), medians[-10:])
                widths_pooled.append(r.high / r.low)
                widths_alone.append(alone.high / alone.low)
            medians.append(s.median)
            intervals.append((r.low, r.high))
            history.add((str(cell), "cpu"), s.median)
        held += [lo <= nxt <= hi for (lo, hi), nxt in zip(intervals, medians[1:])]
    assert sum(held) / len(held) >= 0.9
    # Sharp: about the ideal width for a known 5% run effect (high / low = exp(2 x 1.96 x
    # sqrt(2) x 5%) = 1.32), and steady, where two steps of its own swing from lucky-narrow
    # to twice as wide.
    assert 1.2 < statistics.median(widths_pooled) < 1.45
    assert max(widths_pooled) < 1.5 < max(widths_alone)


def test_a_pool_whose_medians_never_moved_does_not_narrow_a_cell_that_wanders():
    # Other cells whose medians were the same run after run (a pool of mean square 0) said
    # nothing of this cell's 5% wander, yet were borrowed: its interval came out half as wide.
    from dlmagics.bench.stats import StepPool, repeat_interval, t975

    still = StepPool(sum_squares=0.0, steps=4, cells=2)
    wandering = repeat_interval(1.0, (0.999, 1.001), [1.0] * 5, [1.0, 1.05, 1.0], still)
    assert wandering.pooled_steps == 0
    assert math.log(wandering.high) == pytest.approx(t975(3) * math.log(1.05) * math.sqrt(2 / 3), rel=0.001)  # its own
    quiet = repeat_interval(1.0, (0.999, 1.001), [1.0] * 5, [1.0, 1.0, 1.0], still)  # like the pool: borrowed
    assert quiet.pooled_steps == 4
