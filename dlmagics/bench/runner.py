"""Run one cell on each device: setup once, time the rest, count its work, keep its output.

A device that fails (out of memory, an exception in the cell) is marked and its memory
released; the other devices still run. Ctrl-C stops the run and keeps what was measured.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ..hardware.devices import Device
from .agree import TOLERANCE, compare, keep_output, last_assigned_name
from .backends import backend_for, is_out_of_memory
from .cell import FILENAME, SplitCell
from .counting import Work, count_work
from .defaults import BUDGET_S, MIN_RUNS, WARMUP
from .environment import environment
from .precision import Precision, applied
from .result import BenchResult, DeviceResult
from .seeding import same_random_numbers
from .timing import measure


@dataclass(frozen=True)
class Options:
    precision: Precision
    budget: float = BUDGET_S  # seconds of timing per device
    warmup: int = WARMUP
    min_runs: int = MIN_RUNS
    check: bool = True


def run_cell(cell: SplitCell, devices: list[Device], options: Options, namespace: dict,
             extra: dict | None = None, sweep: dict | None = None, progress=None) -> BenchResult:
    """``namespace``: the user's variables (copied per device, never changed); ``extra``:
    names to set for this run (a sweep's variable); ``progress``: told as each device
    starts (``device(label)``) and after each run (``ran(measurement)``), or None."""
    started = time.perf_counter()
    check_name = last_assigned_name(cell.timed_source) if options.check else None
    result = BenchResult(devices=[], timed_source=cell.timed_source, setup_source=cell.setup_source,
                         setup_timed=not cell.has_marker, precision=options.precision.name,
                         precision_forced=options.precision.forced, checked_variable=check_name, sweep=sweep)
    outputs = {}
    counted: dict[tuple[str, str], Work] = {}  # the same code on the same kind of device: the same work
    for device in devices:
        if result.interrupted:
            result.devices.append(DeviceResult(device.label, device.kind, "", status="not run",
                                               error="stopped by Ctrl-C before this device"))
            continue
        if progress is not None:
            progress.device(device.label)
        outcome, output = _run_device(cell, device, options, {**namespace, **(extra or {})}, check_name,
                                      counted, progress)
        result.devices.append(outcome)
        result.interrupted = outcome.status == "interrupted" or outcome.stopped == "interrupted"
        if output is not None:
            outputs[device.label] = output
    _check_agreement(result, outputs, check_name, options)
    result.environment = environment(result.devices)
    result.wall_s = time.perf_counter() - started
    return result


def _run_device(cell: SplitCell, device: Device, options: Options, namespace: dict, check_name: str | None,
                counted: dict, progress) -> tuple[DeviceResult, object]:
    import torch

    try:
        backend = backend_for(device)
    except Exception as error:  # a device that vanished or a driver that broke since detection
        return DeviceResult(device.label, device.kind, "", status="error", error=f"cannot use {device.label}: {error}"), None
    outcome = DeviceResult(device.label, backend.kind, backend.name, method=backend.method,
                           threads=getattr(backend, "threads", None), precision=options.precision.on(backend.kind),
                           memory_kind=backend.memory_kind, peak_source=backend.peak_source)
    ns = dict(namespace, torch=torch, nn=torch.nn, device=torch.device(backend.torch_device),
              dtype=options.precision.torch_dtype)
    output = None

    def run():
        exec(cell.timed, ns)

    phases = outcome.phases
    try:
        with backend.active(), applied(options.precision):
            began = time.perf_counter()
            if cell.setup is not None:
                with same_random_numbers():
                    exec(cell.setup, ns)
            phases["setup"] = time.perf_counter() - began
            backend.reset_peak()
            measured = measure(run, backend.clock, budget=options.budget, min_runs=options.min_runs,
                               warmup=options.warmup, on_run=progress.ran if progress is not None else None)
            outcome.times, outcome.first_call, outcome.stopped = measured.times, measured.first_call, measured.stopped
            phases["warm-up"], phases["timed runs"] = measured.warmup_s, measured.timed_s
            outcome.peak_memory = backend.peak_memory()
            if measured.stopped == "interrupted":
                outcome.status = "interrupted"
            else:
                # One more run, counted, with the same random numbers everywhere: its output is the
                # one compared. The same code on the same kind of device does the same work, so a
                # second CPU skips it, unless the code draws random numbers and its output is compared.
                key = (backend.kind, outcome.precision)
                if key not in counted or (counted[key].random and check_name):
                    began = time.perf_counter()
                    with same_random_numbers():
                        counted[key] = count_work(run)
                    phases["counting"] = time.perf_counter() - began
                outcome.work = counted[key]
                output = keep_output(ns.get(check_name)) if check_name else None
                outcome.peak_flops = backend.peak_flops(outcome.precision)
                if outcome.work.bytes:
                    outcome.peak_bandwidth = backend.peak_bandwidth()
                outcome.clocks = backend.clocks()
    except KeyboardInterrupt:
        outcome.status, outcome.error = "interrupted", "stopped by Ctrl-C"
    except (Exception, SystemExit) as error:  # exit() in the cell ends this device's runs, not the kernel
        if is_out_of_memory(error):
            outcome.status = "out of memory"
            outcome.error = str(error).strip().splitlines()[0][:300] if str(error).strip() else type(error).__name__
        else:
            outcome.status, outcome.error = "error", describe_error(error)
    finally:
        if outcome.peak_memory is None and outcome.status != "ok":
            try:
                outcome.peak_memory = backend.peak_memory()
            except Exception:
                pass
        ns.clear()  # the cell's tensors go now, before the next device runs
        backend.release()
        outcome.memory_after = backend.allocated()  # None on the CPU
    return outcome, output


def describe_error(error: BaseException) -> str:
    """'line 3: NameError: name 'q' is not defined', the line being the cell's own."""
    line, tb = None, error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == FILENAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    text = f"{type(error).__name__}: {error}".strip().splitlines()[0][:300]
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
        result.agreement_note = (f"not checked: '{check_name}' is not a tensor" if len(ran) >= 2
                                 else "not checked: fewer than two devices produced an output")
        return
    base = result.baseline
    reference = base.label if base and base.label in outputs else next(iter(outputs))
    precisions = {d.label: d.precision for d in result.devices}
    for label, out in outputs.items():
        if label != reference:
            loosest = max(precisions[label], precisions[reference], key=lambda p: TOLERANCE.get(p, 0))
            result.agreement.append(compare(label, reference, out, outputs[reference], loosest))
