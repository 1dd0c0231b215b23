"""A %train_demo run training in a background thread.

Why a thread: a widget's messages reach the kernel only while the main shell is idle (on
every ipykernel and frontend; see ../shared/research/training_demos.md section 5). So the
cell returns at once, the race runs in a thread, and the slider and buttons act at the next
step. The thread never prints: its callbacks change widget values and displays. Whatever
needs the end waits for it (``wait``): the next cell (a pre_run_cell hook), so "Run all"
stays in order, and the result's final figures read in the same cell. The run knows no
view: whoever starts it passes ``on_step`` and ``on_finish``.
"""

from __future__ import annotations

import contextvars
import threading
import time
from typing import Callable

from .engine import Controls


class LiveRun:
    """One run (a demo, or a learner's cell) training in a background thread; its controls
    act at the next step. ``train(controls, on_step)`` trains on the calling thread."""

    def __init__(self, result, train: Callable, controls: Controls):
        self.result, self.train = result, train
        self.controls = controls
        # Set when the thread is done. Not Thread.join/is_alive: a Ctrl-C inside join() can
        # leave is_alive() False while the thread still runs (CPython, before 3.13).
        self.finished = threading.Event()
        self.thread: threading.Thread | None = None

    def start(self, on_step: Callable[[object], None], on_finish: Callable[[object], None]) -> None:
        """Train in the background: ``on_step(result)`` after each step, ``on_finish(result)``
        once at the end, however it ends."""
        # In the starting cell's context: what the training prints goes to that cell's output.
        context = contextvars.copy_context()
        self.thread = threading.Thread(target=context.run, args=(self._train, on_step, on_finish),
                                       name=f"dlmagics-train-{self.result.name}", daemon=True)
        self.thread.start()

    def _train(self, on_step, on_finish) -> None:
        try:
            self.train(self.controls, on_step)
        finally:
            try:
                on_finish(self.result)
            finally:
                self.finished.set()

    @property
    def running(self) -> bool:
        return not self.finished.is_set()

    def must_wait(self) -> bool:
        """Running, and asked from another thread (the run's own callbacks never wait for it)."""
        return self.running and threading.current_thread() is not self.thread

    def wait(self, tick: Callable[[], None] | None = None, every_s: float = 1.0) -> bool:
        """Block until the run ends, calling ``tick()`` about every ``every_s`` (to say how long
        is left). Ctrl-C while waiting stops the run (the history is kept); returns True when
        that happened. On the training thread itself (its own callbacks) it returns at once."""
        if not self.must_wait():
            return False
        if self.controls.paused:  # nothing could press Resume while the kernel waits here
            self.controls.resume()
        interrupted, next_tick = False, 0.0
        while not self.finished.is_set():
            try:
                if tick is not None and time.monotonic() >= next_tick:
                    next_tick = time.monotonic() + every_s
                    tick()
                self.finished.wait(0.1)
            except KeyboardInterrupt:
                self.controls.stop()
                interrupted = True
        return interrupted
