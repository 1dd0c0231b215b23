"""The GPU monitor wing: %gpumon's options and help, the sampler that feeds the sidebar (and
live %gpumon tables), and the monitor's part of the snapshot (its state and history)."""

from __future__ import annotations

import threading
import time

from ..protocol import log, monitor_message, sample_message
from ..wing import Context, MagicSpec, Wing, arg
from .sampler import HISTORY_S, INTERVAL_S, MAX_INTERVAL, MIN_INTERVAL, Sampler, SampleReader

MAX_LIVE_VIEWS = 4

GPUMON = MagicSpec(
    "gpumon", printed_in_scripts=True,
    args=(
        arg("--start", action="store_true",
            help="Start the background monitor (it also feeds the sidebar) and show a live table here."),
        arg("--stop", action="store_true",
            help="Stop the live tables in cells, and the background monitor unless the sidebar shows it (the "
                 "sidebar keeps going; its history stays)."),
        arg("--interval", metavar="SECONDS",
            help=f"Seconds between samples, {MIN_INTERVAL:g} to {MAX_INTERVAL:g} (default {INTERVAL_S:g}; "
                 "also %%config DLMagics.monitor_interval)."),
    ),
    doc="""Show the GPUs this kernel can see: memory, utilisation, temperature, power,
        and this kernel's own PyTorch memory (allocated, reserved, peak).

        Without a GPU it says why (no driver, no GPU visible, a driver problem) and
        shows what is true on any machine: the kernel process's memory and CPU share.

        The monitor reads NVML in the kernel, so it respects CUDA_VISIBLE_DEVICES and
        works for remote kernels. It never initialises CUDA itself and never resets
        PyTorch's peak counters. The dlmagics sidebar in JupyterLab shows the same
        figures live, with the last minutes of history.

        Examples::

          %gpumon                  # a snapshot table
          %gpumon --start          # run the monitor, with a live table in this cell
          %gpumon --interval 0.5   # sample twice a second
          %gpumon --stop
          snap = %gpumon           # snap.to_dict() gives the numbers
        """)


class MonitorWing(Wing):
    name = "monitor"
    magics = (GPUMON,)
    frontend_messages = {"request_snapshot": set()}  # a sidebar that asks starts the monitor

    def __init__(self, kernel):
        super().__init__(kernel)
        settings = kernel.settings
        self.sampler = Sampler(SampleReader(), self._on_sample, getattr(settings, "monitor_interval", INTERVAL_S),
                               getattr(settings, "monitor_history", HISTORY_S))
        # A sidebar asked for the monitor: %gpumon --stop ends the cells' live tables, not its feed.
        self.sidebar_asked = False
        self._live_views: list = []
        self._lock = threading.Lock()

    # -- the wing's contract ------------------------------------------------------------
    def run(self, name, args, ctx: Context):
        from . import command

        return command.gpumon(args, self, lambda seconds: setattr(self.kernel.settings, "monitor_interval", seconds),
                              ctx.show)

    def snapshot_part(self) -> dict:
        return {"monitor": self.state(), "history": self.sampler.history()}

    def handle(self, message: dict) -> None:
        self.sidebar_asked = True
        if self.sampler.start():
            self._announce()

    def close(self) -> None:
        self.sampler.stop()
        self._finish_live_views()
        self.sampler.reader.close()

    # -- state -----------------------------------------------------------------------
    def state(self) -> dict:
        return {"running": self.sampler.running, "interval_s": self.sampler.interval,
                "history_s": self.sampler.history_seconds}

    def current(self):
        """The latest sample, taken now unless the running monitor took one within two
        intervals (right after --start, the history holds the last run's samples)."""
        from .view import MonitorSnapshot

        sample = self.sampler.latest() if self.sampler.running else None
        if sample is not None and time.time() - sample.get("t", 0) > 2 * self.sampler.interval:
            sample = None
        return MonitorSnapshot(sample or self.sampler.sample_now(), self.state())

    # -- commands --------------------------------------------------------------------
    def start(self) -> bool:
        started = self.sampler.start()
        if started:
            self._announce()
        return started

    def stop(self) -> bool:
        """End the live tables; stop sampling too unless a sidebar asked for the monitor and a
        table was live (a learner who stops a cell's table expects the sidebar to keep going; a
        --stop with no table live, a second one, stops the sampling). True: the sampler stopped."""
        with self._lock:
            tables = bool(self._live_views)
        stopped = not (self.sidebar_asked and tables) and self.sampler.stop()
        self._finish_live_views()
        if stopped:
            self._announce()
        return stopped

    def stopped_view(self):
        """What %gpumon --stop shows: the latest sample, saying what stopped and what runs on."""
        from .view import MonitorSnapshot

        return MonitorSnapshot(self.current().sample, self.state(), live_stopped=True)

    def set_interval(self, seconds: float) -> None:
        self.sampler.set_interval(seconds)
        self._announce()

    def set_history_seconds(self, seconds: float) -> None:
        self.sampler.set_history_seconds(seconds)
        self._announce()

    def live_view(self):
        """A live table (view.py) the sampler refreshes on every sample."""
        from .view import live_table

        view = live_table(self.current()._repr_html_())
        with self._lock:
            # Refresh only the newest few; older ones keep their last table.
            self._live_views = self._live_views[-(MAX_LIVE_VIEWS - 1):] + [view]
        return view

    # -- callbacks -------------------------------------------------------------------
    def _on_sample(self, sample: dict) -> None:
        from .view import to_html

        self.kernel.publish(sample_message(sample))
        with self._lock:
            views = list(self._live_views)
        if views:
            html = to_html(sample, self.state())
            for view in views:
                view.value = html

    def _announce(self) -> None:
        self.kernel.publish(monitor_message(self.state()))

    def _finish_live_views(self) -> None:
        from .view import to_html

        with self._lock:
            views, self._live_views = self._live_views, []
        latest = self.sampler.latest()
        if latest is None:
            return
        html = to_html(latest, self.state(), live_stopped=True)
        for view in views:
            try:
                view.value = html
            except Exception:
                log.exception("dlmagics: could not update a live view")


WING = MonitorWing
