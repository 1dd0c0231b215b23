"""The same random numbers on every device, so outputs can be compared.

CPU and CUDA generators give different streams for the same seed, so a cell that writes
``torch.randn(n, n, device=device)`` would get other inputs on each device. While a run's
setup executes, random factories and in-place random fills on a non-CPU device draw on the
CPU (seeded the same for every device) and copy the numbers over. The user's own RNG state
is restored afterwards.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

SEED = 0


@contextmanager
def same_random_numbers() -> Iterator[None]:
    import torch

    with torch.random.fork_rng(devices=[]), _cpu_random_mode():
        torch.manual_seed(SEED)
        yield


def _names(owner, names: str) -> set:
    return {getattr(owner, name) for name in names.split() if hasattr(owner, name)}


def _cpu_random_mode():
    import torch
    from torch.overrides import TorchFunctionMode

    factories = _names(torch, "randn rand randint randperm normal")
    like = _names(torch, "randn_like rand_like randint_like")
    fills = _names(torch.Tensor, "uniform_ normal_ random_ bernoulli_ exponential_ geometric_ "
                                 "log_normal_ cauchy_")

    def off_cpu(device) -> bool:
        return device is not None and torch.device(device).type != "cpu"

    class CpuRandom(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            kwargs = dict(kwargs or {})
            if func in factories and off_cpu(kwargs.get("device")):
                device = kwargs.pop("device")
                return func(*args, device="cpu", **kwargs).to(device)
            if func in like and args and off_cpu(kwargs.get("device", args[0].device)):
                device = kwargs.pop("device", args[0].device)
                return func(*args, device="cpu", **kwargs).to(device)
            if func in fills and args and args[0].device.type != "cpu":
                drawn = torch.empty(args[0].shape, dtype=args[0].dtype, device="cpu")
                func(drawn, *args[1:], **kwargs)
                with torch.no_grad():
                    return args[0].copy_(drawn)
            return func(*args, **kwargs)

    return CpuRandom()
