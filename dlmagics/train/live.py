"""The live dashboard of a %train_demo run, and the background thread that trains under it.

Why a thread: a widget's messages reach the kernel only while the main shell is idle (on
every ipykernel and frontend; see ../shared/research/training_demos.md section 5). So the
cell returns at once, the race runs in a thread, and the slider and buttons act at the next
step. The thread never prints: it changes widget values and one display. The next cell
waits for the run (``wait``, from a pre_run_cell hook), so "Run all" stays in order.
"""

from __future__ import annotations

import threading
import time

from . import runner
from .engine import Controls
from .frames import live_html, status_line

MIN_FRAME_S = 0.1  # at most 10 frames a second
FRAME_SHARE = 0.02  # and drawing takes at most ~2% of the run's time


class Throttle:
    """Says when the next frame is due: not before 0.1 s, nor before the last frame's cost
    has been paid back 1/FRAME_SHARE times over (so a slow frame slows the frame rate, not training)."""

    def __init__(self):
        # The dashboard opens with a picture already, so the first frame waits like any other.
        self.next_at = time.perf_counter() + MIN_FRAME_S
        self.spent = 0.0

    def due(self) -> bool:
        return time.perf_counter() >= self.next_at

    def drew(self, started: float) -> None:
        cost = time.perf_counter() - started
        self.spent += cost
        self.next_at = time.perf_counter() + max(MIN_FRAME_S, cost / FRAME_SHARE)


class Dashboard:
    """Curves, the demo's panel, progress with ETA, a log-scale LR slider, pause and stop."""

    def __init__(self, result, controls: Controls):
        import ipywidgets as w

        self.result, self.controls = result, controls
        lr = result.settings.lr
        self.header = w.HTML(_header(result))
        self.picture = w.HTML(live_html(result))
        self.progress = w.FloatProgress(value=0.0, min=0.0, max=1.0, description="",
                                        layout=w.Layout(width="260px"))
        self.status = w.HTML(status_line(result, controls))
        self.lr = w.FloatLogSlider(value=lr, base=10, min=-5, max=1, step=0.05, description="learning rate",
                                   readout_format=".2e", continuous_update=False,
                                   style={"description_width": "initial"}, layout=w.Layout(width="360px"))
        self.pause = w.ToggleButton(value=False, description="Pause", icon="pause",
                                    tooltip="Pause or resume training at the next step")
        self.stop = w.Button(description="Stop", icon="stop", button_style="danger",
                             tooltip="Stop training; the history so far is kept")
        self.command = w.HTML(_command_html(result, controls))
        self.lr.observe(self._on_lr, names="value")
        self.pause.observe(self._on_pause, names="value")
        self.stop.on_click(lambda _: self.controls.stop())
        self.widget = w.VBox([self.header, self.picture, w.HBox([self.progress, self.status]),
                              w.HBox([self.lr, self.pause, self.stop]), self.command])
        self.throttle = Throttle()

    def _on_lr(self, change) -> None:
        self.controls.set_lr(change["new"])
        self.command.value = _command_html(self.result, self.controls)

    def _on_pause(self, change) -> None:
        if change["new"]:
            self.controls.pause()
            self.pause.description, self.pause.icon = "Resume", "play"
        else:
            self.controls.resume()
            self.pause.description, self.pause.icon = "Pause", "pause"
        self.status.value = status_line(self.result, self.controls)

    def refresh(self, force: bool = False) -> None:
        if not (force or self.throttle.due()):
            return
        started = time.perf_counter()
        h = self.result.history
        self.progress.value = h.steps_done / max(1, h.steps_planned)
        self.status.value = status_line(self.result, self.controls)
        self.picture.value = live_html(self.result)
        self.throttle.drew(started)

    def finish(self) -> None:
        self.refresh(force=True)
        for control in (self.lr, self.pause, self.stop):
            control.disabled = True


class LiveRun:
    """One demo training in a background thread under its dashboard."""

    def __init__(self, result, on_progress=None, on_finish=None):
        self.result = result
        self.controls = Controls(result.settings.lr)
        self.dashboard = Dashboard(result, self.controls)
        self._on_progress = on_progress
        self._on_finish = on_finish
        self.on_done_display = None  # the display handle the final picture replaces the dashboard in
        # Set when the thread is done. Not Thread.join/is_alive: a Ctrl-C inside join() can
        # leave is_alive() False while the thread still runs (CPython, before 3.13).
        self.finished = threading.Event()
        self.thread = threading.Thread(target=self._train, name=f"dlmagics-train-{result.name}", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _train(self) -> None:
        def on_step(result):
            self.dashboard.refresh()
            if self._on_progress is not None:
                self._on_progress(result)
        try:
            runner.run(self.result, self.controls, on_step)
        finally:
            try:
                self.dashboard.finish()
                if self._on_finish is not None:
                    self._on_finish(self.result)
            finally:
                self.finished.set()

    @property
    def running(self) -> bool:
        return not self.finished.is_set()

    def wait(self) -> bool:
        """Block until the run ends. Ctrl-C while waiting stops it (the history is kept);
        returns True when that happened."""
        interrupted = False
        while not self.finished.is_set():
            try:
                self.finished.wait(0.1)
            except KeyboardInterrupt:
                self.controls.stop()
                interrupted = True
        return interrupted


def _header(result) -> str:
    from html import escape

    demo = result.demo
    return (f'<div style="font:13px sans-serif"><b>%train_demo {escape(demo.name)}</b>: {escape(demo.title)} '
            f'<span style="color:#666">({escape(demo.year)})</span><br><span style="color:#444">'
            f'{escape(demo.story)}</span></div>')


def _command_html(result, controls) -> str:
    from html import escape

    from .frames import command_line

    return f'<code style="font-size:12px">{escape(command_line(result.demo.name, result.settings, controls.lr))}</code>'

