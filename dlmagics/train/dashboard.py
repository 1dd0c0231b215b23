"""The live dashboard of a run (a %train_demo, or a learner's %%train cell), as ipywidgets:
curves and a panel, progress with the time left, a log-scale learning-rate slider, Pause and
Stop. It follows a ``LiveRun`` (live.py) through ``refresh`` and ``finish``, and acts on the
run's controls. What it shows comes from the run's look: frames.py (a demo), own_frames.py
(a learner's cell), modules with the same functions."""

from __future__ import annotations

import math
import time

from .engine import Controls
from .. import theme
from ..throttle import Throttle

STOP_CLASS = "dlm-stop"  # the extension interrupts the kernel at a click on it in a waited-on dashboard
WAITED_CLASS = "dlm-waited"
WAITED_NOTE = (". A cell is waiting for this run: the slider and Pause work again after it; "
               "Stop (or the kernel's stop button) ends the run now")


class Dashboard:
    """Curves, the demo's panel, progress with ETA, a log-scale LR slider, pause and stop.
    It draws at most as often as its Throttle allows, so drawing never slows training much."""

    def __init__(self, result, controls: Controls, look):
        import ipywidgets as w

        self.result, self.controls, self.look = result, controls, look
        known = controls.lr > 0  # a learner's loop: known once its optimizer takes a step
        self.header = w.HTML(self.look.header_html(result))
        self.picture = w.HTML(self.look.live_html(result))
        self.progress = w.FloatProgress(value=0.0, min=0.0, max=1.0, description="",
                                        layout=w.Layout(width="260px"))
        self.status = w.HTML(self.look.status_line(result, controls))
        self.lr = w.FloatLogSlider(value=controls.lr if known else 1e-3, base=10, disabled=not known, min=-5, max=1, step=0.05, description="learning rate",
                                   readout_format=".2e", continuous_update=False,
                                   style={"description_width": "initial"}, layout=w.Layout(width="360px"))
        self.pause = w.ToggleButton(value=False, description="Pause", icon="pause",
                                    tooltip="Pause or resume training at the next step")
        self.stop = w.Button(description="Stop", icon="stop", button_style="danger",
                             tooltip="Stop training; the history so far is kept")
        self.stop.add_class(STOP_CLASS)
        self.command = w.HTML(self.look.command_html(result, controls))
        self.lr.observe(self._on_lr, names="value")
        self.pause.observe(self._on_pause, names="value")
        self.stop.on_click(lambda _: self.controls.stop())
        # The controls sit above the curves, so they stay in place from the first frame on and
        # in view with the curves on a 768-pixel-high screen.
        controls = w.HBox([self.pause, self.stop, self.lr], layout=w.Layout(flex_flow="row wrap", align_items="center"))
        progress = w.HBox([self.progress, self.status], layout=w.Layout(flex_flow="row wrap", align_items="center"))
        self.widget = w.VBox([self.header, controls, progress, self.picture, self.command])
        self.widget.add_class("dlm-dashboard")
        self.widget.add_class(theme.OWN_KEYS)
        # the parallel demos' ranks train in other processes, with the rate they started with
        self.steerable = getattr(getattr(result, "demo", None), "steerable", True)
        if not self.steerable:
            for control in (self.lr, self.pause):
                control.disabled = True
                control.tooltip = "The ranks train in processes of their own, at the rate they started with; Stop ends them"
        self.throttle = Throttle()
        self.waiting = False
        self._following = False  # the slider follows the run's rate (a scheduler's, the first step's)

    def _on_lr(self, change) -> None:
        if self._following:
            return
        self.controls.set_lr(change["new"])
        self.command.value = self.look.command_html(self.result, self.controls)

    def _on_pause(self, change) -> None:
        if change["new"]:
            self.controls.pause()
            self.pause.description, self.pause.icon = "Resume", "play"
        else:
            self.controls.resume()
            self.pause.description, self.pause.icon = "Pause", "pause"
        self.status.value = self.look.status_line(self.result, self.controls)

    def refresh(self, force: bool = False) -> None:
        if not (force or self.throttle.due()):
            return
        started = time.perf_counter()
        if self.pause.value and not self.controls.paused:  # resumed by a cell that waits for the run
            self.pause.value = False
        done = self.look.progress(self.result)
        self.progress.layout.visibility = "hidden" if done is None else "visible"
        self.progress.value = done or 0.0
        waited = self.waiting and not self.result.done
        self.status.value = self.look.status_line(self.result, self.controls) + (WAITED_NOTE if waited else "")
        self.picture.value = self.look.live_html(self.result)
        self._follow_lr()
        self.throttle.drew(started)

    def _follow_lr(self) -> None:
        lr = self.controls.lr
        if lr > 0 and (self.lr.disabled and not self.waiting and self.steerable or abs(self.lr.value - lr) > 1e-9 * lr):
            self._following = True
            try:
                power = math.log10(lr)  # a learner's rate may lie outside 1e-5..10 (100, 1e-7): the scale follows
                self.lr.min, self.lr.max = min(self.lr.min, math.floor(power) - 1), max(self.lr.max, math.ceil(power) + 1)
                self.lr.value, self.lr.disabled = lr, self.waiting or not self.steerable
            finally:
                self._following = False

    def waited_on(self, waiting: bool) -> None:
        """A cell is waiting for this run (or no longer): the kernel reads no widget message
        until it ends, so the slider and Pause are greyed out and the status says why; Stop
        stays, as the extension turns its click into a kernel interrupt (labextension/outputs.ts)."""
        self.waiting = waiting
        (self.widget.add_class if waiting else self.widget.remove_class)(WAITED_CLASS)
        for control in (self.lr, self.pause):
            control.disabled = waiting or not self.steerable
        self.refresh(force=True)

    def finish(self, final_html: str) -> None:
        """The run ended: the dashboard becomes its final picture and summary. The cell's
        output is replaced by the same picture (trainer.py), but a frontend that draws no
        display update once the cell is done (Voila) keeps showing this widget."""
        import ipywidgets as w

        self.widget.children = (w.HTML(final_html),)
