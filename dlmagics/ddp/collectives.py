"""Rank side: torch.distributed's collectives timed and their bytes counted, by wrapping the
functions a cell (and DDP's Python comm hooks) call. Wrapping rather than torch.profiler: it
costs two clock reads a call, needs no trace to parse, and counts exactly the calls the
learner's code makes; DDP's gradient all_reduce runs in C++ by default, so a DDP model gets
PyTorch's own Python all_reduce hook (the same sums), whose all_reduce is wrapped too."""

from __future__ import annotations

import threading
import time
from functools import wraps

# collective -> where its input tensor is (positional index, keyword): the bytes it moves
# are counted as the bytes of that tensor (what this rank hands in, not the wire's bytes).
INPUTS = {
    "all_reduce": (0, "tensor"), "broadcast": (0, "tensor"), "reduce": (0, "tensor"),
    "all_gather": (1, "tensor"), "all_gather_into_tensor": (1, "input_tensor"),
    "reduce_scatter_tensor": (1, "input"), "all_to_all_single": (1, "input"),
    "gather": (0, "tensor"), "scatter": (0, "tensor"), "barrier": (None, None),
}


class Counter:
    """Per collective: [calls, seconds from its start to its end, bytes handed in]; and the
    time with at least one collective in flight (``seconds()``): DDP starts its all_reduce
    during backward, so durations overlap each other and the compute; their union does not
    count twice, and the rest of a step is time with no collective in flight."""

    def __init__(self):
        self.ops: dict[str, list] = {}
        self.lock = threading.Lock()  # async collectives finish on the backend's threads
        self.in_flight, self.busy_since, self.busy = 0, 0.0, 0.0

    def start(self) -> float:
        now = time.perf_counter()
        with self.lock:
            if self.in_flight == 0:
                self.busy_since = now
            self.in_flight += 1
        return now

    def end(self, name: str, started: float, nbytes: int) -> None:
        now = time.perf_counter()
        with self.lock:
            calls, spent, moved = self.ops.get(name, (0, 0.0, 0))
            self.ops[name] = [calls + 1, spent + now - started, moved + nbytes]
            self.in_flight -= 1
            if self.in_flight == 0:
                self.busy += now - self.busy_since

    def seconds(self) -> float:
        """Time so far with a collective in flight."""
        with self.lock:
            return self.busy + (time.perf_counter() - self.busy_since if self.in_flight else 0.0)

    def wrap(self, name: str, function):
        index, keyword = INPUTS[name]

        @wraps(function)
        def timed(*args, **kwargs):
            tensor = kwargs.get(keyword) if keyword in (kwargs or {}) else (
                args[index] if index is not None and len(args) > index else None)
            nbytes = tensor.numel() * tensor.element_size() if hasattr(tensor, "element_size") else 0
            started = self.start()
            try:
                work = function(*args, **kwargs)
            except BaseException:
                self.end(name, started, nbytes)
                raise
            if work is None or not hasattr(work, "get_future"):
                self.end(name, started, nbytes)
            else:  # async_op=True: counted when it completes
                work.get_future().add_done_callback(lambda _: self.end(name, started, nbytes))
            return work

        return timed

    def patch(self, dist) -> None:
        for name in INPUTS:
            if hasattr(dist, name):
                setattr(dist, name, self.wrap(name, getattr(dist, name)))
        _python_hook_for_ddp(dist)


def _python_hook_for_ddp(dist) -> None:
    """A DDP model whose code registers no comm hook of its own gets PyTorch's allreduce_hook at
    its first forward, so its gradient all_reduce goes through the wrapped dist.all_reduce."""
    from torch.distributed.algorithms.ddp_comm_hooks import default_hooks
    from torch.nn.parallel import DistributedDataParallel as DDP

    register, forward = DDP.register_comm_hook, DDP.forward

    def register_comm_hook(self, state, hook):
        self._dlmagics_hooked = True
        return register(self, state, hook)

    def first_forward(self, *args, **kwargs):
        if not getattr(self, "_dlmagics_hooked", False):
            register_comm_hook(self, self.process_group, default_hooks.allreduce_hook)
        return forward(self, *args, **kwargs)

    DDP.register_comm_hook, DDP.forward = register_comm_hook, first_forward
