"""A %%ddp cell's row in the sidebar's Runs: sent when its ranks start, about once a second
while they run (from a thread of its own: the cell's thread is busy following the ranks),
and once when the run ends. The cell runs in the foreground, so its kernel reads no sidebar
message until it ends: the row says so (``stop: interrupt``), and the sidebar's Stop
interrupts the kernel, which ends every rank as Ctrl-C does.

Plain dicts (protocol.py's training message) and a callback: no IPython, no comm."""

from __future__ import annotations

import threading
import time
from typing import Callable

from ..protocol import training_message
from ..throttle import SIDEBAR_S
from .launcher import Settings
from .result import Outcome

ENDED = {"finished": "finished", "interrupted": "stopped", "stopped": "stopped"}  # the rest: failed


def run_row(command: str, status: str, elapsed_s: float, ranks: list[str], words: str, step: int = 0) -> dict:
    """The row as the schema's training_run has it: the ranks are its contenders (no loss:
    the cell's own numbers are its own), the steps marked by step() its step (0 while none
    is known), no length known (steps 0)."""
    return {"demo": "%%ddp", "title": command, "year": "", "status": status, "step": step, "steps": 0, "lr": None,
            "elapsed_s": round(elapsed_s, 3), "left_s": None, "words": words,
            "contenders": [{"name": name, "loss": None} for name in ranks], "command": command, "lesson": None,
            "stop": "interrupt"}


def end_words(outcome: Outcome, elapsed_s: float, step: int = 0) -> tuple[str, str]:
    """(status, words) of the row of a run that ended: a fault (a rank's one-line error), or
    with --compare a comparison run that did not finish, is said; ``step``: the steps every
    rank had marked when it was stopped or failed (0: none known)."""
    status, fault = outcome.status, outcome.fault
    compare = outcome.compare
    if status == "finished" and compare is not None and compare.error:
        status, fault = compare.ended or "failed", f"--compare: {compare.error}"
    ended = ENDED.get(status, "failed")
    ranks = f"{outcome.local_ranks} ranks"
    if ended == "finished":
        steps = f", {outcome.steps} steps" if outcome.steps else ""
        return ended, f"finished: {ranks}{steps} in {elapsed_s:.1f} s"
    if ended == "stopped":
        return ended, stopped_words(outcome.local_ranks, elapsed_s, step)
    return ended, f"failed {_when(elapsed_s, step)}: {fault or status}"


def stopped_words(ranks: int, elapsed_s: float, step: int = 0) -> str:
    return f"stopped {_when(elapsed_s, step)}: the kernel was interrupted and all {ranks} ranks were ended"


def _when(elapsed_s: float, step: int) -> str:
    return f"after {elapsed_s:.1f} s" + (f" at step {step:,}" if step else "")


class RunsRow:
    def __init__(self, command: str, publish: Callable[[dict], None], every_s: float = SIDEBAR_S):
        """``command``: the cell's magic line as typed ("%%ddp -n 2"); ``publish``: to the sidebar."""
        self.command, self.publish, self.every_s = command, publish, every_s
        self.ranks: list[str] = []
        self.step = 0  # the steps every rank on this node has marked so far (the slowest rank's)
        self.started = time.perf_counter()
        self._done = threading.Event()
        self._lock = threading.Lock()  # a running row is never sent after the last one

    def start(self, settings: Settings) -> None:
        """The ranks start now: the first row, then one about every ``every_s`` until ``end``."""
        word = "rank" if settings.nnodes == 1 else "local rank"  # another node's ranks are its own
        self.ranks = [f"{word} {r}" for r in range(settings.nproc)]
        self.started = time.perf_counter()
        self._send_running()
        threading.Thread(target=self._tick, name="dlmagics-ddp-row", daemon=True).start()

    def steps(self, counts: dict) -> None:
        """The launcher's ``on_steps``: each rank's steps so far; a rank not yet heard from has 0."""
        self.step = min(counts.values()) if self.ranks and len(counts) >= len(self.ranks) else 0

    def end(self, outcome: Outcome) -> None:
        elapsed = time.perf_counter() - self.started
        step = outcome.steps or self.step  # the reports' count; a rank ended before its report, the last told
        status, words = end_words(outcome, elapsed, step)
        # every rank's report: they know the global ranks; a rank killed before its report: the names so far
        reported = [f"rank {r.rank}" for r in outcome.ranks]
        ranks = reported if len(reported) == len(self.ranks) else self.ranks
        self._last(run_row(self.command, status, elapsed, ranks, words, step))

    def fail(self, error: BaseException) -> None:
        """The run raised (torchrun could not start...; the kernel interrupted where the launcher
        does not catch it, the ranks ended all the same): the row says it in one line, unless
        the last row was sent. The row's thread ends whatever happens here."""
        try:
            if self._done.is_set():
                return
            elapsed = time.perf_counter() - self.started
            if isinstance(error, KeyboardInterrupt):
                status, words = "stopped", stopped_words(len(self.ranks), elapsed, self.step)
            else:
                first = str(error).splitlines()[0] if str(error) else ""
                status, words = "failed", f"failed {_when(elapsed, self.step)}: {type(error).__name__}: {first}".rstrip(": ")
            self._last(run_row(self.command, status, elapsed, self.ranks, words, self.step))
        finally:
            self._done.set()

    def _last(self, run: dict) -> None:
        with self._lock:
            self._done.set()
            self.publish(training_message(run))

    def _tick(self) -> None:
        while not self._done.wait(self.every_s):
            with self._lock:
                if not self._done.is_set():
                    self._send_running()

    def _send_running(self) -> None:
        elapsed = time.perf_counter() - self.started
        step = f", step {self.step:,}" if self.step else ""  # no step() called: no progress claimed
        words = f"running: {len(self.ranks)} ranks{step}, {elapsed:.0f} s"
        self.publish(training_message(run_row(self.command, "running", elapsed, self.ranks, words, self.step)))
