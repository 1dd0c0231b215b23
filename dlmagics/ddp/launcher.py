"""Run code on N ranks with PyTorch's own launcher, torchrun (``python -m
torch.distributed.run``), and end every process it started, however the run ends.

``launch(code, settings, on_line, stop, on_steps)``: the code is written to a module in a fresh folder
(nothing is pickled from the kernel's ``__main__``); each rank runs it through bootstrap.py.
``on_line(Line)`` gets each rank's output line as it comes, on the calling thread;
``on_steps({rank: steps})`` about once a second, the steps each rank marked so far. The run
ends when every rank has ended; or when a rank fails (torchrun ends the others); or
``timeout_s`` after the first rank ended while another still runs; or at ``stop`` (an Event,
the sidebar's Stop) or Ctrl-C. Then the whole process tree is killed (psutil) and the
returned ``Outcome`` holds each rank's report and, when it failed, one line naming the rank."""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..throttle import SIDEBAR_S
from .result import Outcome, RankReport

TIMEOUT_S = 60.0  # default of --timeout: a collective's longest wait, and a straggler's after the first rank ended
POLL_S = 0.1
LABEL = re.compile(r"^\[rank (\d+)\] ?(.*)$", re.S)
FAILURE = re.compile(r"^\s*rank\s*:\s*(\d+).*?^\s*exitcode\s*:\s*(-?\d+)", re.S | re.M)  # torchrun's summary


@dataclass(frozen=True)
class Settings:
    nproc: int  # ranks on this node
    backend: str = "gloo"
    threads: int = 1  # torch.set_num_threads in each rank
    timeout_s: float = TIMEOUT_S
    nnodes: int = 1
    node_rank: int | None = None  # only torchrun's static rendezvous uses it
    rdzv_endpoint: str | None = None  # HOST:PORT; None on one node: torchrun --standalone picks a free port
    rdzv_id: str = "dlmagics"


@dataclass(frozen=True)
class Line:
    rank: int | None  # None: torchrun's own output (or a library's unlabelled C-level output)
    stream: str  # "stdout" or "stderr"
    text: str


def command(settings: Settings, folder: Path) -> list[str]:
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", str(settings.nproc),
           "--max-restarts", "0", "--monitor-interval", str(POLL_S)]
    if settings.nnodes == 1 and settings.rdzv_endpoint is None:
        cmd.append("--standalone")
    else:
        cmd += ["--nnodes", str(settings.nnodes), "--rdzv-backend", "c10d", "--rdzv-id", settings.rdzv_id,
                "--rdzv-endpoint", settings.rdzv_endpoint or "127.0.0.1:29400",
                "--rdzv-conf", f"join_timeout={max(1, round(settings.timeout_s))}"]
        if settings.node_rank is not None:
            cmd += ["--node-rank", str(settings.node_rank)]
    return cmd + ["-m", "dlmagics.ddp.bootstrap", str(folder)]


def environment(settings: Settings) -> dict:
    # UTF-8 whatever the locale: the launcher decodes the ranks' output as UTF-8
    env = dict(os.environ, PYTHONUNBUFFERED="1", PYTHONIOENCODING="utf-8", OMP_NUM_THREADS=str(settings.threads))
    package_root = str(Path(__file__).resolve().parents[2])  # so the ranks import this dlmagics
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
    return env


def launch(code: str, settings: Settings, on_line: Callable[[Line], None] | None = None,
           stop: threading.Event | None = None, on_steps: Callable[[dict], None] | None = None) -> Outcome:
    folder = Path(tempfile.mkdtemp(prefix="dlmagics-ddp-"))
    (folder / "cell.py").write_text(code)
    (folder / "settings.json").write_text(json.dumps({"backend": settings.backend, "threads": settings.threads,
                                                      "timeout_s": settings.timeout_s}))
    started = time.perf_counter()
    outcome = Outcome(settings.nproc * settings.nnodes, settings.nproc, settings.backend, settings.threads,
                      settings.timeout_s)
    process = None
    try:
        # stdin: nothing (the kernel's own is a pipe nobody writes to: input() in a rank would wait for ever)
        process = subprocess.Popen(command(settings, folder), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, env=environment(settings), start_new_session=True)
        outcome.status = _follow(process, folder, settings, outcome, on_line or (lambda line: None), stop, on_steps)
    except KeyboardInterrupt:
        outcome.status = "interrupted"
    finally:
        while process is not None:
            try:
                end_all(process, {r.pid for r in read_reports(folder)})
                break
            except KeyboardInterrupt:  # pressed again: the processes are ended all the same
                outcome.status = "interrupted"
        outcome.seconds = time.perf_counter() - started
        outcome.ranks = read_reports(folder)
        outcome.fault = fault_line(outcome, process.returncode if process is not None else None)
        shutil.rmtree(folder, ignore_errors=True)
    return outcome


def _follow(process, folder: Path, settings: Settings, outcome: Outcome, on_line, stop, on_steps=None) -> str:
    """Pass on the output (and the steps so far, about once a second) until the run ends; the
    status it ended with."""
    lines: queue.Queue = queue.Queue()
    readers = [threading.Thread(target=_read, args=(pipe, name, lines), daemon=True)
               for pipe, name in ((process.stdout, "stdout"), (process.stderr, "stderr"))]
    for reader in readers:
        reader.start()
    first_end = exited = None
    steps_due = time.monotonic()
    while True:
        # first, however many lines come: ranks that print at every step never leave the queue empty
        if stop is not None and stop.is_set():
            return "stopped"
        if on_steps is not None and time.monotonic() >= steps_due:
            steps_due = time.monotonic() + SIDEBAR_S
            counts = read_steps(folder)
            if counts:
                on_steps(counts)
        if first_end is None and any(folder.glob("rank*.json")):
            first_end = time.monotonic()
        if first_end is not None and time.monotonic() - first_end > settings.timeout_s:
            return "timed out"
        try:
            line = lines.get(timeout=POLL_S)
        except queue.Empty:
            line = None
        if line is not None:
            if line.rank is None:
                outcome.launcher_lines.append(line.text)
            else:
                on_line(line)
            continue
        if process.poll() is not None:
            exited = exited or time.monotonic()
            # the pipes close with the last process that holds them: a process a rank left behind
            # may hold them on, so torchrun's end counts once what was written has been read. The
            # readers are asked first: a reader that puts its last line and ends between the two
            # questions would otherwise leave that line (torchrun's fault summary) unread
            read_all = not any(r.is_alive() for r in readers)
            if lines.empty() and (read_all or time.monotonic() - exited > 1):
                return "finished" if process.returncode == 0 else "failed"


def _read(pipe, name: str, lines: queue.Queue) -> None:
    for raw in iter(pipe.readline, b""):
        text = raw.decode("utf-8", "replace").rstrip("\n")
        match = LABEL.match(text)
        lines.put(Line(int(match[1]), name, match[2]) if match else Line(None, name, text))
    pipe.close()


def end_all(process: subprocess.Popen, ranks: set[int]) -> None:
    """Kill torchrun and every process under it (each rank is in a session of its own, so a
    signal to torchrun's process group would miss them), then what a rank started and left
    when it ended (a subprocess, a DataLoader's workers: no longer under torchrun, but still in
    the rank's session; ``ranks``: the pids of the ranks that ended), and wait until all are gone."""
    import psutil

    try:
        parent = psutil.Process(process.pid)
        tree = parent.children(recursive=True) + [parent]
    except psutil.NoSuchProcess:
        tree = []
    _kill(tree)
    process.wait()
    sessions = ranks | {one.pid for one in tree}
    _kill([one for one in psutil.process_iter() if one.pid != os.getpid() and _session(one.pid) in sessions])


def _kill(processes: list) -> None:
    import psutil

    for one in processes:
        try:
            one.send_signal(signal.SIGKILL)
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(processes, timeout=10)


def _session(pid: int) -> int | None:
    try:
        return os.getsid(pid)
    except OSError:  # gone already
        return None


def read_steps(folder: Path) -> dict[int, int]:
    """Rank -> the steps it marked so far (bootstrap's Steps says them at most once a second)."""
    counts = {}
    for path in folder.glob("steps*.txt"):
        try:
            counts[int(path.stem[len("steps"):])] = int(path.read_text())
        except (OSError, ValueError):  # gone with the run, or not ours
            continue
    return counts


def read_reports(folder: Path) -> list[RankReport]:
    reports = []
    for path in folder.glob("rank*.json"):
        reports.append(RankReport.from_dict(json.loads(path.read_text())))
    return sorted(reports, key=lambda r: r.rank)


def fault_line(outcome: Outcome, returncode: int | None) -> str | None:
    """One line naming the rank that ended the run and why; None when it ran to the end."""
    if outcome.status == "finished":
        return None
    if outcome.status == "interrupted":
        # the kernel cannot tell its stop button or I I from the sidebar's Stop: all three interrupt it
        return (f"the kernel was interrupted (its stop button, I I or the sidebar's Stop): all {outcome.local_ranks} "
                "ranks on this node were ended")
    if outcome.status == "stopped":
        return f"stopped: all {outcome.local_ranks} ranks on this node were ended"
    # torchrun ends the other ranks with SIGTERM: a rank that died of another signal was killed
    # (or crashed), and the others' errors ("Connection closed by peer") only follow from it.
    died = {int(rank): int(code) for rank, code in FAILURE.findall("\n".join(outcome.launcher_lines))}
    killed = sorted((rank, -code) for rank, code in died.items() if code < 0 and -code != signal.SIGTERM)
    if killed:
        rank, number = killed[0]
        return f"rank {rank} was killed ({_signal_name(number)}) before it finished; the other ranks were ended"
    errors = [r for r in outcome.ranks if r.error]
    if errors:
        first = min(errors, key=lambda r: r.ended)
        waited = (f" (it waited --timeout {outcome.timeout_s:g} s in a collective for a rank that did not join)"
                  if "Timed out" in first.error or "timed out" in first.error else "")
        return f"rank {first.rank} failed: {first.error}{waited}"
    failed = sorted(rank for rank, code in died.items() if code > 0)
    if failed:
        return f"rank {failed[0]} exited with status {died[failed[0]]}; the other ranks were ended"
    if outcome.status == "timed out":
        done = ", ".join(str(r.rank) for r in outcome.ranks)
        waiting = sorted(set(range(outcome.world_size)) - {r.rank for r in outcome.ranks})
        who = f"rank {', '.join(map(str, waiting))}" if outcome.local_ranks == outcome.world_size else "a rank"
        return f"{who} did not end within {outcome.timeout_s:g} s of rank {done} ending; all ranks were ended"
    last = next((t for t in reversed(outcome.launcher_lines) if t.strip()), "no message")
    return f"torchrun failed (status {returncode}): {last.strip()}"


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
