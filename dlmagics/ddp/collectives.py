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
    """Per collective: [calls, seconds until done, bytes handed in]."""

    def __init__(self):
        self.ops: dict[str, list] = {}
        self.lock = threading.Lock()  # async collectives finish on the backend's threads

    def add(self, name: str, seconds: float, nbytes: int) -> None:
        with self.lock:
            calls, spent, moved = self.ops.get(name, (0, 0.0, 0))
            self.ops[name] = [calls + 1, spent + seconds, moved + nbytes]

    def seconds(self) -> float:
        with self.lock:
            return sum(op[1] for op in self.ops.values())

    def wrap(self, name: str, function):
        index, keyword = INPUTS[name]

        @wraps(function)
        def timed(*args, **kwargs):
            tensor = kwargs.get(keyword) if keyword in (kwargs or {}) else (
                args[index] if index is not None and len(args) > index else None)
            nbytes = tensor.numel() * tensor.element_size() if hasattr(tensor, "element_size") else 0
            started = time.perf_counter()
            work = function(*args, **kwargs)
            if work is None or not hasattr(work, "get_future"):
                self.add(name, time.perf_counter() - started, nbytes)
            else:  # async_op=True: counted when it completes
                work.get_future().add_done_callback(lambda _: self.add(name, time.perf_counter() - started, nbytes))
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
