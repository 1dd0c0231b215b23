"""One backend per kind of device: where the cell's work runs, how it is timed, its memory
and its peaks. The runner treats them alike.

CUDA goes through an object with torch.cuda's interface (Event, synchronize, memory
counters, empty_cache), so tests swap in ``dlmagics.testing.FakeCuda`` and cover the GPU
logic without a GPU.
"""

from __future__ import annotations

import gc
import resource
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from ..hardware.devices import Device, cuda_api
from ..hardware.specs import cpu_copy_bandwidth, cpu_info, find_gpu, short_cpu_name
from .environment import gpu_clocks
from .timing import CpuClock, cpu_threads


def is_out_of_memory(error: BaseException) -> bool:
    import torch

    if isinstance(error, (torch.OutOfMemoryError, MemoryError)):
        return True
    text = str(error).lower()
    return isinstance(error, RuntimeError) and ("out of memory" in text or "can't allocate memory" in text)


class CpuBackend:
    kind = "cpu"
    torch_device = "cpu"
    method = "wall clock per run (time.perf_counter), garbage collector off"
    memory_kind = "process peak resident memory"

    def __init__(self, device: Device):
        import torch

        self.threads = device.threads or torch.get_num_threads()
        self.clock = CpuClock()

    @property
    def name(self) -> str:
        return f"{short_cpu_name(cpu_info().model)}, {self.threads} thread{'s' if self.threads > 1 else ''}"

    @contextmanager
    def active(self) -> Iterator[None]:
        with cpu_threads(self.threads):
            yield

    def reset_peak(self) -> None:
        try:
            Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM (Linux >= 4.0)
        except OSError:
            pass

    def peak_memory(self) -> int | None:
        for line in _read_lines("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # the process's lifetime peak
        return peak if sys.platform == "darwin" else peak * 1024

    def release(self) -> None:
        # Tensors die with the cell's namespace (reference counts); a full collection, for the
        # rare cycle, would cost ~0.15 s once torch is loaded: the young generations will do.
        gc.collect(1)

    def allocated(self) -> None:
        return None  # no allocator counter on the CPU

    def clocks(self) -> dict:
        return {}

    def peak_flops(self, precision: str) -> float | None:
        peak = cpu_info().peak_fp32(self.threads)
        if peak is None:
            return None
        return {"float32": peak, "tf32": peak, "float64": peak / 2}.get(precision)

    def peak_bandwidth(self) -> float:
        with cpu_threads(self.threads):
            return cpu_copy_bandwidth(self.threads)

    peak_source = "estimate: cores x clock x FP32 FLOPs per cycle; bandwidth: a measured copy"


class CudaClock:
    """CUDA events around each run, then a wait for the end event: the device's time for
    the run's work, launch gaps within it included, host overhead before it excluded."""

    def __init__(self, cuda, index: int):
        self.cuda, self.index = cuda, index

    def sync(self) -> None:
        self.cuda.synchronize(self.index)

    def time(self, run: Callable[[], object]) -> float:
        start = self.cuda.Event(enable_timing=True)
        end = self.cuda.Event(enable_timing=True)
        start.record()
        run()
        end.record()
        end.synchronize()
        return start.elapsed_time(end) / 1000.0  # milliseconds to seconds


class CudaBackend:
    kind = "cuda"
    method = "CUDA events around each run, synchronised"
    memory_kind = "PyTorch allocator peak (max_memory_allocated)"
    peak_source = "spec sheet (dense)"

    def __init__(self, device: Device, cuda=None):
        self.cuda = cuda or cuda_api()
        self.index = device.index
        # The fake CUDA runs its work on the CPU; real CUDA on the device itself.
        self.torch_device = getattr(self.cuda, "work_device", None) or f"cuda:{self.index}"
        self.clock = CudaClock(self.cuda, self.index)
        self.name = self.cuda.get_device_name(self.index)
        self.spec = find_gpu(self.name)

    @contextmanager
    def active(self) -> Iterator[None]:
        with self.cuda.device(self.index):
            yield

    def reset_peak(self) -> None:
        self.cuda.synchronize(self.index)
        self.cuda.reset_peak_memory_stats(self.index)

    def peak_memory(self) -> int | None:
        return self.cuda.max_memory_allocated(self.index)

    def allocated(self) -> int:
        return self.cuda.memory_allocated(self.index)

    def release(self) -> None:
        gc.collect()
        try:
            self.cuda.synchronize(self.index)
        except RuntimeError:
            pass  # a failed kernel reports here again; the cell's error is already kept
        self.cuda.empty_cache()

    def peak_flops(self, precision: str) -> float | None:
        return self.spec.peak(precision) if self.spec else None

    def peak_bandwidth(self) -> float | None:
        return self.spec.bandwidth if self.spec else None

    def clocks(self) -> dict:
        return gpu_clocks(self.cuda, self.index)


class MpsClock:
    """Apple GPUs: wall time between two synchronisations (MPS has no per-run events here)."""

    def __init__(self, mps):
        self.mps = mps

    def sync(self) -> None:
        self.mps.synchronize()

    def time(self, run: Callable[[], object]) -> float:
        self.mps.synchronize()
        start = time.perf_counter()
        run()
        self.mps.synchronize()
        return time.perf_counter() - start


class MpsBackend:
    kind = "mps"
    torch_device = "mps"
    name = "Apple GPU (MPS)"
    method = "wall clock between torch.mps.synchronize() calls"
    memory_kind = "MPS allocator (current_allocated_memory after the runs)"
    peak_source = "unknown"

    def __init__(self, device: Device):
        import torch

        self.mps = torch.mps
        self.clock = MpsClock(self.mps)

    @contextmanager
    def active(self) -> Iterator[None]:
        yield

    def reset_peak(self) -> None:
        self.mps.synchronize()

    def peak_memory(self) -> int | None:
        return self.mps.current_allocated_memory()  # MPS keeps no peak counter

    def release(self) -> None:
        gc.collect()
        self.mps.empty_cache()

    def allocated(self) -> int:
        return self.mps.current_allocated_memory()

    def clocks(self) -> dict:
        return {}

    def peak_flops(self, precision: str) -> None:
        return None

    def peak_bandwidth(self) -> None:
        return None


def backend_for(device: Device):
    if device.kind == "cuda":
        return CudaBackend(device)
    if device.kind == "mps":
        return MpsBackend(device)
    return CpuBackend(device)


def _read_lines(path: str) -> list[str]:
    try:
        return Path(path).read_text().splitlines()
    except OSError:
        return []
