"""The work in one run: floating-point operations, bytes moved, and how many ops ran.

FLOPs come from PyTorch's FlopCounterMode: it counts the ops in its registry (matmuls,
convolutions, attention: 2*m*n*k for a matmul) from their shapes; element-wise ops, norms
and reductions count zero, so the figure is a floor, and a report must say so when it is
zero. Bytes are an estimate from a dispatch mode: each op reads its tensor inputs and
writes its outputs once (views move nothing). That is the traffic of an ideal cache-less
run, a fair denominator for GB/s; real kernels may move more (re-reads) or less (fusion).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Work:
    flops: int
    bytes: int
    ops: int  # aten ops dispatched: each is at least one kernel launch on a GPU
    random: bool = False  # it draws random numbers: its output depends on the generator's state


def count_work(run: Callable[[], object]) -> Work:
    from torch.utils.flop_counter import FlopCounterMode

    traffic = _traffic_mode()
    with FlopCounterMode(display=False) as flops, traffic:
        run()
    return Work(flops=int(flops.get_total_flops()), bytes=traffic.bytes, ops=traffic.ops, random=traffic.random)


def _traffic_mode():
    import torch
    from torch.utils._python_dispatch import TorchDispatchMode
    from torch.utils._pytree import tree_leaves

    def tensor_bytes(tree) -> int:
        seen, total = set(), 0
        for leaf in tree_leaves(tree):
            if isinstance(leaf, torch.Tensor) and id(leaf) not in seen:
                seen.add(id(leaf))
                total += leaf.numel() * leaf.element_size()
        return total

    class Traffic(TorchDispatchMode):
        def __init__(self):
            super().__init__()
            self.bytes = 0
            self.ops = 0
            self.random = False

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            out = func(*args, **(kwargs or {}))
            if not func.is_view:
                self.ops += 1
                self.bytes += tensor_bytes((args, kwargs)) + tensor_bytes(out)
            self.random = self.random or torch.Tag.nondeterministic_seeded in func.tags
            return out

    return Traffic()
