"""Floating-point operations of one run, counted by PyTorch's FlopCounterMode.

It counts the ops in its registry (matmuls, convolutions, attention: 2*m*n*k for a
matmul) from their shapes; element-wise ops, norms and reductions count zero, so the
figure is a floor, and a report must say so when it is zero.
"""

from __future__ import annotations

from typing import Callable


def count_flops(run: Callable[[], object]) -> int:
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter:
        run()
    return int(counter.get_total_flops())
