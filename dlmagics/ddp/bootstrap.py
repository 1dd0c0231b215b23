"""One rank of a %%ddp run, as torchrun starts it: ``python -m dlmagics.ddp.bootstrap FOLDER``.

It labels its output ("[rank 1] ..."), joins the process group (with the run's timeout, so
a collective that waits longer raises), wraps the collectives (collectives.py), runs
FOLDER/cell.py with ``rank``, ``world_size``, ``device``, ``step``, ``torch`` and ``dist`` in
its namespace, and leaves FOLDER/rank<N>.json: its times, its collectives and its error
(and while it runs, FOLDER/steps<N>.txt: the steps it marked so far)."""

from __future__ import annotations

import atexit
import datetime
import gc
import json
import linecache
import os
import re
import signal
import sys
import time
import traceback
from pathlib import Path

from ..throttle import SIDEBAR_S


CELL = "<%%ddp cell>"  # the cell's file name in tracebacks (its lines come from linecache)
WHERE = re.compile(r"\[[^\]]*\.(?:cc|cpp|h|hpp):\d+\] ")  # gloo's "[.../pair.cc:553] " before its message


def short_error(error: BaseException) -> str:
    """The error's first line, without a C++ source location or gloo's sign-off."""
    text = WHERE.sub("", f"{type(error).__name__}: {error}".strip().splitlines()[0])
    return text.split(" GLHF!")[0].strip()


def print_cell_traceback(error: BaseException) -> None:
    """The traceback from the cell's own frame down (the bootstrap's frames are not the learner's)."""
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != CELL:
        tb = tb.tb_next
    traceback.print_exception(type(error), error, tb)  # a SyntaxError has no frame of the cell: its lines only


PIECE = 1000  # characters of a line per write: at most 4 bytes each in UTF-8, so with the label under 4 KiB


class Labelled:
    """A text stream that writes whole lines, each starting with the rank's label: the ranks
    share torchrun's pipe, and one write of up to 4 KiB (PIPE_BUF; the ranks' stdout is
    unbuffered, one write a call) is never cut into by another rank's. So each line is written
    on its own, and a longer line comes as several labelled lines of PIECE characters.
    (A library's own C-level output is not labelled.)"""

    def __init__(self, stream, label: str):
        self.stream, self.label, self.partial = stream, label, ""

    def write(self, text: str) -> int:
        *lines, self.partial = (self.partial + text).split("\n")
        for line in lines:
            for start in range(0, max(len(line), 1), PIECE):
                self.stream.write(f"{self.label}{line[start:start + PIECE]}\n")
        if lines:
            self.stream.flush()
        return len(text)

    def close(self) -> None:
        """The last line, even without its newline."""
        if self.partial:
            self.write("\n")

    def __getattr__(self, name):  # flush, fileno, encoding, isatty...: the stream's own
        return getattr(self.stream, name)


class Steps:
    """``step()`` in the cell marks the end of a step: its time, and its time in collectives
    (the time with a collective in flight: DDP's all_reduce ends before backward returns).
    ``say(count)``: told the steps so far at the first step, then at most every SIDEBAR_S (the Runs row's pace)."""

    def __init__(self, counter, say=None):
        self.counter, self.last, self.last_comm = counter, time.perf_counter(), 0.0
        self.seconds: list[float] = []
        self.comm: list[float] = []
        self.say, self.said_at = say, None

    def __call__(self) -> None:
        now, comm = time.perf_counter(), self.counter.seconds()
        self.seconds.append(now - self.last)
        self.comm.append(comm - self.last_comm)
        self.last, self.last_comm = now, comm
        if self.say is not None and (self.said_at is None or now - self.said_at >= SIDEBAR_S):
            self.said_at = now
            self.say(len(self.seconds))


def no_input(prompt: object = "") -> str:
    """input() in the cell: a rank has no keyboard (its stdin is empty)."""
    raise EOFError("input() has no keyboard in a %%ddp rank: set the value in the cell")


def die_with_parent() -> None:
    """Linux: this rank is killed when torchrun goes, however it goes (torchrun starts each
    rank in a session of its own, so a signal to torchrun's group does not reach it)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def write_report(folder: Path, rank: int, report: dict) -> None:
    _write(folder / f"rank{rank}.json", json.dumps(report))


def say_steps(folder: Path, rank: int, count: int) -> None:
    try:
        _write(folder / f"steps{rank}.txt", str(count))
    except OSError:  # the progress is the sidebar's, never worth the cell's step
        pass


def _write(path: Path, text: str) -> None:
    path.with_suffix(".tmp").write_text(text)
    path.with_suffix(".tmp").replace(path)  # whole or absent: the launcher may read it at any time


def main(folder: Path) -> None:
    rank, world_size = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    die_with_parent()
    sys.stdout, sys.stderr = Labelled(sys.stdout, f"[rank {rank}] "), Labelled(sys.stderr, f"[rank {rank}] ")
    settings = json.loads((folder / "settings.json").read_text())
    report = {"rank": rank, "local_rank": local_rank, "world_size": world_size, "pid": os.getpid(),
              "host": os.uname().nodename, "wall_s": 0.0, "steps": [], "ops": {}, "error": None}
    import torch
    import torch.distributed as dist

    from .collectives import Counter

    torch.set_num_threads(settings["threads"])
    try:
        device = torch.device("cuda", local_rank) if settings["backend"] == "nccl" else torch.device("cpu")
        if device.type == "cuda":
            torch.cuda.set_device(device)
        dist.init_process_group(settings["backend"], timeout=datetime.timedelta(seconds=settings["timeout_s"]))
        # The ranks start the cell together, and NCCL sets up its communicator here (300 ms on an
        # H200): neither is the cell's communication.
        dist.barrier(device_ids=[local_rank]) if device.type == "cuda" else dist.barrier()
        if device.type == "cuda":
            torch.cuda.synchronize(device)
    except Exception as error:  # noqa: BLE001 - said in the report, then this rank ends the run
        report.update(error=f"{short_error(error)} (joining the process group on {settings['backend']})",
                      ended=time.time())
        traceback.print_exc()
        write_report(folder, rank, report)
        leave(1)
    counter = Counter()
    steps = Steps(counter, lambda count: say_steps(folder, rank, count))
    counter.patch(dist)
    namespace = {"__name__": "__main__", "rank": rank, "world_size": world_size, "device": device,
                 "step": steps, "torch": torch, "dist": dist, "input": no_input}
    source = (folder / "cell.py").read_text()
    linecache.cache[CELL] = (len(source), None, source.splitlines(keepends=True), CELL)
    started = steps.last = time.perf_counter()
    try:
        exec(compile(source, CELL, "exec"), namespace)  # a syntax error too is this rank's error in its report
    except SystemExit as error:  # exit() in the cell: an error unless its status is 0
        report["error"] = None if error.code in (0, None) else short_error(error)
    except BaseException as error:  # noqa: BLE001 - said in the report, then this rank ends the run
        report["error"] = short_error(error)
        print_cell_traceback(error)
    report.update(wall_s=time.perf_counter() - started, steps=steps.seconds, step_comm=steps.comm, ops=counter.ops,
                  comm_s=counter.seconds(), ended=time.time())
    write_report(folder, rank, report)
    if not report["error"]:  # not on an error: the other ranks may be waiting in a collective
        namespace.clear()  # the cell's objects (a DDP model holds the group) go first, their files closed
        gc.collect()
        if dist.is_initialized():  # the cell may have destroyed it itself, as tutorials do at their end
            dist.destroy_process_group()
    leave(1 if report["error"] else 0)


def leave(status: int) -> None:
    """Exit without the interpreter's teardown: there, a gloo thread still joinable at exit makes
    C++ abort the rank ("terminate called without an active exception", SIGABRT, seen about one
    run in ten on 2 busy cores) after its work was done. The cell's atexit functions still run."""
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, Labelled):
            stream.close()
        stream.flush()
    os._exit(status)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
