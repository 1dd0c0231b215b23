"""``--sweep n=256,512,1024``: the cell once per value, and where the GPU overtakes the CPU.

Display is render_sweep.py's, registered in ../views.py: this module never imports it.
"""

from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass
from pathlib import Path

from .result import FORMAT, FORMAT_VERSION, BenchResult, mime_bundle, plain_text, save_json

SYNTAX = "VAR=v1,v2,... (a Python name, then at least two numbers or quoted strings)"
MAX_VALUES = 64  # a chart shows 64 points apart; a 1,000-value sweep took 25 s and printed hundreds of lines


class SweepError(ValueError):
    pass


def parse_sweep(text: str) -> tuple[str, list]:
    name, sep, values = text.partition("=")
    name = name.strip()
    if not sep or not re.fullmatch(r"[A-Za-z_]\w*", name):
        raise SweepError(f"'{text}' is not {SYNTAX}")
    if name in ("device", "dtype", "torch", "nn"):
        raise SweepError(f"'{name}' is set by %%gpubench itself; sweep another name")
    parsed = []
    for token in values.split(","):
        try:
            value = ast.literal_eval(token.strip())
        except (ValueError, SyntaxError):
            raise SweepError(f"'{token.strip()}' in --sweep is not a number or a quoted string; use {SYNTAX}") from None
        if not isinstance(value, (int, float, str)) or isinstance(value, bool):
            raise SweepError(f"'{token.strip()}' in --sweep is not a number or a quoted string; use {SYNTAX}")
        parsed.append(value)
    if len(parsed) < 2:
        raise SweepError(f"--sweep needs at least two values: {SYNTAX}")
    if len(parsed) > MAX_VALUES:
        raise SweepError(f"--sweep takes at most {MAX_VALUES} values, got {len(parsed)}: sweep every few values "
                         f"(e.g. powers of two) or split it over cells")
    if len(set(parsed)) != len(parsed):
        raise SweepError("--sweep lists a value twice")
    return name, parsed


def check_sweep_time(values: int, devices: int, budget: float, most: float) -> None:
    """A sweep whose timed runs alone (values x devices x budget) would take more than ``most``
    seconds: a SweepError that says how to narrow it."""
    asked = values * devices * budget
    if asked > most:
        raise SweepError(f"--sweep of {values} values on {devices} device{'s' if devices != 1 else ''} at --budget "
                         f"{budget:g} asks for {asked / 60:.0f} min of timed runs, over the {most / 60:g} min one line "
                         "may take: sweep fewer values, name fewer devices (-d) or give a smaller --budget")


@dataclass
class BenchSweep:
    name: str
    values: list
    runs: list[BenchResult]

    @property
    def labels(self) -> list[str]:
        seen: list[str] = []
        for run in self.runs:
            seen += [d.label for d in run.devices if d.label not in seen]
        return seen

    def crossovers(self) -> dict[str, object]:
        """For each device, the first value from which it is faster than the baseline
        with confidence (the interval above 1) for every larger value."""
        found = {}
        for label in self.labels:
            beats = []
            for value, run in zip(self.values, self.runs):
                sp = next((s for s in run.speedups if s.device == label), None)
                beats.append(sp is not None and sp.ci95[0] > 1)
            for i in range(len(beats)):
                if all(beats[i:]):
                    found[label] = self.values[i]
                    break
        return found

    def compare(self, saved) -> None:
        for run in self.runs:
            run.compare(saved)

    def to_dict(self, times: bool = True) -> dict:
        return {"format": FORMAT, "version": FORMAT_VERSION, "sweep_of": self.name, "values": list(self.values),
                "crossovers": self.crossovers(), "runs": [r.to_dict(times) for r in self.runs]}

    def save(self, path: str | os.PathLike) -> Path:
        return save_json(self.to_dict(), path)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        return mime_bundle(self)  # drawn by render_sweep.py, found through ../views.py

    def __str__(self) -> str:
        return plain_text(self)
