"""Statistics for benchmark runs: robust summaries, a median interval, a speedup interval.

Run times are skewed (a run is never faster than the hardware allows, sometimes much
slower), so everything is built on medians and quantiles, never on mean and standard
deviation. The median's interval is distribution-free (order statistics of a binomial);
the speedup's interval is a percentile bootstrap, seeded so a report is reproducible.
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
