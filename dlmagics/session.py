"""What dlmagics keeps per kernel: the sidebar channel, the GPU monitor (its sampler and
live %gpumon views), and ``publish``, the one sink every wing's messages go through.

The wings' own per-kernel state (the Trainer, the QuizDesk) lives in the wings; each adds
its section to the snapshot through ``snapshot_parts``. Nothing here imports torch or
ipywidgets until a live view is asked for.
"""

from __future__ import annotations

import os
import platform
import threading
import time
from typing import Callable

from . import __version__, protocol
from .channel import Channel
from .monitor import Sampler, SampleReader
from .monitor.view import MonitorSnapshot, live_table, to_html
from .protocol import log

MAX_LIVE_VIEWS = 4


class KernelSession:
    def __init__(self, shell, interval: float, history_seconds: float):
        self.channel = Channel(active=getattr(shell, "kernel", None) is not None, on_message=self._on_message)
        self.sampler = Sampler(SampleReader(), self._on_sample, interval, history_seconds)
        self.user_stopped = False  # %gpumon --stop wins over a sidebar's request to run
        self._live_views: list = []
        self._lock = threading.Lock()
        # Each wing's section of the snapshot (quizzes, timeline): called for every snapshot.
        self.snapshot_parts: list[Callable[[], dict]] = []
        # What a wing does for a frontend message (stop_training: the Trainer), by type.
        self.handlers: dict[str, Callable[[], None]] = {}

    # -- lifecycle -----------------------------------------------------------------
    def open(self) -> None:
        self.channel.open(self.snapshot())

    def close(self) -> None:
        self.sampler.stop()
        self._finish_live_views()
        self.channel.close()
        self.sampler.reader.close()

    # -- state ---------------------------------------------------------------------
    def monitor_state(self) -> dict:
        return {"running": self.sampler.running, "interval_s": self.sampler.interval,
                "history_s": self.sampler.history_seconds}

    def snapshot(self) -> dict:
        parts = {}
        for part in self.snapshot_parts:
            parts.update(part())
        return protocol.snapshot({"pid": os.getpid(), "python": platform.python_version(), "dlmagics": __version__},
                                 self.monitor_state(), self.sampler.history(), parts)

    def publish(self, message: dict) -> None:
        """Send a message (built by protocol.py) to the sidebar, from any thread."""
        self.channel.send(message)

    def current(self) -> MonitorSnapshot:
        """The latest sample, taken now unless the running monitor took one within two
        intervals (right after --start, the history holds the last run's samples)."""
        sample = self.sampler.latest() if self.sampler.running else None
        if sample is not None and time.time() - sample.get("t", 0) > 2 * self.sampler.interval:
            sample = None
        return MonitorSnapshot(sample or self.sampler.sample_now(), self.monitor_state())

    # -- commands ------------------------------------------------------------------
    def start(self) -> bool:
        self.user_stopped = False
        started = self.sampler.start()
        if started:
            self._announce()
        return started

    def stop(self) -> bool:
        self.user_stopped = True
        stopped = self.sampler.stop()
        self._finish_live_views()
        if stopped:
            self._announce()
        return stopped

    def set_interval(self, seconds: float) -> None:
        self.sampler.set_interval(seconds)
        self._announce()

    def set_history_seconds(self, seconds: float) -> None:
        self.sampler.set_history_seconds(seconds)
        self._announce()

    def live_view(self):
        """A live table (monitor/view.py) the sampler refreshes on every sample."""
        view = live_table(self.current()._repr_html_())
        with self._lock:
            # Refresh only the newest few; older ones keep their last table.
            self._live_views = self._live_views[-(MAX_LIVE_VIEWS - 1):] + [view]
        return view

    # -- callbacks -----------------------------------------------------------------
    def _on_message(self, data: dict, comm) -> None:
        if data["type"] == "request_snapshot":
            if not self.user_stopped and self.sampler.start():
                self._announce()
            self.channel.reply(comm, self.snapshot())
        elif data["type"] in self.handlers:
            self.handlers[data["type"]]()

    def _on_sample(self, sample: dict) -> None:
        self.publish(protocol.sample_message(sample))
        with self._lock:
            views = list(self._live_views)
        if views:
            html = to_html(sample, self.monitor_state())
            for view in views:
                view.value = html

    def _announce(self) -> None:
        self.publish(protocol.monitor_message(self.monitor_state()))

    def _finish_live_views(self) -> None:
        with self._lock:
            views, self._live_views = self._live_views, []
        latest = self.sampler.latest()
        if latest is None:
            return
        html = to_html(latest, self.monitor_state())
        for view in views:
            try:
                view.value = html
            except Exception:
                log.exception("dlmagics: could not update a live view")
