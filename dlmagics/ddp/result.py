"""What a %%ddp run found: each rank's report (its time, its steps, its collectives and
their bytes, its error), the run's status and fault line, and with --compare the speedup
over one process. Data only: view.py draws it (registered in ../views.py)."""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field

from .. import views


@dataclass
class RankReport:
    rank: int
    world_size: int
    wall_s: float  # the cell's time on this rank
    steps: list[float] = field(default_factory=list)  # seconds of each step() (empty: no steps marked)
    step_comm: list[float] = field(default_factory=list)  # of each, with a collective in flight
    ops: dict[str, list] = field(default_factory=dict)  # collective -> [calls, seconds, bytes handed in]
    comm_s: float = 0.0  # of wall_s, with a collective in flight (waiting for slower ranks included)
    error: str | None = None  # "ValueError: ..." when the cell raised on this rank
    local_rank: int = 0
    host: str = ""
    pid: int = 0
    ended: float = 0.0  # time.time() at the end of its cell

    @classmethod
    def from_dict(cls, data: dict) -> "RankReport":
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


    @property
    def bytes(self) -> int:
        return sum(op[2] for op in self.ops.values())

    def _steady(self, values: list[float]) -> float:
        """The median step (the first left out when there are more: it pays for warming up)."""
        return statistics.median(values[1:] if len(values) > 2 else values)

    @property
    def step_s(self) -> float:
        """The median step, or the whole cell when it marks no steps."""
        return self._steady(self.steps) if self.steps else self.wall_s

    @property
    def step_comm_s(self) -> float:
        """The median step's time in collectives (the whole cell's when it marks no steps)."""
        return self._steady(self.step_comm) if self.step_comm else self.comm_s

    @property
    def step_compute_s(self) -> float:
        """The rest of the median step: time with no collective in flight."""
        if self.steps:
            return self._steady([max(0.0, s - c) for s, c in zip(self.steps, self.step_comm)])
        return max(0.0, self.wall_s - self.comm_s)


@dataclass
class Compare:
    """--compare: rounds of one process and of N, run in turn; the speedup from their paired ratios."""

    one: list[float] = field(default_factory=list)  # time per step of each one-process run
    many: list[float] = field(default_factory=list)  # of each N-rank run
    speedup: tuple[float, float, float] | None = None  # (point, low, high) of one / many, 95% interval
    error: str | None = None  # a compare run that did not finish
    ended: str | None = None  # and its status (interrupted, failed...)


@dataclass
class Outcome:
    world_size: int
    local_ranks: int  # ranks on this node (the reports are theirs)
    backend: str
    threads: int
    timeout_s: float
    status: str = "running"  # finished, failed, timed out, interrupted (the kernel's interrupt), stopped (the stop Event)
    fault: str | None = None  # one line naming the rank and its error when it did not finish
    ranks: list[RankReport] = field(default_factory=list)
    seconds: float = 0.0  # launch to the last process gone, torchrun's start included
    launcher_lines: list[str] = field(default_factory=list)  # torchrun's own output (not shown)
    compare: Compare | None = None

    @property
    def step_s(self) -> float | None:
        """Time per step: the slowest rank's (the others wait for it at each collective)."""
        return max(r.step_s for r in self.ranks) if self.ranks else None

    @property
    def steps(self) -> int:
        return max((len(r.steps) for r in self.ranks), default=0)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["step_s"] = self.step_s
        return data

    def _repr_html_(self) -> str:
        return views.render(self, "text/html")

    def __repr__(self) -> str:
        return views.render(self, "text/plain") or f"Outcome({self.status!r})"
