"""Fakes of the GPU interfaces dlmagics uses, for tests and demos without a GPU.

``FakeNVML`` has the same functions as the pynvml module (nvidia-ml-py) and raises
pynvml's own NVMLError classes, so the monitor runs unchanged against it. Put it in place
of the real module with ``install(FakeNVML(...))`` before the monitor starts.

``FakeCuda`` has the parts of torch.cuda that %%gpubench uses (events, synchronize,
device, memory counters, empty_cache) and raises torch's own OutOfMemoryError. Its work
runs on the CPU; its clock reads the CPU's time divided by ``speedup``. Put it in place
with ``install_cuda(FakeCuda(...))``.

``FakeDisplay`` stands for IPython's display where a progress line draws (progress_line.py):
it keeps the text of each line drawn.
"""

from __future__ import annotations

import sys
import time
import weakref
from contextlib import contextmanager
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
    sm_clock_mhz: int = 1980
    max_sm_clock_mhz: int = 1980
    memory_clock_mhz: int = 3201
    clock_reasons: int = 0  # NVML's clocks event reason bits (0x4: its power cap)
    # Fields this GPU cannot report (NotSupported): memory, memory_v2, utilization,
    # temperature, power, power_limit, name, clocks, clock_reasons; "clock_events": a driver
    # before 535, without nvmlDeviceGetCurrentClocksEventReasons (FunctionNotFound).
    unsupported: set = field(default_factory=set)
    error: int | None = None  # an NVML error code every query of this GPU raises (15: lost)
    processes: list = field(default_factory=list)  # the PIDs of the compute processes running on it


class FakeNVML:
    """Stands in for the pynvml module. ``init_error``: an NVML code nvmlInit raises."""

    nvmlMemory_v2 = pynvml.nvmlMemory_v2
    NVMLError = NVMLError
    NVML_CLOCK_SM, NVML_CLOCK_MEM = pynvml.NVML_CLOCK_SM, pynvml.NVML_CLOCK_MEM

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

    def nvmlDeviceGetHandleByUUID(self, uuid):
        self._check()
        for gpu in self.gpus:
            if gpu.uuid == uuid:
                return gpu
        raise NVMLError(pynvml.NVML_ERROR_NOT_FOUND)

    # -- queries --------------------------------------------------------------------
    def nvmlDeviceGetComputeRunningProcesses(self, gpu):
        return self._answer(gpu, "processes", [SimpleNamespace(pid=pid, usedGpuMemory=None) for pid in gpu.processes])

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

    def nvmlDeviceGetClockInfo(self, gpu, kind):
        return self._answer(gpu, "clocks", gpu.sm_clock_mhz if kind == pynvml.NVML_CLOCK_SM else gpu.memory_clock_mhz)

    def nvmlDeviceGetMaxClockInfo(self, gpu, kind):
        return self._answer(gpu, "clocks", gpu.max_sm_clock_mhz if kind == pynvml.NVML_CLOCK_SM
                            else gpu.memory_clock_mhz)

    def nvmlSystemGetDriverVersion(self):
        self._check()
        return "580.95.05"

    def nvmlDeviceGetCurrentClocksEventReasons(self, gpu):
        if "clock_events" in gpu.unsupported:
            raise NVMLError(pynvml.NVML_ERROR_FUNCTION_NOT_FOUND)
        return self._answer(gpu, "clock_reasons", gpu.clock_reasons)

    def nvmlDeviceGetCurrentClocksThrottleReasons(self, gpu):
        return self._answer(gpu, "clock_reasons", gpu.clock_reasons)

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


# -- CUDA ---------------------------------------------------------------------------------
class FakeEvent:
    def __init__(self, cuda: "FakeCuda", enable_timing: bool = False):
        self.cuda, self.enable_timing, self.at = cuda, enable_timing, None

    def record(self, stream=None):
        self.at = time.perf_counter()

    def synchronize(self):
        self.cuda.syncs += 1

    def elapsed_time(self, end: "FakeEvent") -> float:
        if not (self.enable_timing and end.enable_timing) or self.at is None or end.at is None:
            raise RuntimeError("Both events must be recorded with enable_timing=True")
        return (end.at - self.at) / self.cuda.speedup * 1000.0


class FakeBlock:
    """Fake device memory: counted while this object lives."""

    def __init__(self, cuda: "FakeCuda", nbytes: int):
        cuda._add(nbytes)
        self._free = weakref.finalize(self, cuda._add, -nbytes)


class FakeCuda:
    """Stands in for torch.cuda: ``count`` GPUs named ``name``, ``capacity`` bytes each."""

    work_device = "cpu"  # where the fake's work really runs

    def __init__(self, count: int = 1, name: str = "NVIDIA H200", speedup: float = 20.0,
                 capacity: int = 141 * 1024**3):
        import torch

        self.OutOfMemoryError = torch.OutOfMemoryError
        self.count, self.name, self.speedup, self.capacity = count, name, speedup, capacity
        self.current: int | None = None  # the device of the run in progress
        self.allocated = self.peak = 0
        self.syncs = self.empty_cache_calls = 0

    def is_available(self) -> bool:
        return self.count > 0

    def device_count(self) -> int:
        return self.count

    def get_device_name(self, index: int = 0) -> str:
        return self.name

    def get_device_properties(self, index: int = 0):
        """The name and UUID (FakeGpu's by default, so NVML's fake finds GPU 0 by it)."""
        return SimpleNamespace(name=self.name, uuid=FakeGpu.uuid if index == 0 else f"GPU-fake-{index}",
                               total_memory=self.capacity)

    @contextmanager
    def device(self, index: int):
        before, self.current = self.current, index
        try:
            yield
        finally:
            self.current = before

    def Event(self, enable_timing: bool = False) -> FakeEvent:  # noqa: N802 (torch's name)
        return FakeEvent(self, enable_timing)

    def synchronize(self, device=None) -> None:
        self.syncs += 1

    def empty_cache(self) -> None:
        self.empty_cache_calls += 1

    def memory_allocated(self, device=None) -> int:
        return self.allocated

    def max_memory_allocated(self, device=None) -> int:
        return self.peak

    def reset_peak_memory_stats(self, device=None) -> None:
        self.peak = self.allocated

    def allocate(self, nbytes: int) -> FakeBlock | None:
        """Take ``nbytes`` of the fake GPU during a run on it (None elsewhere, so a cell
        can call it on every device); over capacity, raise as torch's allocator does."""
        if self.current is None:
            return None
        if self.allocated + nbytes > self.capacity:
            gib = 1024**3
            raise self.OutOfMemoryError(
                f"CUDA out of memory. Tried to allocate {nbytes / gib:.2f} GiB. GPU {self.current} has a "
                f"total capacity of {self.capacity / gib:.2f} GiB of which {(self.capacity - self.allocated) / gib:.2f} GiB is free.")
        return FakeBlock(self, nbytes)

    def _add(self, nbytes: int) -> None:
        self.allocated += nbytes
        self.peak = max(self.peak, self.allocated)


def install_cuda(fake: FakeCuda) -> FakeCuda:
    """Make %%gpubench see the fake's GPUs in place of torch.cuda (until uninstall_cuda)."""
    from .hardware import devices

    devices._cuda_override = fake
    return fake


def uninstall_cuda() -> None:
    from .hardware import devices

    devices._cuda_override = None


class FakeDisplay:
    """IPython's ``display(bundle, raw=True, display_id=True)`` and its handle's ``update``:
    ``drawn`` holds each text/plain drawn, "" when the line was cleared."""

    def __init__(self):
        self.drawn: list[str] = []

    def __call__(self, bundle: dict, raw: bool = False, display_id: bool = False) -> "FakeDisplay":
        self.drawn.append(bundle["text/plain"])
        return self

    def update(self, bundle: dict, raw: bool = False) -> None:
        self.drawn.append(bundle["text/plain"])
