"""What a %%gpubench run found, as an object (``_`` after the cell) and as JSON.

``to_dict()`` follows ``bench_result`` in dlmagics/protocol.schema.json (the same dict
goes to the sidebar as a "benchmarks" message). ``save(path)`` writes it; ``compare``
sets it against a saved run. What the run warns of is typed (``warning_notes``: error,
warn or info, see ../notes.py), so a view styles by kind, never by the words. Display (HTML,
text, PNG) is render.py's, found through ../views.py: this module never imports a view.
"""

from __future__ import annotations

import json
import math
import os
import statistics
from dataclasses import dataclass, field, replace
from functools import cached_property
from datetime import datetime, timezone
from pathlib import Path

from .. import notes, views
from ..options import finite_number
from .agree import Agreement
from .counting import Work
from .defaults import MAX_BUDGET_S, MAX_WARMUP, WARMUP
from .contention import Contention
from .stats import (NOISY, RepeatInterval, StepPool, Summary, block_medians, drift, drift_ends, paired_speedup,
                    repeat_interval, speedup_interval, summarize)
from .words import format_rate, format_speedup, format_time, plural

FORMAT = "dlmagics.gpubench"
FORMAT_VERSION = 1
MIMES = ("text/plain", "text/html", "image/png")  # what a result's registered views draw
OVERHEAD_PER_OP = 10e-6  # seconds per op below which launch and dispatch costs dominate


class ResultFileError(ValueError):
    """A saved result that cannot be read; the message says which file and why."""


@dataclass
class DeviceResult:
    label: str  # cpu, cpu:1, cuda:0, mps
    kind: str
    name: str
    status: str = "ok"  # ok | out of memory | error | interrupted | not run
    error: str | None = None
    method: str = ""
    threads: int | None = None
    precision: str = "float32"
    times: list[float] = field(default_factory=list)
    blocks: list[int] = field(default_factory=list)  # runs per block, in time order (times is their concatenation)
    earlier_medians: list[float] = field(default_factory=list)  # this cell's earlier runs on this device, this kernel
    step_pool: StepPool | None = None  # the run-to-run steps of this kernel's other cells and devices
    first_call: float | None = None
    stopped: str | None = None  # budget | tight | max_runs | interrupted
    work: Work | None = None
    peak_flops: float | None = None
    peak_bandwidth: float | None = None
    peak_source: str = ""
    peak_memory: int | None = None
    memory_kind: str = ""
    memory_after: int | None = None  # allocator bytes after the run was released (GPU)
    clocks: dict = field(default_factory=dict)
    phases: dict = field(default_factory=dict)  # wall seconds: setup, warm-up, timed runs, counting

    @property
    def summary(self) -> Summary | None:
        """Median, quartiles and the 95% interval a repeat run's median should fall in."""
        if not self.times:
            return None
        s = summarize(self.times)
        r = self.repeat
        return replace(s, ci95=(r.low, r.high)) if r else s

    @property
    def repeat(self) -> RepeatInterval | None:
        if not self.times or not (self.blocks or self.earlier_medians or self.step_pool):
            return None
        s = summarize(self.times)
        return repeat_interval(s.median, s.ci95, self.block_medians, self.earlier_medians, self.step_pool)

    @property
    def block_medians(self) -> list[float]:
        return block_medians(self.times, self.blocks)

    @property
    def drift(self) -> float | None:
        """How much slower (or faster, negative) its last blocks ran than its first."""
        return drift(self.block_medians)

    @property
    def drift_ends(self) -> tuple[float, float] | None:
        """The median of its first blocks and of its last, when they drifted apart."""
        return drift_ends(self.block_medians)

    @property
    def slow_start(self) -> int:
        """How many of its first timed runs ran in blocks nearer the slow early median than
        the fast late one (0 unless it sped up during the run)."""
        ends = self.drift_ends
        if not ends or ends[1] >= ends[0]:
            return 0
        middle, runs = (ends[0] * ends[1]) ** 0.5, 0
        for count, median in zip([b for b in self.blocks if b], self.block_medians):
            if median <= middle:
                break
            runs += count
        return runs

    @property
    def flop_rate(self) -> float | None:
        s = self.summary
        return self.work.flops / s.median if s and self.work and self.work.flops and s.median > 0 else None

    @property
    def byte_rate(self) -> float | None:
        s = self.summary
        return self.work.bytes / s.median if s and self.work and self.work.bytes and s.median > 0 else None

    @property
    def bound(self) -> str | None:
        """What limits the run: launch overhead, memory bandwidth or arithmetic."""
        s = self.summary
        if not s or not self.work or not self.work.ops:
            return None
        if s.median / self.work.ops < OVERHEAD_PER_OP:
            return "launch overhead"
        if not self.work.flops:
            return "memory" if self.work.bytes else None
        if self.peak_flops and self.peak_bandwidth and self.work.bytes:
            intensity = self.work.flops / self.work.bytes  # FLOP per byte
            return "compute" if intensity >= self.peak_flops / self.peak_bandwidth else "memory"
        return None

    def to_dict(self, times: bool = True) -> dict:
        s = self.summary
        d = {
            "device": self.label, "kind": self.kind, "name": self.name, "status": self.status,
            "error": self.error, "method": self.method, "threads": self.threads, "precision": self.precision,
            "runs": s.runs if s else 0, "median_s": s.median if s else None, "iqr_s": s.iqr if s else None,
            "ci95_s": list(s.ci95) if s else None, "noisy": s.noisy if s else None,
            "first_call_s": self.first_call, "stopped": self.stopped,
            "flops": self.work.flops if self.work else None, "bytes": self.work.bytes if self.work else None,
            "ops": self.work.ops if self.work else None,
            "flop_rate": self.flop_rate, "byte_rate": self.byte_rate,
            "peak_flop_rate": self.peak_flops, "peak_byte_rate": self.peak_bandwidth,
            "peak_source": self.peak_source, "bound": self.bound,
            "peak_mem": self.peak_memory, "memory_kind": self.memory_kind, "memory_after": self.memory_after,
            "clocks": self.clocks, "phases_s": dict(self.phases),
        }
        if times:
            d["times_s"] = list(self.times)
            d["blocks"] = list(self.blocks)
            d["earlier_medians_s"] = list(self.earlier_medians)
            if self.step_pool is not None:
                d["step_pool"] = self.step_pool.to_dict()
        return d


@dataclass(frozen=True)
class Speedup:
    device: str
    over: str
    speedup: float
    ci95: tuple[float, float]

    @property
    def words(self) -> str:
        """The speedup as the report says it (the sidebar shows these words as they are)."""
        return format_speedup(self.speedup, self.ci95)

    def to_dict(self) -> dict:
        return {"device": self.device, "over": self.over, "speedup": self.speedup, "ci95": list(self.ci95),
                "words": self.words}


@dataclass
class BenchResult:
    devices: list[DeviceResult]
    timed_source: str
    setup_source: str | None
    setup_timed: bool  # the cell had no '# timed' line: setup is in the timed part
    precision: str
    precision_forced: bool
    agreement: list[Agreement] = field(default_factory=list)
    agreement_note: str = ""
    checked_variable: str | None = None
    environment: dict = field(default_factory=dict)
    sweep: dict | None = None  # {"name": ..., "value": ...} for one point of a sweep
    created: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))
    interrupted: bool = False
    changes: list[dict] | None = None  # against a saved run (--compare), see compare()
    wall_s: float | None = None  # the whole run, every device, as the learner waited for it
    cell_id: str | None = None  # the notebook cell that ran it, when the frontend said
    default_devices: bool = False  # the learner named no devices (-d): every device there is ran
    warmup: int = WARMUP  # untimed runs before each device's first block
    contention: Contention | None = None  # what else used the CPU and the GPUs during the timed runs

    # -- derived -------------------------------------------------------------------
    def device(self, label: str) -> DeviceResult | None:
        return next((d for d in self.devices if d.label == label), None)

    @property
    def baseline(self) -> DeviceResult | None:
        """The device speedups are measured against: the CPU with all threads, else the
        first CPU entry, else the first device with runs."""
        timed = [d for d in self.devices if d.times]
        cpus = [d for d in timed if d.kind == "cpu"]
        return next((d for d in cpus if d.label == "cpu"), None) or (cpus or timed or [None])[0]

    @cached_property
    def speedups(self) -> list[Speedup]:
        """Each device against the baseline (computed once: a result is complete when the
        runner returns it)."""
        base = self.baseline
        if base is None or base.summary.median <= 0:  # a clock that read 0 s: no ratio to give
            return []
        return [speedup(base, d) for d in self.devices if d is not base and d.times and d.summary.median > 0]

    @property
    def warning_notes(self) -> list[notes.Note]:
        """What the run warns of, each with its kind: error (the outputs disagree), warn (the
        figures are shaky: noisy or drifting runs), info (how to read them or measure better)."""
        found = [notes.warn(line) for line in drift_lines(self.devices, self.warmup)]
        if self.setup_timed:
            found.append(notes.info("No '# timed' line: the whole cell is timed, setup included. "
                                    "Put setup above a '# timed' line."))
        for d in self.devices:
            s = d.summary
            if s and s.noisy:
                found.append(notes.warn(f"{d.label}: the runs are noisy (IQR is {s.relative_iqr:.0%} of the median); "
                                        "other programs or clock changes may be interfering, so treat the figures "
                                        "as rough."))
            if s and s.median > 0 and s.runs < 6 and (s.ci95[1] - s.ci95[0]) / 2 >= NOISY * s.median:
                found.append(notes.info(few_runs_words(d.label, s)))
            if held_clock(d.clocks):
                c = d.clocks
                found.append(notes.info(f"{d.label} ran at {c['sm_clock_mhz']:,} MHz as its runs ended, "
                                        f"{c['sm_clock_mhz'] / c['max_sm_clock_mhz']:.0%} of its top clock of "
                                        f"{c['max_sm_clock_mhz']:,} MHz, held down by {' and '.join(c['held_by'])} "
                                        "(NVML): its figures are for that clock, and a longer run may be slower."))
            if d.kind == "cpu" and d.flop_rate and d.peak_flops and d.flop_rate > d.peak_flops:
                found.append(notes.info(f"{d.label}: {format_rate(d.flop_rate)}, above its estimated peak of "
                                        f"{format_rate(d.peak_flops)}: the estimate is cores x the clock the CPU "
                                        "reports x FLOPs per cycle, and the CPU ran faster than that clock (turbo "
                                        "boost, or a virtual machine's nominal clock); take the estimate as a floor."))
            if d.work and d.work.ops and not d.work.flops and d.status == "ok":
                found.append(notes.info(f"{d.label}: no FLOPs counted (FlopCounterMode counts matmuls, convolutions "
                                        "and attention, not element-wise ops); bandwidth is the measure here."))
        timed = [d for d in self.devices if d.times]
        if self.default_devices and len(timed) == 1 and timed[0].kind == "cpu" and (timed[0].threads or 1) > 1:
            found.append(notes.info(f"Only the CPU is here, so nothing is compared: -d cpu,cpu:1 times it on its "
                                    f"{timed[0].threads} threads against 1 thread, and checks that the two agree."))
        found += [notes.warn(line) for line in (self.contention.lines if self.contention else [])]
        if any(not a.agrees for a in self.agreement):
            found.insert(0, notes.error("The devices' outputs DISAGREE: see the agreement line; the timings compare "
                                        "different results."))
        return found

    @property
    def warnings(self) -> list[str]:
        """The warnings' words (``warning_notes`` has their kinds)."""
        return [note.text for note in self.warning_notes]

    # -- JSON ----------------------------------------------------------------------
    def to_dict(self, times: bool = True) -> dict:
        base = self.baseline
        return {
            "format": FORMAT, "version": FORMAT_VERSION, "created": self.created,
            "cell": {"timed": self.timed_source, "setup": self.setup_source, "setup_timed": self.setup_timed},
            "precision": {"name": self.precision, "forced": self.precision_forced},
            "sweep": self.sweep,
            "interrupted": self.interrupted, "wall_s": self.wall_s, "cell_id": self.cell_id,
            "devices": [d.to_dict(times) for d in self.devices],
            "baseline": base.label if base else None,
            "speedups": [s.to_dict() for s in self.speedups],
            "agreement": {"checked": bool(self.agreement), "variable": self.checked_variable,
                          "note": self.agreement_note, "results": [a.to_dict() for a in self.agreement]},
            "environment": self.environment,
            "warnings": [note.to_dict() for note in self.warning_notes],
            "comparison": self.changes,
            "contention": self.contention.to_dict() if self.contention else None,
        }

    def save(self, path: str | os.PathLike) -> Path:
        return save_json(self.to_dict(), path)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        return mime_bundle(self)

    def __str__(self) -> str:
        return plain_text(self)

    def compare(self, saved: dict | str | os.PathLike) -> list[dict]:
        """Each device's change against a saved run: new median / old median, with a
        bootstrap interval; 'faster' or 'slower' only when the interval excludes 1.
        The changes are kept on the result (and shown with it)."""
        old = load_json(saved) if not isinstance(saved, dict) else saved
        runs = _single_runs(old)
        match = next((r for r in runs if self.sweep and r.get("sweep") == self.sweep), runs[-1])
        old_devices = {d["device"]: d for d in match["devices"]}
        changes = []
        for d in self.devices:
            before = old_devices.get(d.label)
            if not d.times or not before or not before.get("times_s"):
                continue
            ratio, *ci = speedup_interval(d.times, before["times_s"])  # new median / old median
            verdict = "slower" if ci[0] > 1 else "faster" if ci[1] < 1 else "no clear change"
            changes.append({"device": d.label, "ratio": ratio, "ci95": ci, "verdict": verdict,
                            "old_median_s": statistics.median(before["times_s"]), "old_created": old.get("created")})
        self.changes = changes
        return changes


def mime_bundle(result) -> dict:
    """The result as each MIME type its registered views draw (render.py for a run)."""
    drawn = {mime: views.render(result, mime) for mime in MIMES}
    return {mime: data for mime, data in drawn.items() if data is not None}


def plain_text(result) -> str:
    """The result's registered plain-text view (the dataclass repr when none is registered)."""
    drawn = views.render(result, "text/plain")
    return repr(result) if drawn is None else drawn


def speedup(base: DeviceResult, other: DeviceResult) -> Speedup:
    """How many times faster ``other`` runs than ``base``: from the blocks the two ran side
    by side (a slow phase of the machine cancels in each round's ratio), or, with too few
    blocks, the ratio of the medians with a bootstrap interval."""
    point, lo, hi = paired_speedup(base.block_medians, other.block_medians) or speedup_interval(base.times, other.times)
    return Speedup(other.label, base.label, point, (lo, hi))


def few_runs_words(label: str, s: Summary) -> str:
    """Few runs and a wide interval: how long a budget gives about ten runs."""
    words = (f"{label}: only {s.runs} runs of about {format_time(s.median)} fit in the budget, so its 95% interval is "
             f"wide ({format_time(s.ci95[0])} to {format_time(s.ci95[1])})")
    step = 10 ** math.floor(math.log10(10 * s.median))
    budget = math.ceil(10 * s.median / step) * step  # rounded up to one figure: 3.7 s -> 4, 27 s -> 30
    return words + (f"; --budget {budget:g} gives about 10 runs." if budget <= MAX_BUDGET_S else ".")


def drift_lines(devices: list[DeviceResult], warmup: int = WARMUP) -> list[str]:
    """Each device whose runs drifted, in words with its times; one line for the machine when
    all did alike."""
    timed = [d for d in devices if d.status == "ok" and d.times]
    moved = [d for d in timed if d.drift_ends]
    if not moved:
        return []
    slower = [d.drift_ends[1] > d.drift_ends[0] for d in moved]
    if len(timed) > 1 and len(moved) == len(timed) and len(set(slower)) == 1:
        times = "; ".join(f"{d.label}: {_from_to(d)}" for d in moved)
        if slower[0]:
            return [f"Every device's later runs took longer than its first ({times}): the machine slowed during the "
                    "run (another program started, or the CPU got hot and lowered its clock). The intervals are wide "
                    "because of it; run the cell again when the machine is quiet."]
        return [f"Every device's later runs were faster than its first ({times}): the first runs were still warming up "
                "(memory, caches, threads, the clock speeding up), or another program had just stopped. The "
                "intervals are wide because of it; more untimed runs first (--warmup) leave the slow start out."]
    lines = []
    for d in moved:
        if d.drift_ends[1] > d.drift_ends[0]:
            lines.append(f"{d.label} ran slower in its later runs than in its first ({_from_to(d)}): another program "
                         "may have started, or the device got hot and lowered its clock. Its interval is wide because "
                         "of it; run the cell again when the machine is quiet.")
        else:
            lines.append(f"{d.label} ran its first {plural(d.slow_start, 'timed run')} slower than the rest "
                         f"({_from_to(d)}): it was still warming up (memory, caches, threads, the clock speeding up), "
                         "or another program had just stopped. Its interval is wide because of it; more untimed runs "
                         f"first {_more_warmup(warmup + d.slow_start)}")
    return lines


def _more_warmup(runs: int) -> str:
    """The --warmup that leaves ``runs`` slow runs out, within what the magic takes."""
    if runs <= MAX_WARMUP:
        return f"(--warmup {runs} or more) leave the slow start out."
    return (f"leave the slow start out: --warmup {MAX_WARMUP} (the most it takes), or run the cell once before "
            "(its slow start is then over).")


def _from_to(d: DeviceResult) -> str:
    before, after = d.drift_ends
    return f"{format_time(before)} at first, {format_time(after)} at the end"


def _single_runs(data: dict):
    return data.get("runs") if data.get("sweep_of") else [data]


def save_json(data: dict, path: str | os.PathLike) -> Path:
    """Write atomically: a crash mid-write leaves the old file, never half a new one."""
    from ..files import FileProblem, write_text

    try:
        return write_text(path, json.dumps(data, indent=1))
    except FileProblem as error:
        raise ResultFileError(str(error)) from None


def load_json(path: str | os.PathLike) -> dict:
    """A saved result, checked down to each device's times: a file edited by hand or written
    by something else is refused here in one line, before any run, not in the middle of one."""
    from ..files import FileProblem, loads_json, read_text

    try:
        data = loads_json(read_text(path), str(path))
    except FileProblem as error:
        raise ResultFileError(str(error)) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ResultFileError(f"{path} is not a saved %%gpubench result")
    runs = _single_runs(data)
    if not isinstance(runs, list) or not runs or not all(isinstance(r, dict) and isinstance(r.get("devices"), list)
                                                          for r in runs):
        raise ResultFileError(f"{path} is a damaged %%gpubench result (no device list)")
    for run in runs:
        for d in run["devices"]:
            problem = _device_problem(d)
            if problem:
                raise ResultFileError(f"{path} is a damaged %%gpubench result ({problem})")
        if isinstance(run.get("warnings"), list):  # typed once here: a file saved before kinds has strings
            run["warnings"] = [n.to_dict() for n in map(notes.Note.from_saved, run["warnings"]) if n is not None]
    return data


def _device_problem(d) -> str | None:
    """What is wrong with one saved device entry, or None."""
    if not isinstance(d, dict) or not isinstance(d.get("device"), str):
        return "a device entry without its name"
    times = d.get("times_s", [])
    if not isinstance(times, list) or not all(finite_number(t) and t > 0 for t in times):
        return f"{d['device']}: times must be a list of positive seconds"
    return None


CLOCK_HELD = 0.95  # an SM clock below 95% of its top, with a reason NVML gives, is named


def held_clock(clocks: dict) -> bool:
    """NVML said why the GPU's clock was below its top as the runs ended (power, heat)."""
    top, now = clocks.get("max_sm_clock_mhz"), clocks.get("sm_clock_mhz")
    return bool(clocks.get("held_by")) and bool(top) and now is not None and now < CLOCK_HELD * top
