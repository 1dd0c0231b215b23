"""The background sampler: one sample every ``interval`` seconds into a ring buffer.

It costs little by design: NVML is initialised once and its handles cached, each tick is a
handful of NVML calls (which release the GIL), and the thread sleeps on an Event so a stop
is immediate.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from typing import Callable

from ..options import bounded
from .host import HostReader, cuda_uuids, torch_cuda, torch_memory, torch_status
from .nvml import GpuReader

MIN_INTERVAL, MAX_INTERVAL = 0.1, 3600.0
INTERVAL_S, HISTORY_S = 1.0, 900.0  # the defaults of %config DLMagics.monitor_interval, monitor_history
MAX_HISTORY_SAMPLES = 36_000


class SampleReader:
    """Takes one complete sample: GPUs, the kernel process, PyTorch's allocator."""

    def __init__(self, gpu: GpuReader | None = None, host: HostReader | None = None):
        self.gpu = gpu or GpuReader()
        self._host = host
        self._started = False

    def start(self) -> None:
        if not self._started:
            self.gpu.start()
            self._host = self._host or HostReader()
            self._started = True

    def read(self) -> dict:
        self.start()
        began = time.perf_counter()
        cuda = torch_cuda()
        if cuda is not None and self.gpu.needs_cuda_order:
            uuids = cuda_uuids(cuda)
            if uuids:
                self.gpu.use_cuda_order(uuids)
        gpus = self.gpu.read()
        if cuda is not None:
            for g in gpus:
                g["torch"] = torch_memory(cuda, g["index"])
        return {
            "t": time.time(),
            "state": self.gpu.state,
            "message": self.gpu.message,
            "gpus": gpus,
            "host": self._host.read(),
            "torch": torch_status(cuda),
            "cost_ms": (time.perf_counter() - began) * 1000.0,
        }

    def close(self) -> None:
        self.gpu.close()
        self._started = False


class Sampler:
    """Runs ``reader.read`` on a daemon thread and hands each sample to ``on_sample``.

    ``on_sample`` runs on the sampler thread; it must be quick and must not raise (an
    exception is swallowed so the monitor keeps running).
    """

    def __init__(
        self,
        reader: SampleReader,
        on_sample: Callable[[dict], None] = lambda sample: None,
        interval: float = INTERVAL_S,
        history_seconds: float = HISTORY_S,
    ):
        self.reader = reader
        self.on_sample = on_sample
        self._lock = threading.Lock()
        self._read_lock = threading.Lock()  # one reading at a time: NVML handles, psutil's CPU baseline
        self._interval = check_interval(interval)
        self._history_seconds = float(history_seconds)
        self._history: deque = deque(maxlen=self._capacity())
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.thread_cpu_seconds = 0.0  # CPU time the sampler thread has used, for the cost figures
        self.samples_taken = 0

    @property
    def interval(self) -> float:
        return self._interval

    @property
    def history_seconds(self) -> float:
        return self._history_seconds

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def set_interval(self, seconds: float) -> None:
        self._interval = check_interval(seconds)
        self._resize()

    def set_history_seconds(self, seconds: float) -> None:
        self._history_seconds = float(seconds)
        self._resize()

    def start(self) -> bool:
        """Start the thread; False if it was already running."""
        with self._lock:
            if self.running:
                return False
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="dlmagics-gpumon", daemon=True)
            self._thread.start()
            return True

    def stop(self, timeout: float = 5.0) -> bool:
        """Stop the thread and wait for it; False if it was not running."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is None or not thread.is_alive():
            return False
        self._stop.set()
        if thread is not threading.current_thread():
            thread.join(timeout)
        return True

    def history(self) -> list[dict]:
        with self._lock:
            return list(self._history)

    def latest(self) -> dict | None:
        with self._lock:
            return self._history[-1] if self._history else None

    def sample_now(self) -> dict:
        """Take one sample on the calling thread (for %gpumon when the thread is off)."""
        with self._read_lock:
            sample = self.reader.read()
        with self._lock:
            self._history.append(sample)
        return sample

    def _run(self) -> None:
        next_tick = time.monotonic()
        while not self._stop.is_set():
            cpu_before = time.thread_time()
            try:
                sample = self.sample_now()
                self.samples_taken += 1
                self.on_sample(sample)
            except Exception:  # the monitor must outlive any one bad reading
                pass
            self.thread_cpu_seconds += time.thread_time() - cpu_before
            # Keep to the grid, skipping ticks we overran, so the rate holds under load.
            next_tick += self._interval
            now = time.monotonic()
            if next_tick < now:
                next_tick = now + self._interval
            self._stop.wait(next_tick - now)

    def _capacity(self) -> int:
        return min(MAX_HISTORY_SAMPLES, max(1, math.ceil(self._history_seconds / self._interval)))

    def _resize(self) -> None:
        with self._lock:
            self._history = deque(self._history, maxlen=self._capacity())


def check_interval(seconds) -> float:
    """The interval as a float, or OptionError (a ValueError) naming the allowed range."""
    return float(bounded(seconds, float, MIN_INTERVAL, MAX_INTERVAL, "the interval must be a number of seconds "
                         f"from {MIN_INTERVAL:g} to {MAX_INTERVAL:g}, got {seconds!r}"))
