"""What watching a run costs it: the time the watch and the doctor spend in the learner's
loop, less the time they wait for a GPU to finish the learner's own queued work before
reading a value there. That work would have run anyway (the first run on a GPU also loads
its kernels then); counting it made a warm-up look like the doctor's cost. On a CPU nothing
is queued, so nothing is subtracted. A pause the learner asked for is taken out the same way."""

from __future__ import annotations

import time

import torch

_waited_s = 0.0  # every wait so far, in this process: only ever read as a difference


def on_gpu(tensor) -> bool:
    """The tensor's values are on a (CUDA) GPU: reading them waits for its queued work."""
    return isinstance(tensor, torch.Tensor) and tensor.is_cuda


def settle(tensor) -> None:
    """Before reading a value on a GPU: wait for the device here, the wait timed apart."""
    global _waited_s
    if on_gpu(tensor):
        started = time.perf_counter()
        torch.cuda.synchronize(tensor.device)
        _waited_s += time.perf_counter() - started


def held(wait) -> float:
    """Call ``wait`` (the learner's Pause, held), its time apart as a GPU wait's; returns it."""
    global _waited_s
    started = time.perf_counter()
    wait()
    spent = time.perf_counter() - started
    _waited_s += spent
    return spent


def mark() -> tuple[float, float]:
    return time.perf_counter(), _waited_s


def since(start: tuple[float, float]) -> float:
    """The seconds since ``mark()`` gave ``start``, less the GPU waits within them."""
    return time.perf_counter() - start[0] - (_waited_s - start[1])
