"""The figures of a %%gpubench run in the words a learner reads: times, sizes, speedups.

Made here once, in the kernel: the views put them in the table and the notes, and a
result's ``to_dict()`` sends a speedup's words to the sidebar, which shows them as they are.
No imports from the rest of the wing, so a result and its views both use it without a circle.
"""

from __future__ import annotations

from ..hardware.specs import format_multiple, format_rate


def format_time(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    for scale, unit in ((1, "s"), (1e-3, "ms"), (1e-6, "µs")):
        if seconds >= scale * 0.9995:  # what rounds to 1000 of a unit shows as 1 of the next
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds * 1e9:.3g} ns"


def format_bytes(count: int | None) -> str:
    if count is None:
        return "n/a"
    for scale, unit in ((2**30, "GiB"), (2**20, "MiB"), (2**10, "KiB")):
        if count >= scale:
            return f"{count / scale:.3g} {unit}"
    return f"{count} B"


def format_speedup(value: float, ci: tuple[float, float] | list[float]) -> str:
    """'12.3x [11.8, 12.9]'; a claim only where the interval leaves 1x out."""
    text = f"{_figures(value)}x [{_figures(ci[0])}, {_figures(ci[1])}]"
    if ci[1] < 1:
        text += f" ({format_multiple(1 / value)} slower)"
    elif ci[0] <= 1:
        text += ", no clear difference"
    return text


def _figures(value: float) -> str:
    """Three figures: '12.3', '456', '1,234' (not '1.23e+03')."""
    return f"{value:,.0f}" if value >= 1000 else f"{value:.3g}"


def plural(count: int, noun: str) -> str:
    """'1 device', '4 devices'."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def format_against_peak(rate: float, peak: float | None, unit: str) -> str:
    """'45.9 GFLOP/s (14% of peak)'; a rate above the listed peak says so, not '105% of peak'."""
    text = format_rate(rate, unit)
    if not peak:
        return text
    return f"{text} (above the listed peak)" if rate > peak else f"{text} ({rate / peak:.0%} of peak)"

