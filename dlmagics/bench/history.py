"""The medians of a cell's earlier runs in this kernel, per device: how much a repeat of the
cell has moved so far is part of the interval a new run shows (stats.repeat_interval), and
the other cells' and devices' moves are the pool an early run borrows from (stats.StepPool)."""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass

from .stats import RECENT_RUNS, StepPool, log_steps


@dataclass(frozen=True)
class Run:
    median: float
    crowded: bool  # something else used the CPU or the GPU during it (contention.py named it)


class RunHistory:
    def __init__(self):
        self._runs: dict[tuple[str, str], list[Run]] = {}

    @staticmethod
    def key(result, device) -> tuple[str, str]:
        """(the cell: the same code, setup, precision and sweep value; the device)."""
        cell = json.dumps([result.timed_source, result.setup_source, device.precision,
                           result.sweep and repr(result.sweep.get("value"))])
        return cell, device.label

    def add(self, key: tuple[str, str], median: float, crowded: bool = False) -> None:
        runs = self._runs.setdefault(key, [])
        runs.append(Run(median, crowded))
        del runs[:-RECENT_RUNS]

    def pool(self, leave_out: tuple[str, str] | None = None) -> StepPool:
        """The steps of every other cell and device between two quiet runs: a neighbour's
        slowdown is not the machine's usual wander (under one, a small op's medians jumped
        10x from run to run while a larger one's held), so crowded runs lend nothing."""
        total, count, cells = 0.0, 0, set()
        for key, runs in self._runs.items():
            if key == leave_out:
                continue
            steps = [s for s, a, b in zip(log_steps([r.median for r in runs]), runs, runs[1:])
                     if not (a.crowded or b.crowded)]
            if steps:
                total, count = total + sum(s * s for s in steps), count + len(steps)
                cells.add(key[0])
        return StepPool(total, count, len(cells))

    def attach_and_add(self, result) -> None:
        """Give each timed device of ``result`` its earlier medians and, for a quiet run, the
        pool (a crowded run borrows nothing: the quiet machine's wander would be too narrow
        for it), then remember its own median."""
        crowded = bool(result.contention and result.contention.named)
        timed = [d for d in result.devices if d.times and d.status == "ok"]
        for device in timed:
            key = self.key(result, device)
            device.earlier_medians = [r.median for r in self._runs.get(key, [])[-RECENT_RUNS:]]
            device.step_pool = None if crowded else self.pool(leave_out=key)
        for device in timed:  # added once every device has its pool
            self.add(self.key(result, device), statistics.median(device.times), crowded)
