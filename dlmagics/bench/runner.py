"""Run one cell on each device: set up once per device, time the rest in blocks interleaved
across the devices, count its work, keep its output.

Interleaving (cpu, cuda:0, cpu, cuda:0 ...) puts a slow phase of the machine on every device
alike, not on whichever ran then, and the spread of a device's blocks is what its interval is
built from (stats.repeat_interval). So every device's setup lives until the last round (a
second CPU device holds a second copy of the cell's tensors). A device that fails (out of
memory, an exception in the cell) is marked and its memory released; the others go on.
Ctrl-C stops the run and keeps what was measured.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import Callable

from ..hardware.devices import Device
from ..notes import clip
from .agree import TOLERANCE, compare, keep_output, last_assigned_name
from .backends import backend_for, is_out_of_memory
from .cell import FILENAME, SplitCell
from .contention import Watch
from .counting import count_work
from .defaults import BUDGET_S, MIN_RUNS, ROUNDS, WARMUP
from .environment import environment
from .history import RunHistory
from .precision import Precision, applied
from .result import BenchResult, DeviceResult
from .seeding import same_random_numbers
from .timing import measure

MAX_RUNS = 10_000  # a device's timed runs at most (an empty cell would otherwise fill memory)


@dataclass(frozen=True)
class Options:
    precision: Precision
    budget: float = BUDGET_S  # seconds of timing per device
    warmup: int = WARMUP
    min_runs: int = MIN_RUNS
    check: bool = True
    rounds: int = ROUNDS  # blocks per device, interleaved
    wall: Callable[[], float] = time.perf_counter  # the clock the budget is spent on (a test passes a fake one)
    reader: Callable | None = None  # reads the machine's CPU and GPU use (contention.read; a test passes a fake)
    cores: int | None = None  # the cores the run may use (None: this process's affinity)


def run_cell(cell: SplitCell, devices: list[Device], options: Options, namespace: dict,
             extra: dict | None = None, sweep: dict | None = None, progress=None,
             history: RunHistory | None = None) -> BenchResult:
    """``namespace``: the user's variables (copied per device, never changed); ``extra``:
    names to set for this run (a sweep's variable); ``progress``: told as each device is set
    up (``device(label)``), as each block starts (``block(label, round)``) and after each run
    (``ran(measurement)``), or None; ``history``: this cell's earlier runs in the kernel,
    added to (their spread widens the intervals)."""
    started = time.perf_counter()
    check_name = last_assigned_name(cell.timed_source) if options.check else None
    result = BenchResult(devices=[], timed_source=cell.timed_source, setup_source=cell.setup_source,
                         setup_timed=not cell.has_marker, precision=options.precision.name,
                         precision_forced=options.precision.forced, checked_variable=check_name, sweep=sweep,
                         warmup=options.warmup)
    lanes = [Lane(cell, device, options, {**namespace, **(extra or {})}, check_name, progress) for device in devices]
    try:
        for lane in lanes:
            if not result.interrupted:
                result.interrupted = lane.set_up()
        if not result.interrupted:
            wanted = max((lane.outcome.threads or 1 for lane in lanes if lane.outcome.kind == "cpu"), default=1)
            watch = Watch({d.label: d.index for d in devices if d.kind == "cuda"}, options.reader, options.cores, wanted)
            watch.start()
            result.interrupted = interleave(lanes, options, progress)
            result.contention = watch.stop()
        outputs, counted = {}, {}
        for lane in lanes:
            output = lane.finish(counted, result.interrupted)
            if output is not None:
                outputs[lane.outcome.label] = output
    finally:
        for lane in lanes:
            lane.release()  # every device's tensors go, whatever happened
    result.devices = [lane.outcome for lane in lanes]
    if history is not None:
        history.attach_and_add(result)
    _check_agreement(result, outputs, check_name, options)
    result.environment = environment(result.devices)
    result.wall_s = time.perf_counter() - started
    return result


def interleave(lanes: list[Lane], options: Options, progress=None) -> bool:
    """Round after round, a block of runs on each device still going, until each has had
    its ``rounds`` blocks and ``min_runs`` runs (a cell slower than a block's share of the
    budget: until it spent the budget on at least ``min_runs`` runs). True when Ctrl-C
    stopped it."""
    block_s = options.budget / max(options.rounds, 1)
    round_index = 0
    while True:
        going = [lane for lane in lanes if lane.wants_more(options)]
        if not going:
            return False
        for lane in going:
            if progress is not None:
                progress.block(lane.outcome.label, round_index)
            if lane.block(block_s, warmup=options.warmup if round_index == 0 else 0):
                return True
        round_index += 1


def more_blocks(times: list[float], blocks: list[int], timed_s: float, options: Options) -> bool:
    """Whether a device that ran ``times`` in ``blocks``, ``timed_s`` seconds of them, gets
    another block. A cell whose runs outlast a block's share of the budget stops once the
    budget is spent (a 2 s run is not run five times for a 1.5 s budget); a faster one has
    all its rounds, however long a busy machine makes them."""
    if len(times) >= MAX_RUNS:
        return False
    if len(times) < options.min_runs:
        return True
    if len(blocks) >= options.rounds:
        return False
    slow = statistics.median(times) >= options.budget / max(options.rounds, 1)
    return not (slow and timed_s >= options.budget)


class Lane:
    """One device's share of a run: its backend, its copy of the namespace, its outcome so far."""

    def __init__(self, cell: SplitCell, device: Device, options: Options, namespace: dict, check_name: str | None,
                 progress):
        self.cell, self.device, self.options, self.check_name, self.progress = cell, device, options, check_name, progress
        self.namespace = namespace
        self.outcome = DeviceResult(device.label, device.kind, "")
        self.backend = None
        self.ns: dict = {}
        self.timed_s = 0.0

    def run(self) -> None:
        exec(self.cell.timed, self.ns)

    def set_up(self) -> bool:
        """The backend and the cell's setup code; True when Ctrl-C stopped it."""
        import torch

        if self.progress is not None:
            self.progress.device(self.device.label)
        try:
            self.backend = backend = backend_for(self.device)
        except Exception as error:  # a device that vanished or a driver that broke since detection
            self.outcome.status, self.outcome.error = "error", f"cannot use {self.device.label}: {error}"
            return False
        o = self.outcome
        o.kind, o.name, o.method, o.threads = backend.kind, backend.name, backend.method, getattr(backend, "threads", None)
        o.precision, o.memory_kind, o.peak_source = (self.options.precision.on(backend.kind), backend.memory_kind,
                                                     backend.peak_source)
        self.ns = dict(self.namespace, torch=torch, nn=torch.nn, device=torch.device(backend.torch_device),
                       dtype=self.options.precision.torch_dtype)

        def setup():
            began = time.perf_counter()
            if self.cell.setup is not None:
                with same_random_numbers():
                    exec(self.cell.setup, self.ns)
            o.phases["setup"] = time.perf_counter() - began
            backend.reset_peak()

        return self._guarded(setup)

    def wants_more(self, options: Options) -> bool:
        o = self.outcome
        return o.status == "ok" and self.backend is not None and more_blocks(o.times, o.blocks, self.timed_s, options)

    def block(self, seconds: float, warmup: int) -> bool:
        """One block of timed runs (the first with the warm-up); True when Ctrl-C stopped it."""
        o = self.outcome

        def timed_block():
            measured = measure(self.run, self.backend.clock, budget=seconds, min_runs=1, warmup=warmup,
                               max_runs=MAX_RUNS - len(o.times), wall=self.options.wall,
                               on_run=self.progress.ran if self.progress is not None else None)
            if warmup:
                o.first_call, o.phases["warm-up"] = measured.first_call, measured.warmup_s
            if measured.times:
                o.times += measured.times
                o.blocks.append(len(measured.times))
            o.stopped = measured.stopped
            self.timed_s += measured.timed_s
            o.phases["timed runs"] = self.timed_s
            if measured.stopped == "interrupted":
                raise KeyboardInterrupt

        return self._guarded(timed_block)

    def finish(self, counted: dict, interrupted: bool):
        """After the last block: peaks, clocks, the work counted; the output to compare (or None)."""
        o = self.outcome
        if interrupted and o.times:
            o.status = "interrupted"
        elif interrupted and o.status == "ok":
            o.status, o.error = "not run", "stopped by Ctrl-C before this device"
        if o.status != "ok":
            return None
        output = []

        def count():
            o.peak_memory = self.backend.peak_memory()
            # One more run, counted, with the same random numbers everywhere: its output is the
            # one compared. The same code on the same kind of device does the same work, so a
            # second CPU skips it, unless the code draws random numbers and its output is compared.
            key = (self.backend.kind, o.precision)
            if key not in counted or (counted[key].random and self.check_name):
                began = time.perf_counter()
                with same_random_numbers():
                    counted[key] = count_work(self.run)
                o.phases["counting"] = time.perf_counter() - began
            o.work = counted[key]
            output.append(keep_output(self.ns.get(self.check_name)) if self.check_name else None)
            o.peak_flops = self.backend.peak_flops(o.precision)
            if o.work.bytes:
                o.peak_bandwidth = self.backend.peak_bandwidth()
            o.clocks = self.backend.clocks()

        self._guarded(count)
        return output[0] if output and o.status == "ok" else None

    def release(self) -> None:
        self.ns.clear()  # the cell's tensors go now
        if self.backend is None:
            return
        o = self.outcome
        if o.peak_memory is None and o.status != "ok":
            try:
                o.peak_memory = self.backend.peak_memory()
            except Exception:
                pass
        self.backend.release()
        o.memory_after = self.backend.allocated()  # None on the CPU
        self.backend = None

    def _guarded(self, step) -> bool:
        """Run ``step`` on this device (its threads, its precision); a failure marks the device
        and the others go on. True when Ctrl-C stopped it."""
        o = self.outcome
        try:
            with self.backend.active(), applied(self.options.precision):
                step()
        except KeyboardInterrupt:
            o.status, o.stopped = "interrupted", "interrupted"
            if not o.times:
                o.error = "stopped by Ctrl-C"
            return True
        except (Exception, SystemExit) as error:  # exit() in the cell ends this device's runs, not the kernel
            if is_out_of_memory(error):
                o.status = "out of memory"
                o.error = clip(str(error).strip().splitlines()[0]) if str(error).strip() else type(error).__name__
            else:
                o.status, o.error = "error", describe_error(error)
            self.release()
        return False


def describe_error(error: BaseException) -> str:
    """'line 3: NameError: name 'q' is not defined', the line being the cell's own."""
    line, tb = None, error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == FILENAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    text = clip(f"{type(error).__name__}: {error}".strip().splitlines()[0])
    return f"line {line}: {text}" if line else text



def _check_agreement(result: BenchResult, outputs: dict, check_name: str | None, options: Options) -> None:
    if not options.check:
        result.agreement_note = "not checked (--no-check)"
        return
    if check_name is None:
        result.agreement_note = "not checked: the timed code assigns no variable to compare"
        return
    if len(outputs) < 2:
        ran = [d for d in result.devices if d.status == "ok"]
        if len(ran) >= 2:
            result.agreement_note = f"not checked: '{check_name}' is not a tensor"
        elif len(result.devices) == 1:
            result.agreement_note = "not checked: one device ran, so there is nothing to compare it with"
        else:
            result.agreement_note = "not checked: fewer than two devices produced an output"
        return
    base = result.baseline
    reference = base.label if base and base.label in outputs else next(iter(outputs))
    precisions = {d.label: d.precision for d in result.devices}
    for label, out in outputs.items():
        if label != reference:
            loosest = max(precisions[label], precisions[reference], key=lambda p: TOLERANCE.get(p, 0))
            result.agreement.append(compare(label, reference, out, outputs[reference], loosest))
