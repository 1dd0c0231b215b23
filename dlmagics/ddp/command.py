"""%%ddp from parsed options to the report: the options checked (one line each when wrong),
the cell run on the ranks with their output printed as it comes, and with --compare the
rounds of one process and of N that give the speedup."""

from __future__ import annotations

import os
import re
import sys
from dataclasses import replace

from ..options import OptionError, bounded
from .launcher import TIMEOUT_S, Line, Settings, launch
from .result import Compare, Outcome

MAX_RANKS = 64
MAX_TIMEOUT_S = 86400.0
ENDPOINT = re.compile(r"^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})$")


class DdpUsageError(OptionError):
    pass


def _number(value, kind: type, low: float, high: float, problem: str, default, above: bool = False):
    """An option's number in its range (``problem``: the line saying so otherwise), or the default."""
    return default if value is None else bounded(value, kind, low, high, problem, above=above)


def settings_from(args) -> Settings:
    if args.n is None:
        raise DdpUsageError("give -n N: the number of ranks (processes) on this node, e.g. %%ddp -n 2")
    nproc = _number(args.n, int, 1, MAX_RANKS, f"-n {args.n}: the number of ranks on this node, 1 to {MAX_RANKS}", None)
    backend = args.backend or "gloo"
    if backend not in ("gloo", "nccl"):
        raise DdpUsageError(f"--backend {backend}: gloo (CPU) or nccl (NVIDIA GPUs, one per rank)")
    cores = os.cpu_count() or 1
    threads = _number(args.threads, int, 1, cores, f"--threads {args.threads}: 1 to {cores} (this machine's cores)",
                      max(1, cores // nproc))
    timeout = _number(args.timeout, float, 0, MAX_TIMEOUT_S,
                      f"--timeout {args.timeout}: seconds, above 0 and at most {MAX_TIMEOUT_S:g}", TIMEOUT_S, above=True)
    nnodes = _number(args.nnodes, int, 1, 1024, f"--nnodes {args.nnodes}: 1 to 1024", 1)
    node_rank = _number(args.node_rank, int, 0, nnodes - 1, f"--node-rank {args.node_rank}: 0 to {nnodes - 1}", None)
    endpoint = args.rdzv_endpoint
    match = ENDPOINT.match(endpoint) if endpoint is not None else None
    if endpoint is not None and not (match and 0 < int(match[2]) < 65536):
        raise DdpUsageError(f"--rdzv-endpoint {endpoint}: HOST:PORT, e.g. 10.0.0.1:29400")
    if nnodes > 1 and endpoint is None:
        raise DdpUsageError(f"--nnodes {nnodes} needs --rdzv-endpoint HOST:PORT: where the nodes meet")
    if backend == "nccl":
        _check_gpus(nproc)
    return Settings(nproc, backend, threads, timeout, nnodes, node_rank, endpoint)


def _check_gpus(nproc: int) -> None:
    import torch

    gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if gpus < nproc:
        raise DdpUsageError(f"--backend nccl needs a GPU for each rank: -n {nproc}, and this machine has {gpus}; "
                            "use --backend gloo on the CPU")


def rounds_from(args, settings: Settings) -> int:
    if args.compare is None:
        return 0
    if settings.nnodes > 1:
        raise DdpUsageError("--compare runs one process on this node: not with --nnodes above 1")
    return bounded(args.compare, int, 3, 20, f"--compare {args.compare}: rounds of 1 and N ranks, 3 to 20")


def print_line(line: Line) -> None:
    print(f"[rank {line.rank}] {line.text}", file=sys.stderr if line.stream == "stderr" else sys.stdout, flush=True)


def ddp(args, code: str, progress=None, row=None) -> Outcome:
    """``progress(text)``: told what a --compare round runs (None: nothing said); ``row``: the
    run's row in the sidebar's Runs (row.RunsRow), started with the ranks and ended with the run."""
    settings = settings_from(args)
    rounds = rounds_from(args, settings)
    if not code.strip():
        raise DdpUsageError("the cell is empty: write the code each rank runs below %%ddp")
    try:
        compile(code, "<%%ddp cell>", "exec")  # here, before any process starts: the ranks would each say it
    except (SyntaxError, ValueError) as error:
        where = f"line {error.lineno}: {error.msg}" if isinstance(error, SyntaxError) else str(error)
        raise DdpUsageError(f"the cell does not compile: {where}") from None
    try:
        if row is not None:
            row.start(settings)
        outcome = launch(code, settings, print_line, on_steps=row.steps if row is not None else None)
        if rounds and outcome.status == "finished":
            outcome.compare = compare(code, settings, rounds, outcome, progress or (lambda text: None))
        if row is not None:
            row.end(outcome)
    except BaseException as error:  # an interrupt may land anywhere here, row.end included
        if row is not None:
            row.fail(error)
        raise
    return outcome


def compare(code: str, settings: Settings, rounds: int, first: Outcome, progress) -> Compare:
    """Rounds of one process and of N in turn (the first N-rank run is the one shown), so a
    slow phase of the machine slows both runs of a round and cancels in their ratio."""
    from ..bench.stats import paired_speedup

    result = Compare(many=[first.step_s])
    runs = [(result.one, replace(settings, nproc=1), "one process")]
    runs.append((result.many, settings, f"{settings.nproc} ranks"))
    for k in range(rounds):
        for times, how, words in runs[: 2 if k + 1 < rounds else 1]:  # N ranks' first run was the one shown
            progress(f"%%ddp --compare: round {k + 1} of {rounds}, {words}")
            outcome = launch(code, how)
            if outcome.status != "finished":
                result.error, result.ended = f"the run of {words} {outcome.status}: {outcome.fault}", outcome.status
                return result
            times.append(outcome.step_s)
    result.speedup = paired_speedup(result.one, result.many)
    return result
