"""A fake of the pynvml module (nvidia-ml-py), for tests and demos without a GPU.

It has the same functions as pynvml and raises pynvml's own NVMLError classes, so the
monitor runs unchanged against it. Put it in place of the real module with
``install(FakeNVML(...))`` before the monitor starts.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from types import SimpleNamespace

import pynvml

NVMLError = pynvml.NVMLError

@dataclass
class FakeGpu:
    name: str = "NVIDIA H200"
    uuid: str = "GPU-00000000-1111-2222-3333-444444444444"
    memory_total: int = 141 * 1024**3
    memory_used: int = 12 * 1024**3
    utilization: int = 37
    temperature: int = 41
    power_mw: int = 312_000
    power_limit_mw: int = 700_000
    # Fields this GPU cannot report (NotSupported): memory, memory_v2, utilization,
    # temperature, power, power_limit, name.
    unsupported: set = field(default_factory=set)
    error: int | None = None  # an NVML error code every query of this GPU raises (15: lost)


class FakeNVML:
    """Stands in for the pynvml module. ``init_error``: an NVML code nvmlInit raises."""

    nvmlMemory_v2 = pynvml.nvmlMemory_v2
    NVMLError = NVMLError

    def __init__(self, gpus: list[FakeGpu] | None = None, init_error: int | None = None):
        self.gpus = list(gpus) if gpus is not None else [FakeGpu()]
        self.init_error = init_error
        self.driver_error: int | None = None  # set mid-run: every query raises it
        self.calls: dict[str, int] = {}
        self.initialised = False

    # -- lifecycle ----------------------------------------------------------------
    def nvmlInit(self):
        self._count("nvmlInit")
        if self.init_error is not None:
            raise NVMLError(self.init_error)
        self.initialised = True

    def nvmlShutdown(self):
        self.initialised = False

    def nvmlDeviceGetCount(self):
        self._check()
        return len(self.gpus)

    def nvmlDeviceGetHandleByIndex(self, index):
        self._count("nvmlDeviceGetHandleByIndex")
        self._check()
        return self.gpus[index]

    # -- queries --------------------------------------------------------------------
    def nvmlDeviceGetUUID(self, gpu):
        self._check(gpu)
        return gpu.uuid

    def nvmlDeviceGetName(self, gpu):
        return self._answer(gpu, "name", gpu.name)

    def nvmlDeviceGetMemoryInfo(self, gpu, version=None):
        kind = "memory_v2" if version else "memory"
        if kind == "memory_v2" and "memory_v2" in gpu.unsupported:
            self._check(gpu)
            raise NVMLError(pynvml.NVML_ERROR_FUNCTION_NOT_FOUND)
        free = gpu.memory_total - gpu.memory_used
        return self._answer(gpu, "memory", SimpleNamespace(total=gpu.memory_total, used=gpu.memory_used, free=free))

    def nvmlDeviceGetUtilizationRates(self, gpu):
        return self._answer(gpu, "utilization", SimpleNamespace(gpu=gpu.utilization, memory=gpu.utilization // 2))

    def nvmlDeviceGetTemperature(self, gpu, sensor):
        return self._answer(gpu, "temperature", gpu.temperature)

    def nvmlDeviceGetPowerUsage(self, gpu):
        return self._answer(gpu, "power", gpu.power_mw)

    def nvmlDeviceGetEnforcedPowerLimit(self, gpu):
        return self._answer(gpu, "power_limit", gpu.power_limit_mw)

    # -- helpers --------------------------------------------------------------------
    def _answer(self, gpu, name, value):
        self._count(name)
        self._check(gpu)
        if name in gpu.unsupported:
            raise NVMLError(pynvml.NVML_ERROR_NOT_SUPPORTED)
        return value

    def _check(self, gpu=None):
        if not self.initialised:
            raise NVMLError(pynvml.NVML_ERROR_UNINITIALIZED)
        if self.driver_error is not None:
            raise NVMLError(self.driver_error)
        if gpu is not None and gpu.error is not None:
            raise NVMLError(gpu.error)

    def _count(self, name):
        self.calls[name] = self.calls.get(name, 0) + 1


def install(fake: FakeNVML) -> FakeNVML:
    """Make ``import pynvml`` return the fake in this process (until uninstall)."""
    sys.modules["pynvml"] = fake  # type: ignore[assignment]
    return fake


def uninstall() -> None:
    sys.modules["pynvml"] = pynvml
