"""The line a running %%gpubench keeps under its cell: the device, how far it is, what is left.

A learner waiting on a long run sees it move (a 4096^2 matmul on one CPU thread takes seconds
a run). It is drawn between runs, never inside the timed code, at most twice a second, and
cleared when the report comes. Headless runs and the terminal get none (the magic passes no
``show``).
"""

from __future__ import annotations

import html
import time

from ..throttle import Throttle
from .render import format_time

DRAW_S = 0.5


class Progress:
    def __init__(self, show, devices: list[str], budget: float, min_runs: int):
        """``show``: IPython's display (returns a handle when given display_id=True)."""
        self.show, self.devices, self.budget, self.min_runs = show, devices, budget, min_runs
        self.handle = None
        self.point = ""  # a sweep's value, e.g. "n = 256 (2 of 3)"
        self.label = ""
        self.started = 0.0
        self.throttle = Throttle(DRAW_S, wait_first=False)

    def device(self, label: str) -> None:
        """A device starts: draw at once, so the line names it before its first run ends."""
        self.label, self.started = label, time.perf_counter()
        self._draw(f"{self._where()}: setting up")

    def ran(self, measurement) -> None:
        """After each warm-up or timed run (called by the timing loop)."""
        if not self.throttle.due():
            return
        elapsed = time.perf_counter() - self.started
        if measurement.warming_up:
            self._draw(f"{self._where()}: warming up, {elapsed:.1f} s so far")
            return
        runs = len(measurement.times)
        median = sorted(measurement.times)[runs // 2]
        left = max(self.budget - elapsed, (self.min_runs - runs) * median, 0.0)
        self._draw(f"{self._where()}: {runs:,} timed run{'s' if runs != 1 else ''} of about "
                   f"{format_time(median)}, {elapsed:.1f} s of its {self.budget:g} s budget, about {left:.1f} s left")

    def close(self) -> None:
        if self.handle is not None:
            self.handle.update({"text/plain": ""}, raw=True)

    def _where(self) -> str:
        index = self.devices.index(self.label) if self.label in self.devices else 0
        after = self.devices[index + 1:]
        point = f"{self.point}, " if self.point else ""
        then = f" (then {', '.join(after)})" if after else ""
        return f"%%gpubench {point}{self.label}, device {index + 1} of {len(self.devices)}{then}"

    def _draw(self, text: str) -> None:
        started = time.perf_counter()
        bundle = {"text/plain": text, "text/html": f"<i>{html.escape(text)}</i>"}
        if self.handle is None:
            self.handle = self.show(bundle, raw=True, display_id=True)
        else:
            self.handle.update(bundle, raw=True)
        self.throttle.drew(started)
