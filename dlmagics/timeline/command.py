"""%dltimeline from parsed options to the view: the years checked against the timeline's own
span, each bad one a ``TimelineUsageError`` whose one line says what is allowed. Also the
snapshot's ``timeline`` section for the sidebar."""

from __future__ import annotations

from ..options import OptionError, bounded
from ..protocol import log
from . import TimelineView, between, events


class TimelineUsageError(OptionError):
    pass


def dltimeline(args) -> TimelineView:
    everything = events()
    low, high = everything[0].year, everything[-1].year
    first, last = _year(args.first, "--from", low, high), _year(args.last, "--to", low, high)
    if first is not None and last is not None and first > last:
        raise TimelineUsageError(f"--from {first} is after --to {last}")
    shown = between(first, last)
    if not shown:
        raise TimelineUsageError(f"no events from {first} to {last}; try a wider range")
    return TimelineView(shown)


def _year(text: str | None, option: str, low: int, high: int) -> int | None:
    if text is None:
        return None
    bounded(text, int, -10**9, 10**9, f"{option} {text}: a year like 1986")
    return bounded(text, int, low, high, f"{option} {text}: the timeline runs from {low} to {high}")


def snapshot_part() -> dict:
    """The snapshot's ``timeline``; left out (the sidebar keeps its own copy) if the events
    file cannot be read, so a broken file never breaks the channel."""
    try:
        return {"timeline": [e.to_dict() for e in events()]}
    except Exception as error:  # unreadable, bad YAML, a missing key: all the same here
        log.warning("dlmagics: the timeline is not sent: %s", error)
        return {}
