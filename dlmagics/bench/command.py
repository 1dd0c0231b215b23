"""%%gpubench from parsed options to a result: check the options, run, save, compare.

Every bad option becomes a ``BenchUsageError`` with one line that says what is allowed;
the magic turns it into IPython's UsageError. Faults inside the cell do not raise: the
result records them per device, unless every device failed.
"""

from __future__ import annotations

from dataclasses import replace

from .. import autograde
from ..hardware.devices import Available, DeviceError, parse_devices
from ..options import OptionError, bounded
from .cell import CellError, TimesItself, split_cell
from .defaults import MAX_BUDGET_S, MAX_WARMUP
from .precision import PrecisionError, parse_precision
from .progress import Progress
from .result import ResultFileError, load_json
from .runner import Options, run_cell
from .sweep import BenchSweep, SweepError, check_sweep_time, parse_sweep

MAX_MIN_RUNS = 10_000


class BenchUsageError(OptionError):
    pass


class CellToRewrite(BenchUsageError):
    """A cell that times itself: the message shows it rewritten, which the usage line would bury."""

    with_usage = False


class CellFailed(OptionError):
    """Every device failed: a bug in the cell, which the usage line would not help with."""

    with_usage = False


def _count(text: str, low: int, high: int, option: str) -> int:
    return bounded(text, int, low, high, f"{option} must be a whole number from {low} to {high}, got '{text}'")


def _budget(text: str) -> float:
    return bounded(text, float, 0, MAX_BUDGET_S, f"--budget must be seconds, more than 0 and at most {MAX_BUDGET_S:g}, "
                                               f"got '{text}'", above=True)


def prepare(args, source: str, options: str = ""):
    """Check everything before anything runs; returns what run() needs. ``options``: the
    magic's line as typed, kept in the rewrite of a cell that times itself."""
    if autograde.active():  # the CPU only (and one timed run, below): within nbgrader's 30 s a cell
        args.devices = "cpu"
    try:
        cell = split_cell(source)
        devices = parse_devices(args.devices, Available.detect())
        precision = parse_precision(args.dtype)
        sweep = parse_sweep(args.sweep) if args.sweep else None
    except TimesItself as error:
        raise CellToRewrite(error.rewrite.message(options)) from None
    except (CellError, DeviceError, PrecisionError, SweepError) as error:
        raise BenchUsageError(str(error)) from None
    options = Options(
        precision=precision,
        budget=Options.budget if args.budget is None else _budget(args.budget),
        warmup=Options.warmup if args.warmup is None else _count(args.warmup, 0, MAX_WARMUP, "--warmup"),
        min_runs=Options.min_runs if args.min_runs is None else _count(args.min_runs, 1, MAX_MIN_RUNS, "--min-runs"),
        check=not args.no_check,
    )
    if autograde.active():  # no budget: the one run that min_runs asks for, no warm-up, one block
        options = replace(options, budget=0.0, warmup=0, min_runs=1, rounds=1)
    if sweep is not None:
        try:
            check_sweep_time(len(sweep[1]), len(devices), options.budget, MAX_BUDGET_S)
        except SweepError as error:
            raise BenchUsageError(str(error)) from None
    if args.save:
        from ..files import FileProblem, writable

        try:
            writable(args.save)
        except FileProblem as error:
            raise BenchUsageError(f"--save: {error}") from None
    saved = None
    if args.compare:
        try:
            saved = load_json(args.compare)
        except ResultFileError as error:
            raise BenchUsageError(f"--compare: {error}") from None
    return cell, devices, options, sweep, saved


def gpubench(args, source: str, namespace: dict, publish, show=None, history=None, cell_id=None,
             options: str = "") -> object:
    """The whole magic: check, run, keep the result in ``_gpubench``, tell the sidebar
    (``publish`` gets the message), save; BenchUsageError if every device failed.
    ``show``: where a progress line goes while it runs (None: no line); ``history``: the
    kernel's RunHistory; ``cell_id``: the notebook cell that ran it (the sidebar scrolls to it);
    ``options``: the magic's line as typed."""
    from ..protocol import benchmarks_message

    prepared = prepare(args, source, options)
    if autograde.active():
        autograde.say("the CPU only, one timed run, no warm-up; the times need the full run")
    result = run(prepared, namespace, show, history)
    for one in getattr(result, "runs", None) or [result]:
        one.cell_id, one.default_devices = cell_id, args.devices is None
    namespace["_gpubench"] = result  # kept before anything after the run can fail
    saved = prepared[-1]
    if saved is not None:
        try:
            result.compare(saved)
        except Exception as error:  # load_json checked the file; this is a last guard, the run stays
            print(f"%%gpubench: could not compare with {args.compare} ({error}); the result is in _gpubench.")
    publish(benchmarks_message([r.to_dict(times=False) for r in getattr(result, "runs", None) or [result]]))
    failed = all_failed(result)
    if failed:
        raise CellFailed(failed)
    if args.save:
        try:
            result.save(args.save)
        except (ResultFileError, OSError) as error:
            print(f"%%gpubench: not saved: {error}; the result is in _gpubench (_gpubench.save(PATH) writes it).")
    return None if args.quiet else result


def run(prepared, namespace: dict, show=None, history=None):
    cell, devices, options, sweep, _ = prepared
    progress = Progress(show, [d.label for d in devices], options.budget, options.min_runs, options.rounds) if show else None
    try:
        if sweep is None:
            result = run_cell(cell, devices, options, namespace, progress=progress, history=history)
        else:
            name, values = sweep
            runs = []
            for i, value in enumerate(values):
                if progress is not None:
                    progress.point = f"{name} = {value!r} ({i + 1} of {len(values)})"
                runs.append(run_cell(cell, devices, options, namespace, extra={name: value},
                                     sweep={"name": name, "value": value}, progress=progress, history=history))
                if runs[-1].interrupted:
                    break
            result = BenchSweep(name, values[:len(runs)], runs)
    finally:
        if progress is not None:
            progress.close()
    return result


def all_failed(result) -> str | None:
    """The error to raise when no device ran the cell at all (a bug in the cell, not a fault)."""
    runs = result.runs if isinstance(result, BenchSweep) else [result]
    devices = [d for r in runs for d in r.devices]
    if devices and all(d.status == "error" for d in devices):
        first = devices[0]
        same = all(d.error == first.error for d in devices)
        return f"the cell failed on {first.label}" + (" (and on every device)" if same and len(devices) > 1 else "") + f", {first.error}"
    return None
