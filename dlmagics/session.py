"""What dlmagics keeps per kernel: the sidebar channel, the GPU monitor, the live views.

It wires the monitor and training wings to the channel and to views; the magics call it.
It imports torch and ipywidgets only when a demo or a live view is asked for.
"""

from __future__ import annotations

import os
import platform
import threading
import time

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
        self.live_run = None  # the %train_demo training in the background, if any
        self._last_progress = 0.0
        self._quiz_store = None
        self.quizzes: dict = {}  # quiz id -> the Quiz, for every quiz shown in this kernel
        self.quiz_status: dict[str, dict] = {}  # quiz id -> its latest summary, for the sidebar

    # -- lifecycle -----------------------------------------------------------------
    def open(self) -> None:
        self.channel.open(self.snapshot())

    def close(self) -> None:
        if self.live_run is not None:
            self.live_run.controls.stop()
            self.live_run.wait()
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
            "quizzes": list(self.quiz_status.values()),
            **timeline_field(),
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

    # -- %train_demo -----------------------------------------------------------------
    def train(self, demo, settings, command: str, live: bool):
        """Run a demo: live (a dashboard, training in a thread) or here and now (headless)."""
        from IPython.display import display

        from .train import runner
        from .train.frames import final_bundle, status_line

        self.wait_for_training()
        result = runner.start(demo, settings, command)
        if live:
            from .train.live import LiveRun

            run = LiveRun(result, on_progress=self._training_progress, on_finish=self._training_finished)
            handle = display(run.dashboard.widget, display_id=True)
            run.on_done_display = handle
            self.live_run = run
            self._publish_training(result)
            run.start()
            return result
        # In a kernel, a line of progress that the final picture replaces; in a terminal, nothing.
        handle = display({"text/plain": "training...", "text/html": "<i>training...</i>"}, raw=True,
                         display_id=True) if self.channel.active else None

        last_shown = 0.0

        def progress(r):
            nonlocal last_shown
            self._training_progress(r)
            if handle is not None and time.monotonic() - last_shown >= 0.5:
                last_shown = time.monotonic()
                handle.update({"text/plain": status_line(r), "text/html": f"<i>{status_line(r)}</i>"}, raw=True)

        runner.run(result, on_step=progress)
        if handle is not None:
            handle.update(final_bundle(result), raw=True)
        else:
            display(final_bundle(result), raw=True)
        self._publish_training(result)
        return result

    def wait_for_training(self, *_) -> None:
        """The pre_run_cell barrier: a cell waits for the demo training before it."""
        run = self.live_run
        if run is not None and run.running:
            if run.wait():
                print(f"%train_demo {run.result.name}: stopped by Ctrl-C; the history so far is kept.")

    def _training_progress(self, result) -> None:
        if time.monotonic() - self._last_progress >= 1.0:
            self._publish_training(result)

    def _training_finished(self, result) -> None:
        from .train.frames import final_bundle

        run = self.live_run
        if run is not None and run.result is result:
            try:
                run.on_done_display.update(final_bundle(result), raw=True)
            except Exception:
                log.exception("dlmagics: could not draw the final picture of a demo")
        self._publish_training(result)

    def _publish_training(self, result) -> None:
        from .train.frames import training_message

        self._last_progress = time.monotonic()
        self.channel.send(training_message(result))

    # -- %dlquiz -------------------------------------------------------------------------
    @property
    def quiz_store(self):
        if self._quiz_store is None:
            from .quiz.store import ProgressStore

            self._quiz_store = ProgressStore()
        return self._quiz_store

    def show_quiz(self, quiz, mode: str, namespace: dict, cell_id: str | None):
        """Display a quiz whose answers are graded here and kept in the progress store."""
        from IPython.display import display

        from .quiz.tutor import Tutor
        from .quiz.view import QuizView

        tutor = Tutor(quiz, self.quiz_store, mode, cell_id, namespace, on_change=self._quiz_changed)
        self.quizzes[quiz.id] = quiz
        view = QuizView(tutor)
        display(view.mimebundle(), raw=True)
        self._quiz_changed(tutor.summary())
        return view

    def reset_quiz(self, quiz) -> None:
        from .quiz.tutor import Tutor

        tutor = Tutor(quiz, self.quiz_store)
        tutor.reset()
        if quiz.id in self.quiz_status:
            self._quiz_changed({**self.quiz_status[quiz.id], **tutor.progress.summary()})

    def _quiz_changed(self, summary: dict) -> None:
        self.quiz_status[summary["id"]] = summary
        self.channel.send({"type": "quiz", "quiz": summary})

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


def timeline_field() -> dict:
    """The snapshot's ``timeline``; left out (the sidebar keeps its own copy) if the events
    file cannot be read, so a broken file never breaks the channel."""
    from .timeline import events

    try:
        return {"timeline": [e.to_dict() for e in events()]}
    except Exception as error:  # unreadable, bad YAML, a missing key: all the same here
        log.warning("dlmagics: the timeline is not sent: %s", error)
        return {}
