"""The line a running %%gpubench keeps under its cell: the device, how far it is, what is left.

A learner waiting on a long run sees it move (a 4096^2 matmul on one CPU thread takes seconds
a run). It is drawn between runs, never inside the timed code, at most twice a second, and
cleared when the report comes. Headless runs and the terminal get none (the magic passes no
``show``).
"""

from __future__ import annotations

import time

from ..progress_line import ProgressLine
from .defaults import ROUNDS
from .render import format_time

DRAW_S = 0.5


class Progress:
    def __init__(self, show, devices: list[str], budget: float, min_runs: int, rounds: int = ROUNDS):
        """``show``: IPython's display (returns a handle when given display_id=True)."""
        self.show, self.devices, self.budget, self.min_runs, self.rounds = show, devices, budget, min_runs, rounds
        self.point = ""  # a sweep's value, e.g. "n = 256 (2 of 3)"
        self.label = ""
        self.round = 0
        self.started = 0.0
        self.line = ProgressLine(show, DRAW_S)

    def device(self, label: str) -> None:
        """A device is set up: draw at once, so the line names it before its setup ends."""
        self.label, self.started = label, time.perf_counter()
        index = self.devices.index(label) if label in self.devices else 0
        after = self.devices[index + 1:]
        then = f" (then {', '.join(after)})" if after else ""
        self._draw(f"%%gpubench {self._point()}{label}, device {index + 1} of {len(self.devices)}{then}: setting up")

    def block(self, label: str, round_index: int) -> None:
        """A block of runs starts on ``label``, in round ``round_index`` (from 0)."""
        self.label, self.round, self.started = label, round_index, time.perf_counter()

    def ran(self, measurement) -> None:
        """After each warm-up or timed run (called by the timing loop)."""
        if not self.line.due():
            return
        now = time.perf_counter()
        where = (f"%%gpubench {self._point()}{self.label} (round {self.round + 1} of at least {self.rounds}, "
                 f"the devices in turn)")
        if measurement.warming_up:
            self._draw(f"{where}: warming up, {now - self.started:.1f} s so far")
            return
        runs = len(measurement.times)
        median = sorted(measurement.times)[runs // 2]
        # The blocks still to come (this one's rest included), each its share of the budget.
        n = len(self.devices)
        at = self.devices.index(self.label) if self.label in self.devices else 0
        blocks_left = (self.rounds - self.round - 1) * n + (n - at)
        left = max(blocks_left * self.budget / self.rounds - (now - self.started), 0.0)
        self._draw(f"{where}: {runs:,} timed run{'s' if runs != 1 else ''} of about {format_time(median)} "
                   f"in this block, about {left:.1f} s left")

    def close(self) -> None:
        self.line.close()

    def _point(self) -> str:
        return f"{self.point}, " if self.point else ""

    def _draw(self, text: str) -> None:
        self.line.draw(text)
