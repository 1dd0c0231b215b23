"""The runs of one kernel, demos and learners' %%train cells: the run training in the
background (at most one), the barrier that makes the next cell wait for it, and the
``training`` messages that tell the sidebar. A run comes with its look: the module of its
words and pictures (frames.py for a demo, own_frames.py for a learner's cell).

Light to import (the magics create it at load): torch and the views come with the first run.
"""

from __future__ import annotations

import html
import time

from ..protocol import log
from ..throttle import SIDEBAR_S, Throttle

PROGRESS_LINE_S = 0.5  # a headless run's progress line, at most twice a second


class Trainer:
    def __init__(self, publish, show, in_kernel: bool):
        """``publish(message)`` sends to the sidebar; ``show`` is IPython's display (it returns
        a handle to update when given display_id=True); ``in_kernel``: a frontend shows outputs."""
        self.publish, self.show, self.in_kernel = publish, show, in_kernel
        self.live = None  # the LiveRun training in the background, if any
        self.board = None  # and its dashboard
        self._sidebar = Throttle(SIDEBAR_S, wait_first=False)

    def run(self, demo, settings, live: bool):
        """Run a demo: live (a dashboard, training in a thread) or here and now (headless)."""
        from . import frames, runner
        from .engine import Controls

        self.wait()
        result = runner.start(demo, settings, frames.command_line(demo.name, settings))

        def train(controls, on_step=None):
            runner.run(result, controls, on_step)

        controls = Controls(settings.lr)
        return self._run_live(result, train, frames, controls) if live else self._run_here(result, train, frames, controls)

    def train_cell(self, code: str, namespace: dict, command: str, doctor: bool, live: bool, quiet: bool = False,
                   most=None):
        """A learner's own loop (the cell's code) under the watch and the doctor: live, or
        here and now. ``quiet``: nothing while it trains, the final picture at the end;
        ``most``: how much of the loop runs (autograde.OwnLoop, under nbgrader)."""
        from . import own, own_frames
        from .engine import Controls

        self.wait()
        result = own.start(command, doctor)
        controls = Controls(0.0)  # the optimizer's rate, once its first step shows it

        def train(controls, on_step=None):
            own.run_cell(result, code, namespace, controls, on_step,
                         on_finding=None if live else self._say_finding, most=most)

        if live and not quiet:
            return self._run_live(result, train, own_frames, controls)
        return self._run_here(result, train, own_frames, controls, progress=not quiet)

    def _say_finding(self, finding) -> None:
        """A headless run's finding, as a line when it is made (the final picture repeats it)."""
        print(finding.line(), flush=True)

    def wait(self, *_) -> None:
        """The pre_run_cell barrier: a cell waits for the demo training before it."""
        run = self.live
        if run is not None and run.running:
            self._wait_for(run)

    def _wait_for(self, run) -> None:
        """Wait for a live run, saying so in the waiting cell: what it waits for, how long is
        left, how to stop it; then how long it waited. The dashboard above keeps drawing."""
        look = self.board.look if self.board is not None and self.live is run else None
        from . import frames

        look = look or frames
        name, started, handle = look.what(run.result), time.perf_counter(), None

        def words(text: str) -> dict:
            return {"text/plain": text, "text/html": f"<i>{html.escape(text)}</i>"}

        def tick():
            nonlocal handle
            left = look.time_left_words(run.result)
            text = (f"waiting for {name} to finish"
                    + (f" ({left})" if left is not None else "")
                    + "; interrupt the kernel (the stop button, or I I) to stop it now, keeping its history")
            if handle is None:
                handle = self.show(words(text), raw=True, display_id=True)
            else:
                handle.update(words(text), raw=True)

        board = self.board if self.live is run else None
        if board is not None and self.in_kernel:
            board.waited_on(True)
        interrupted = run.wait(tick if self.in_kernel else None)
        waited = time.perf_counter() - started
        if interrupted:
            done = f"{name}: stopped by the interrupt after {waited:.0f} s of waiting; its history so far is kept."
        else:
            done = f"waited {waited:.1f} s for {name} to finish"
        if handle is not None:
            handle.update(words(done), raw=True)
        elif interrupted:
            print(done)

    def stop_running(self) -> None:
        """The sidebar's Stop: as the dashboard's Stop button, the history so far kept."""
        run = self.live
        if run is not None and run.running:
            run.controls.stop()

    def interrupt_between_cells(self) -> bool:
        """The kernel was interrupted while no cell ran: a run training in the background
        stops at its next step, its history kept. True when there was one."""
        run = self.live
        if run is None or not run.running:
            return False
        run.controls.stop("interrupted")
        return True

    def close(self) -> None:
        if self.live is not None:
            self.live.controls.stop()
            self.live.wait()

    def _run_live(self, result, train, look, controls):
        from .live import LiveRun

        run = LiveRun(result, train, controls)
        dashboard = look.board(result, run.controls)
        handle = self.show(dashboard.widget, display_id=True)

        def on_step(r):
            dashboard.refresh()
            self._progress(r, look, run.controls)

        def on_hold():  # paused or resumed: the cell and the sidebar say so at the step it is at
            dashboard.refresh(force=True)
            self._publish(result, look, run.controls)

        def on_finish(r):
            bundle = _final_or_note(r, look)
            try:
                dashboard.finish(bundle["text/html"])
                handle.update(bundle, raw=True)
            except Exception:
                log.exception("dlmagics: could not show the end of a run")
            self._publish(r, look)

        run.controls.on_hold = on_hold
        self.live, self.board = run, dashboard
        result.waiter = lambda: self._wait_for(run) if run.must_wait() else None
        self._publish(result, look)
        run.start(on_step, on_finish)
        return result

    def _run_here(self, result, train, look, controls, progress: bool = True):
        # In a kernel, a line of progress that the final picture replaces; in a terminal, nothing.
        handle = self.show({"text/plain": "training...", "text/html": "<i>training...</i>"}, raw=True,
                           display_id=True) if self.in_kernel and progress else None
        line = Throttle(PROGRESS_LINE_S, wait_first=False)

        def on_step(r):
            self._progress(r, look)
            if handle is not None and line.due():
                started = time.perf_counter()
                words = look.status_line(r)
                handle.update({"text/plain": words, "text/html": f"<i>{html.escape(words)}</i>"}, raw=True)
                line.drew(started)

        train(controls, on_step)
        bundle = _final_or_note(result, look)
        if handle is not None:
            handle.update(bundle, raw=True)
        else:
            self.show(bundle, raw=True)
        self._publish(result, look)
        return result

    def _progress(self, result, look, controls=None) -> None:
        if self._sidebar.due():
            self._publish(result, look, controls)

    def _publish(self, result, look, controls=None) -> None:
        from ..protocol import training_message

        started = time.perf_counter()
        self.publish(training_message(look.run_state(result, controls)))
        self._sidebar.drew(started)


def _final_or_note(result, look) -> dict:
    """The finished run's picture and summary; if drawing fails, a line that says so. The run
    itself is returned either way (trained is never lost to a picture)."""
    try:
        return look.final_bundle(result)
    except Exception as error:
        log.exception("dlmagics: could not draw the final picture of a run")
        text = (f"{look.status_line(result)}; the final picture could not be drawn ({type(error).__name__}: {error}); "
                "the run is returned: .history and .final hold its numbers")
        return {"text/plain": text, "text/html": f"<p>{html.escape(text)}</p>"}
