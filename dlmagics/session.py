"""What dlmagics keeps per kernel: the sidebar channel, the GPU monitor, the live views.

It wires the monitor wing to the channel and to views; the magics call it. It never
imports torch, and ipywidgets only when a live view is asked for.
"""

from __future__ import annotations

import os
import platform
import threading

from . import __version__
from .channel import Channel
from .monitor import Sampler, SampleReader
from .monitor.view import MonitorSnapshot, to_html
from .protocol import log

MAX_LIVE_VIEWS = 4


class KernelSession:
    def __init__(self, shell, interval: float = 1.0, history_seconds: float = 900.0):
        self.channel = Channel(active=getattr(shell, "kernel", None) is not None, on_message=self._on_message)
        self.sampler = Sampler(SampleReader(), self._on_sample, interval, history_seconds)
        self.user_stopped = False  # %gpumon --stop wins over a sidebar's request to run
        self._live_views: list = []
        self._lock = threading.Lock()

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
        return {
            "type": "snapshot",
            "kernel": {"pid": os.getpid(), "python": platform.python_version(), "dlmagics": __version__},
            "monitor": self.monitor_state(),
            "history": self.sampler.history(),
        }

    def current(self) -> MonitorSnapshot:
        """The latest sample (taken now if the monitor is not running)."""
        sample = self.sampler.latest() if self.sampler.running else None
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

    def publish_benchmarks(self, result) -> None:
        """Send a %%gpubench result (each point of a sweep) to the sidebar."""
        runs = getattr(result, "runs", None) or [result]
        self.channel.send({"type": "benchmarks", "results": [run.to_dict(times=False) for run in runs]})

    def live_view(self):
        """An ipywidgets HTML view the sampler refreshes on every sample."""
        import ipywidgets

        view = ipywidgets.HTML(value=self.current()._repr_html_())
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

    def _on_sample(self, sample: dict) -> None:
        self.channel.send({"type": "sample", "sample": sample})
        with self._lock:
            views = list(self._live_views)
        if views:
            html = to_html(sample, self.monitor_state())
            for view in views:
                view.value = html

    def _announce(self) -> None:
        self.channel.send({"type": "monitor", "monitor": self.monitor_state()})

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
