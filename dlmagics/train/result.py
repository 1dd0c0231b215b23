"""What a %train_demo run leaves: every step of every contender, the final metrics, the lesson.

Its picture is plot.py's, registered in ../views.py: this module never imports a view.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import asdict, dataclass, field
from typing import Callable

from .. import views
from .demos import Demo, Lesson, NotReached, Settings
from .engine import History

FIGURE = "figure"  # the views' key for a matplotlib Figure (not a MIME type: .plot() returns the object)


class Running:
    """What a run that may train in the background has (a demo's, a %%train cell's): its
    ``status`` ("running" until it ends) and ``waiter``, which blocks until it is over."""

    @property
    def done(self) -> bool:
        return self.status != "running"

    @property
    def live(self) -> bool:
        """Training in the background right now (its dashboard is its view)."""
        return not self.done and self.waiter is not None

    def _settle(self) -> None:
        if self.waiter is not None:
            self.waiter()

    def _ipython_display_(self) -> None:
        # A live run's dashboard, drawn above, is its view (and becomes the final picture): a
        # line of text under it would be stale the moment the run ends.
        if not self.live:
            from IPython.display import display

            display({"text/plain": repr(self)}, raw=True)


@dataclass
class DemoResult(Running):
    """A run of one demo. ``history`` fills in while it trains; the rest is set at the end.

    ``status``: running, finished, stopped (the Stop button), interrupted (Ctrl-C) or failed.
    While a live run trains, what only the end can say (``final``, ``lesson``, ``to_dict()``,
    ``plot()``) waits for it: ``waiter`` blocks until the run is over (the Trainer sets it).
    """

    demo: Demo
    settings: Settings
    command: str
    history: History
    notes: dict = field(default_factory=dict)
    status: str = "running"
    error: str | None = None
    elapsed_s: float = 0.0  # the whole run's, once it is done
    started_at: float | None = None  # time.perf_counter() when training began (the time so far, while running)
    plan: object = field(default=None, repr=False)  # the trained contenders, for the panels
    waiter: Callable[[], None] | None = field(default=None, repr=False, compare=False)

    @property
    def name(self) -> str:
        return self.demo.name

    @property
    def final(self) -> dict[str, dict]:
        """Each contender's last evaluation, with its training speed (samples per second)."""
        self._settle()
        out = {}
        for name in self.history.names:
            evals = self.history.evals[name]
            record = dict(evals[-1]) if evals else {}
            record["samples_per_s"] = self.samples_per_second(name)
            out[name] = record
        return out

    def samples_per_second(self, name: str) -> float | None:
        """The contender's training speed; None if it diverged: its few steps before that, at
        the run's very start, time the one-off set-up of the first steps more than training."""
        times = [t for t in self.history.seconds[name] if not math.isnan(t)]
        if not times or name in self.history.diverged:
            return None
        batch = self.notes.get("batch_sizes", {}).get(name, self.settings.batch_size)  # a phase's own (parallel)
        return batch / statistics.median(times)

    def diverged(self, name: str) -> str | None:
        """In words, where the contender's loss stopped being finite (None if it never did)."""
        step = self.history.diverged.get(name)
        if step is None:
            return None
        loss = self.history.loss[name][step - 1]
        return f"diverged at step {step:,} (its loss became {'NaN' if math.isnan(loss) else 'infinite'})"

    @property
    def lesson(self) -> Lesson:
        """The demo's claim, checked on this run."""
        self._settle()
        if not any(self.history.evals.values()):
            return Lesson(False, f"not measured: the run was {self.status} before its first evaluation")
        try:
            return self.demo.check(self)
        except NotReached as early:
            return Lesson(False, f"not measured: {early}")
        except (KeyError, IndexError, ValueError, ZeroDivisionError) as error:
            return Lesson(False, f"could not be checked ({type(error).__name__}: {error})")

    def plot(self):
        """The curves and the demo's panel as a matplotlib Figure."""
        self._settle()
        return views.render(self, FIGURE)

    def __repr__(self) -> str:
        if not self.done:
            return (f"<%train_demo {self.name}: training, step {self.history.steps_done:,} of "
                    f"{self.history.steps_planned:,}; .final, .lesson, .to_dict() and .plot() wait for the end>")
        lesson = self.lesson
        return (f"<%train_demo {self.name}: {self.status}, {self.history.steps_done:,} steps; lesson "
                f"{'shown' if lesson.holds else 'not shown'}: {lesson.measured}>")

    def to_dict(self) -> dict:
        lesson = self.lesson
        return {
            "demo": self.name, "title": self.demo.title, "year": self.demo.year, "command": self.command,
            "settings": asdict(self.settings), "status": self.status, "error": self.error,
            "elapsed_s": self.elapsed_s, "final": self.final, "history": self.history.to_dict(),
            "claim": self.demo.claim,
            "lesson": {"holds": lesson.holds, "measured": lesson.measured},
        }
