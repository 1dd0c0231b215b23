"""The settings a benchmark's figures depend on, recorded with them.

Each is something the research found to change results silently: the TF32 setting, CPU
threads against the cores and the container's CPU quota, cuDNN autotuning, the versions.
GPU clocks come from NVML (without initialising CUDA) when it is there.
"""

from __future__ import annotations

import os
import platform
from pathlib import Path

from ..hardware.specs import cpu_info


def environment(devices) -> dict:
    import torch

    from ..version import __version__

    info = cpu_info()
    env = {
        "dlmagics": __version__,
        "torch": torch.__version__,
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "cuda": torch.version.cuda,
        "cudnn": torch.backends.cudnn.version() if torch.backends.cudnn.is_available() else None,
        "tf32_matmul": torch.get_float32_matmul_precision() != "highest",
        "matmul_precision": torch.get_float32_matmul_precision(),
        "tf32_conv": bool(torch.backends.cudnn.allow_tf32),
        "cudnn_benchmark": bool(torch.backends.cudnn.benchmark),
        "deterministic": torch.are_deterministic_algorithms_enabled(),
        "cpu": info.model,
        "cpu_cores": info.cores,
        "cpu_ghz": info.ghz,
        "cpu_threads": torch.get_num_threads(),
        "interop_threads": torch.get_num_interop_threads(),
        "cpu_affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu_quota": cpu_quota(),
    }
    env["gpus"] = {d.label: {"name": d.name, **d.clocks} for d in devices if d.kind == "cuda"}
    return env


def cpu_quota() -> float | None:
    """CPUs the container may use (cgroup v2 cpu.max), None when unlimited or unknown."""
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()[:2]
    except (OSError, ValueError):
        return None
    return None if quota == "max" else int(quota) / int(period)


def gpu_clocks(cuda, index: int) -> dict:
    """SM and memory clocks now (just after the runs) and the maximum, in MHz, from NVML;
    {} where NVML or the device's UUID is unavailable (then the report has no clocks)."""
    try:
        import pynvml

        uuid = str(cuda.get_device_properties(index).uuid)
        pynvml.nvmlInit()
    except Exception:
        return {}
    try:
        handle = pynvml.nvmlDeviceGetHandleByUUID(uuid if uuid.startswith("GPU-") else "GPU-" + uuid)
        clocks = {
            "sm_clock_mhz": pynvml.nvmlDeviceGetClockInfo(handle, pynvml.NVML_CLOCK_SM),
            "max_sm_clock_mhz": pynvml.nvmlDeviceGetMaxClockInfo(handle, pynvml.NVML_CLOCK_SM),
            "memory_clock_mhz": pynvml.nvmlDeviceGetClockInfo(handle, pynvml.NVML_CLOCK_MEM),
            "driver": pynvml.nvmlSystemGetDriverVersion(),
        }
        reasons = clock_reasons(pynvml, handle)
        if reasons is not None:  # else the clocks without their reasons: nothing is said of a slowdown
            clocks["held_by"] = slowdowns(reasons)
        return clocks
    except Exception:
        return {}
    finally:
        pynvml.nvmlShutdown()


def clock_reasons(pynvml, handle) -> int | None:
    """NVML's bits for why the clocks are below their top, or None: the newer function, then
    the older (a driver before 535 has only the older one; CUDA 14 removes it)."""
    for name in ("nvmlDeviceGetCurrentClocksEventReasons", "nvmlDeviceGetCurrentClocksThrottleReasons"):
        try:
            return getattr(pynvml, name)(handle)
        except Exception:  # noqa: BLE001 - not in this nvidia-ml-py, nor in this driver, or not supported
            continue
    return None


# NVML's reasons for a clock below its top (nvmlClocksEventReason* bits), in words. Idle, an
# application's clock setting, sync boost and the display's clock slow no work being measured.
SLOWDOWNS = {0x4: "its power cap", 0x8: "a hardware slowdown", 0x20: "heat", 0x40: "heat", 0x80: "its power brake"}


def slowdowns(reasons: int) -> list[str]:
    return sorted({words for bit, words in SLOWDOWNS.items() if reasons & bit})
