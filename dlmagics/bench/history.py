"""The medians of a cell's earlier runs in this kernel, per device: how much a repeat of the
cell has moved so far is part of the interval a new run shows (stats.repeat_interval)."""

from __future__ import annotations

import json
import statistics

from .stats import RECENT_RUNS


class RunHistory:
    def __init__(self):
        self._medians: dict[str, list[float]] = {}

    @staticmethod
    def key(result, device) -> str:
        """The same code, setup, precision and sweep value on the same device."""
        return json.dumps([result.timed_source, result.setup_source, device.label, device.precision,
                           result.sweep and repr(result.sweep.get("value"))])

    def attach_and_add(self, result) -> None:
        """Give each timed device of ``result`` its earlier medians, then remember its own."""
        for device in result.devices:
            if not device.times or device.status != "ok":
                continue
            medians = self._medians.setdefault(self.key(result, device), [])
            device.earlier_medians = medians[-RECENT_RUNS:]
            medians.append(statistics.median(device.times))
            del medians[:-RECENT_RUNS]
