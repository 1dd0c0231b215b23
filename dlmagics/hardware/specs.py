"""What the hardware could do: peak FLOP/s and bandwidth of a device, and the GPUs of
deep learning's history to set a measured rate against (the "time machine").

GPU peaks come from a curated table (``gpus.json``, with sources), matched on the device
name; device properties cannot give them (CUDA 13 dropped the clock fields). A CPU's FP32
peak is estimated from cores x clock x FLOPs per cycle of its vector unit, and its memory
bandwidth is measured once with a large copy: both are labelled as estimates.
"""

from __future__ import annotations

import json
import math
import os
import re
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

AMD64_FLOPS_PER_CYCLE = (("avx512f", 64), ("avx2", 32), ("avx", 16))  # FP32, two FMA units
DEFAULT_FLOPS_PER_CYCLE = 16  # 128-bit SIMD with two FMA units (SSE, Arm NEON)
ALEXNET_GPU = "gtx580"


@dataclass(frozen=True)
class GpuSpec:
    id: str
    name: str
    released: str
    fp32: float
    tf32: float | None
    fp16: float | None
    bf16: float | None
    bandwidth: float
    match: tuple[str, ...]
    source: str
    story: str = ""
    seed_note: str = ""

    @property
    def year(self) -> int:
        return int(self.released[:4])

    def peak(self, precision: str) -> float | None:
        """Peak FLOP/s for a precision: float32, tf32, float16, bfloat16, float64."""
        return {"float32": self.fp32, "tf32": self.tf32 or self.fp32, "float16": self.fp16,
                "bfloat16": self.bf16}.get(precision)


@lru_cache(maxsize=1)
def history() -> tuple[GpuSpec, ...]:
    """The table, in file order (the most specific names first, for matching)."""
    data = json.loads((Path(__file__).parent / "gpus.json").read_text())
    fields = GpuSpec.__dataclass_fields__
    return tuple(GpuSpec(**{k: (tuple(v) if k == "match" else v) for k, v in g.items() if k in fields})
                 for g in data["gpus"])


def find_gpu(device_name: str | None) -> GpuSpec | None:
    if not device_name:
        return None
    for spec in history():
        if any(pattern in device_name for pattern in spec.match):
            return spec
    return None


def by_id(gpu_id: str) -> GpuSpec:
    return next(spec for spec in history() if spec.id == gpu_id)


# -- the CPU ------------------------------------------------------------------------------
@dataclass(frozen=True)
class CpuInfo:
    model: str
    cores: int  # physical cores
    ghz: float | None  # the highest clock known: max frequency, else the current one
    flops_per_cycle: int  # FP32 per core

    def peak_fp32(self, threads: int) -> float | None:
        """An estimate: threads beyond the physical cores add nothing to FP32 throughput."""
        if not self.ghz:
            return None
        return min(threads, self.cores) * self.ghz * 1e9 * self.flops_per_cycle


@lru_cache(maxsize=1)
def cpu_info() -> CpuInfo:
    import platform

    import psutil

    text = _read("/proc/cpuinfo")
    model = _cpuinfo_field(text, "model name") or platform.processor() or platform.machine()
    flags = set((_cpuinfo_field(text, "flags") or "").split())
    per_cycle = next((n for flag, n in AMD64_FLOPS_PER_CYCLE if flag in flags), DEFAULT_FLOPS_PER_CYCLE)
    if per_cycle == 32 and "fma" not in flags:
        per_cycle = 16
    freq = psutil.cpu_freq()
    mhz = (freq.max or freq.current) if freq else 0.0
    if not mhz:
        stated = re.search(r"@\s*([\d.]+)\s*GHz", model)
        mhz = float(stated.group(1)) * 1000 if stated else 0.0
    cores = psutil.cpu_count(logical=False) or os.cpu_count() or 1
    return CpuInfo(model=model.strip(), cores=cores, ghz=mhz / 1000 or None, flops_per_cycle=per_cycle)


def short_cpu_name(model: str) -> str:
    """'Intel(R) Xeon(R) Gold 6330 CPU @ 2.00GHz' -> 'Intel Xeon Gold 6330': fits a table column."""
    words = re.sub(r"\((R|TM|tm)\)|\bCPU\b|\bProcessor\b|@.*$|\d+-Core", " ", model)
    return " ".join(words.split()) or model


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def _cpuinfo_field(text: str, name: str) -> str | None:
    match = re.search(rf"^{name}\s*:\s*(.*)$", text, re.MULTILINE)
    return match.group(1) if match else None


_copy_bandwidth: dict[tuple[int, int], float] = {}


def cpu_copy_bandwidth(threads: int, megabytes: int = 128) -> float:
    """Bytes per second that torch moves in a large copy (read + write), best of three.

    Measured once per thread count and kept: it is what this machine's memory delivers
    (STREAM-copy style), the CPU's stand-in for a spec bandwidth.
    """
    key = (threads, megabytes)
    if key not in _copy_bandwidth:
        import torch

        src = torch.ones(megabytes * 2**20 // 4)
        dst = torch.empty_like(src)
        dst.copy_(src)  # touch the pages before timing
        best = math.inf
        for _ in range(3):
            start = time.perf_counter()
            dst.copy_(src)
            best = min(best, time.perf_counter() - start)
        _copy_bandwidth[key] = 2 * src.nbytes / best
    return _copy_bandwidth[key]


# -- the time machine ---------------------------------------------------------------------
def time_machine(label: str, rate: float) -> str:
    """Set an achieved FLOP/s against the FP32 peaks of the GPUs in the history."""
    alexnet = by_id(ALEXNET_GPU)
    ratio = rate / alexnet.fp32
    words = f"{label} ran this at {format_rate(rate)}: "
    if ratio >= 0.5:  # "0.87x", "about", "3.2x"; below half a fraction reads better ("about 1/19")
        words += f"{_times(ratio)} the FP32 peak of one of the two GTX 580s AlexNet trained on (2012)"
    else:
        words += f"about 1/{1 / ratio:.0f} of the FP32 peak of one of the two GTX 580s AlexNet trained on (2012)"
    nearest = min(_by_year(), key=lambda spec: abs(math.log(rate / spec.fp32)))
    if nearest.id != ALEXNET_GPU and 0.5 <= rate / nearest.fp32 <= 2:
        words += f"; {_times(rate / nearest.fp32)} the FP32 peak of a {nearest.name} ({nearest.year})"
    return words + "."


def _by_year() -> list[GpuSpec]:
    return sorted(history(), key=lambda spec: spec.released)


def _times(ratio: float) -> str:
    if 0.9 <= ratio <= 1.1:
        return "about"
    return format_multiple(ratio)


def format_multiple(ratio: float) -> str:
    """'0.5x', '3.2x', '150x', '1,200x' (not '1.5e+02x')."""
    return f"{ratio:.2g}x" if ratio < 10 else f"{ratio:,.0f}x"


def format_rate(rate: float, unit: str = "FLOP/s") -> str:
    for scale, prefix in ((1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if rate >= scale:
            return f"{rate / scale:.3g} {prefix}{unit}"
    return f"{rate:.3g} {unit}"
