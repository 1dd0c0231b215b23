"""Benchmark statistics: robust summaries and intervals that hold at their stated rate."""

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
