"""What a %train_demo run leaves: every step of every contender, the final metrics, the lesson."""

from __future__ import annotations

import math
import statistics
from dataclasses import asdict, dataclass, field

from .demos import Demo, Lesson, Settings
from .engine import History


@dataclass
class DemoResult:
    """A run of one demo. ``history`` fills in while it trains; the rest is set at the end.

    ``status``: running, finished, stopped (the Stop button), interrupted (Ctrl-C) or failed.
    """

    demo: Demo
    settings: Settings
    command: str
    history: History
    notes: dict = field(default_factory=dict)
    status: str = "running"
    error: str | None = None
    elapsed_s: float = 0.0
    plan: object = field(default=None, repr=False)  # the trained contenders, for the panels

    @property
    def name(self) -> str:
        return self.demo.name

    @property
    def done(self) -> bool:
        return self.status != "running"

    @property
    def final(self) -> dict[str, dict]:
        """Each contender's last evaluation, with its training speed (samples per second)."""
        out = {}
        for name in self.history.names:
            evals = self.history.evals[name]
            record = dict(evals[-1]) if evals else {}
            record["samples_per_s"] = self.samples_per_second(name)
            out[name] = record
        return out

    def samples_per_second(self, name: str) -> float | None:
        times = [t for t in self.history.seconds[name] if not math.isnan(t)]
        if not times:
            return None
        return self.settings.batch_size / statistics.median(times)

    @property
    def lesson(self) -> Lesson | None:
        """The demo's claim, checked on this run (None before any evaluation)."""
        if not any(self.history.evals.values()):
            return None
        try:
            return self.demo.check(self)
        except (KeyError, IndexError, ValueError, ZeroDivisionError) as error:
            return Lesson(False, f"could not be checked ({type(error).__name__}: {error})")

    def plot(self):
        """The curves and the demo's panel as a matplotlib Figure."""
        from .plot import plot

        return plot(self)

    def __repr__(self) -> str:
        if not self.done:
            return (f"<%train_demo {self.name}: training in the background under the dashboard; this object "
                    "fills in as it trains (.history, .final, .to_dict(), .plot())>")
        lesson = self.lesson
        verdict = "" if lesson is None else f"; lesson {'shown' if lesson.holds else 'not shown'}: {lesson.measured}"
        return f"<%train_demo {self.name}: {self.status}, {self.history.steps_done:,} steps{verdict}>"

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(repr(self))

    def to_dict(self) -> dict:
        lesson = self.lesson
        return {
            "demo": self.name, "title": self.demo.title, "year": self.demo.year, "command": self.command,
            "settings": asdict(self.settings), "status": self.status, "error": self.error,
            "elapsed_s": self.elapsed_s, "final": self.final, "history": self.history.to_dict(),
            "claim": self.demo.claim,
            "lesson": None if lesson is None else {"holds": lesson.holds, "measured": lesson.measured},
        }
