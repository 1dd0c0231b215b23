"""Statistics for benchmark runs: robust summaries, a median interval, a speedup interval.

Run times are skewed (a run is never faster than the hardware allows, sometimes much
slower), so everything is built on medians and quantiles, never on mean and standard
deviation. The median's interval within one burst is distribution-free (order statistics of
a binomial); the interval a report shows also holds what varies between blocks of runs and
between runs (below: repeat_interval); a speedup comes from blocks run side by side, or a
seeded percentile bootstrap when there are too few.
"""

from __future__ import annotations

import math
import random
import statistics
from dataclasses import dataclass
from typing import Sequence

NOISY = 0.10  # IQR / median at or above this: warn (torch.utils.benchmark's threshold too)


@dataclass(frozen=True)
class Summary:
    runs: int
    median: float
    q1: float
    q3: float
    ci95: tuple[float, float]  # an interval holding the true median with >= 95% confidence

    @property
    def iqr(self) -> float:
        return self.q3 - self.q1

    @property
    def relative_iqr(self) -> float:
        return self.iqr / self.median if self.median > 0 else math.inf

    @property
    def noisy(self) -> bool:
        return self.relative_iqr >= NOISY


def summarize(times: Sequence[float]) -> Summary:
    if not times:
        raise ValueError("no runs to summarize")
    data = sorted(times)
    if len(data) == 1:
        q1 = q3 = data[0]
    else:
        q1, _, q3 = statistics.quantiles(data, n=4, method="inclusive")
    return Summary(runs=len(data), median=statistics.median(data), q1=q1, q3=q3, ci95=median_interval(data))


def median_interval(sorted_times: Sequence[float], confidence: float = 0.95) -> tuple[float, float]:
    """The narrowest symmetric order-statistic interval [x_(j), x_(n-1-j)] that holds the
    true median with at least ``confidence``, whatever the distribution.

    (0-based indices.) The count B of runs below the median is Binomial(n, 1/2); the
    interval misses the median when B <= j or B >= n - j, with probability 2 * P(B <= j).
    So j is the largest index with 2 * P(B <= j) <= 1 - confidence. With fewer than 6 runs
    none reaches 95%, and the full range is returned (the report should say runs are few).
    """
    n = len(sorted_times)
    miss_allowed = 1.0 - confidence
    log_norm = math.lgamma(n + 1) - n * math.log(2)  # in log space: 2**n overflows floats
    j, below = 0, 0.0  # below: P(B <= j - 1), the tail already beyond the interval
    while j < n // 2:
        below_next = below + math.exp(log_norm - math.lgamma(j + 1) - math.lgamma(n - j + 1))  # P(B <= j)
        if 2 * below_next > miss_allowed:
            break
        j, below = j + 1, below_next
    lo = max(j - 1, 0)
    return sorted_times[lo], sorted_times[n - 1 - lo]


def speedup_interval(base: Sequence[float], other: Sequence[float], confidence: float = 0.95,
                     resamples: int = 2000, seed: int = 0) -> tuple[float, float, float]:
    """How many times faster ``other`` is than ``base``: median(base) / median(other), with
    a percentile-bootstrap interval (each sample resampled on its own)."""
    if not base or not other:
        raise ValueError("a speedup needs runs on both devices")
    point = statistics.median(base) / statistics.median(other)
    rng = random.Random(seed)
    base_sorted, other_sorted = sorted(base), sorted(other)
    ratios = sorted(resampled_median(base_sorted, rng) / resampled_median(other_sorted, rng)
                    for _ in range(resamples))
    tail = (1.0 - confidence) / 2
    lo = ratios[int(math.floor(tail * (resamples - 1)))]
    hi = ratios[int(math.ceil((1.0 - tail) * (resamples - 1)))]
    return point, lo, hi


def resampled_median(sorted_times: Sequence[float], rng: random.Random) -> float:
    """The median of one bootstrap resample, drawn in O(1) rather than O(n log n).

    The k-th smallest of n draws from the runs is the run at index floor(n * U), where U is
    the k-th smallest of n uniform numbers, which is Beta(k, n - k + 1) distributed. With
    10,000 runs this makes a 2,000-resample bootstrap take milliseconds, not seconds.
    """
    n = len(sorted_times)
    k = (n + 1) // 2
    u = rng.betavariate(k, n - k + 1)
    low = sorted_times[min(n - 1, int(u * n))]
    if n % 2:
        return low
    u_next = u + (1 - u) * rng.betavariate(1, n - k)  # the next order statistic
    return (low + sorted_times[min(n - 1, int(u_next * n))]) / 2


# -- across blocks and runs --------------------------------------------------------------
# The runs of one burst share the machine's state; the next run of the cell meets another.
# So the interval the report shows is built from what varies between blocks of runs (each
# device's runs come in blocks interleaved with the other devices') and between this cell's
# earlier runs in the kernel, on a log scale (times are ratios apart, not differences).

_T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
         2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086)
MIN_BLOCKS = 3  # the fewest blocks whose spread is estimated at all
RECENT_RUNS = 10  # the earlier runs of a cell that count: the machine of an hour ago is another


def t975(df: int) -> float:
    """Student's t 97.5% point (a two-sided 95% interval) for ``df`` degrees of freedom."""
    if df < 1:
        raise ValueError("no degrees of freedom")
    return _T975[df - 1] if df <= len(_T975) else 1.960 + 2.4 / df  # within 0.003 beyond 20


def block_medians(times: Sequence[float], blocks: Sequence[int]) -> list[float]:
    """The median of each block of runs; ``blocks``: how many runs each block holds, in order."""
    out, start = [], 0
    for count in blocks:
        if count > 0:
            out.append(statistics.median(times[start:start + count]))
        start += count
    return out


# -- borrowing strength across cells ----------------------------------------------------
# A cell's third run has two steps of its own to say how far a repeat moves: a t on 2
# degrees of freedom (4.3) makes its interval several times wider than the wander it must
# cover. The steps of this kernel's other cells and devices (relative, on the log scale)
# say the same about the machine, so they are pooled into a prior, as in limma's empirical
# Bayes (Smyth 2004): a prior variance s0^2 on d0 degrees of freedom; a cell with its own
# n steps (mean square s^2) gets the posterior (d0 s0^2 + n s^2) / (d0 + n). As its history
# grows its own steps weigh more.

PRIOR_DF_MAX = 4  # the pool weighs at most as much as this many steps of the cell's own: a
# cell that wanders more or less than the others (a 0.2 ms op against a 20 ms one) shows it
# within a few runs (at 4 of its own, half the weight is its own)
MIN_POOL_STEPS = 2  # fewer steps than this say too little about the machine to borrow
AGREEMENT_STEPS = 3  # the cell's own steps before they can say it wanders unlike the pool


@dataclass(frozen=True)
class StepPool:
    """The steps between consecutive runs' medians (log of next / this) of this kernel's
    other cells and devices: their sum of squares, how many, from how many cells."""

    sum_squares: float = 0.0
    steps: int = 0
    cells: int = 0

    @property
    def mean_square(self) -> float:
        return self.sum_squares / self.steps if self.steps else 0.0

    @property
    def usable(self) -> bool:
        return self.steps >= MIN_POOL_STEPS

    def to_dict(self) -> dict:
        return {"sum_squares": self.sum_squares, "steps": self.steps, "cells": self.cells}


# chi-square's 2.5% and 97.5% points over their degrees of freedom (3 to 10): where n steps'
# mean square falls, against the variance it estimates, 95% of the time when the steps are
# independent and the variance known. Here neither holds (consecutive steps share a median;
# the pool's mean square is an estimate), so a cell that wanders as the pool does falls
# outside more often than 5%, the more so the smaller the pool; it then keeps to its own
# steps: wider, not less covered (benchmarks/interval_sim.py).
_CHI2_LOW = (0.0719, 0.1211, 0.1662, 0.2062, 0.2414, 0.2725, 0.3000, 0.3247)
_CHI2_HIGH = (3.1161, 2.7858, 2.5665, 2.4082, 2.2875, 2.1918, 2.1136, 2.0483)


def like_the_pool(pool: StepPool, steps: Sequence[float]) -> bool:
    """The cell's own steps could have come from the pool's wander (their mean square within
    chance of the pool's), so borrowing it is sound. A cell that wanders far less or more than
    the others shows it in AGREEMENT_STEPS steps: a 0.6 ms matmul moved 0.15% from run to run
    where the kernel's smaller cells moved about 1%, and borrowing their wander made its
    intervals 2.3x the spread of its medians."""
    n = min(len(steps), 3 + len(_CHI2_LOW) - 1)
    if len(steps) < AGREEMENT_STEPS:
        return True
    own = sum(s * s for s in steps[-n:]) / n
    if pool.mean_square <= 0:  # other cells' medians that never moved: like only a cell's that never moved
        return own <= 0
    return _CHI2_LOW[n - 3] <= own / pool.mean_square <= _CHI2_HIGH[n - 3]


def log_steps(medians: Sequence[float]) -> list[float]:
    """log(next / this) for each pair of consecutive (positive) medians."""
    logs = [math.log(m) for m in medians if m > 0]
    return [b - a for a, b in zip(logs, logs[1:])]


@dataclass(frozen=True)
class RepeatInterval:
    low: float
    high: float
    blocks: int  # blocks whose spread entered it
    earlier_runs: int  # this cell's earlier runs whose steps entered it
    pooled_steps: int = 0  # steps of other cells borrowed (0: none)
    pooled_cells: int = 0  # how many other cells (and devices) they came from
    df: int = 0  # the t quantile's degrees of freedom


def repeat_interval(median: float, within: tuple[float, float], medians_of_blocks: Sequence[float],
                    earlier_medians: Sequence[float], pool: StepPool | None = None) -> RepeatInterval:
    """A 95% interval for the median a repeat run of the cell would find.

    How far one run's median has moved to the next is measured directly by the steps
    between consecutive runs' medians (drift included): their mean square, from at least two
    steps of this cell's own, or shrunk toward the ``pool`` of the kernel's other cells when
    it has one and the cell's steps could be its (see StepPool, like_the_pool), t on every
    step it rests on. Before there are any, the spread
    of this run's K block medians stands in: a repeat of K blocks differs from this run by a
    variance of 2 s^2 / K, t on K - 1 degrees of freedom (within one run, blocks vary less
    than runs do, and five of them on t(4) swing from narrow to wide: not kept once steps
    are there). Never narrower than ``within``, the order-statistic interval of this run's
    median.
    """
    half, used_blocks, used_runs, df = 0.0, 0, 0, 0
    logs = [math.log(m) for m in medians_of_blocks if m > 0]
    if len(logs) >= MIN_BLOCKS:
        half = t975(len(logs) - 1) * math.sqrt(2 * statistics.variance(logs) / len(logs))
        used_blocks, df = len(logs), len(logs) - 1
    steps = log_steps([*list(earlier_medians)[-RECENT_RUNS:], median])
    own = sum(s * s for s in steps)
    borrowed = pool if pool is not None and pool.usable and like_the_pool(pool, steps) else None
    by_runs = None
    if borrowed is not None:
        prior_df = min(borrowed.steps, PRIOR_DF_MAX)
        variance = (prior_df * borrowed.mean_square + own) / (prior_df + len(steps))
        runs_df = borrowed.steps + len(steps)  # never fewer than the pool has
        by_runs = t975(runs_df) * math.sqrt(variance)
    elif len(steps) >= 2:
        runs_df = len(steps)
        by_runs = t975(runs_df) * math.sqrt(own / len(steps))
    pooled_steps = pooled_cells = 0
    if by_runs is not None:
        half, used_blocks, used_runs, df = by_runs, 0, len(steps), runs_df
        if borrowed is not None:
            pooled_steps, pooled_cells = borrowed.steps, borrowed.cells
    low, high = median * math.exp(-half), median * math.exp(half)
    return RepeatInterval(min(low, within[0]), max(high, within[1]), used_blocks, used_runs, pooled_steps,
                          pooled_cells, df)


def paired_speedup(base_blocks: Sequence[float], other_blocks: Sequence[float]) -> tuple[float, float, float] | None:
    """base/other from blocks run side by side (block k of each in round k): a slow phase of
    the machine slows both blocks of a round and cancels in their ratio. The geometric mean
    of the rounds' ratios with its 95% t interval; None when fewer than MIN_BLOCKS rounds
    paired up."""
    pairs = [math.log(b / o) for b, o in zip(base_blocks, other_blocks) if b > 0 and o > 0]
    if len(pairs) < MIN_BLOCKS:
        return None
    centre = statistics.fmean(pairs)
    half = t975(len(pairs) - 1) * statistics.stdev(pairs) / math.sqrt(len(pairs))
    return math.exp(centre), math.exp(centre - half), math.exp(centre + half)


DRIFT = 0.10  # a change of the block medians this large, early against late, is named


def drift(medians_of_blocks: Sequence[float]) -> float | None:
    """How much slower (positive) or faster the late blocks ran than the early ones, as a
    fraction, when the two halves separate (every late block beyond every early one) by at
    least DRIFT; else None. Four blocks at least."""
    ends = drift_ends(medians_of_blocks)
    return ends[1] / ends[0] - 1 if ends else None


def drift_ends(medians_of_blocks: Sequence[float]) -> tuple[float, float] | None:
    """The median of the early blocks and of the late ones, when they drifted apart (see drift)."""
    k = len(medians_of_blocks)
    if k < 4:
        return None
    early, late = medians_of_blocks[:k // 2], medians_of_blocks[-(k // 2):]
    before, after = statistics.median(early), statistics.median(late)
    change = after / before - 1
    separate = min(late) > max(early) if change > 0 else max(late) < min(early)
    return (before, after) if separate and abs(change) >= DRIFT else None
