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


@dataclass(frozen=True)
class RepeatInterval:
    low: float
    high: float
    blocks: int  # blocks whose spread entered it
    earlier_runs: int  # this cell's earlier runs whose spread entered it


def repeat_interval(median: float, within: tuple[float, float], medians_of_blocks: Sequence[float],
                    earlier_medians: Sequence[float]) -> RepeatInterval:
    """A 95% interval for the median a repeat run of the cell would find.

    Two estimates of how far a repeat's median may land, the wider kept: (1) the spread of
    the K block medians: a repeat of K blocks differs from this run by a variance of
    2 s^2 / K, with t on K - 1 degrees of freedom; (2) with at least two earlier runs of the
    same cell, the mean squared step between consecutive runs' medians (what one step to
    the next run has varied by, drift included), t on the number of steps. Never narrower
    than ``within``, the order-statistic interval of this run's median.
    """
    half, used_blocks, used_runs = 0.0, 0, 0
    logs = [math.log(m) for m in medians_of_blocks if m > 0]
    if len(logs) >= MIN_BLOCKS:
        half = t975(len(logs) - 1) * math.sqrt(2 * statistics.variance(logs) / len(logs))
        used_blocks = len(logs)
    chain = [math.log(m) for m in [*list(earlier_medians)[-RECENT_RUNS:], median] if m > 0]
    steps = [b - a for a, b in zip(chain, chain[1:])]
    if len(steps) >= 2:
        by_runs = t975(len(steps)) * math.sqrt(sum(s * s for s in steps) / len(steps))
        if by_runs > half:
            half, used_runs = by_runs, len(steps)
    low, high = median * math.exp(-half), median * math.exp(half)
    return RepeatInterval(min(low, within[0]), max(high, within[1]), used_blocks, used_runs)


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
