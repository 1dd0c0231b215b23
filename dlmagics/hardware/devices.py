"""Which devices a run uses: ``%%gpubench -d cpu,cpu:1,cuda:0,mps`` (or every one there is),
and ``%train_demo hardware --device ...`` (or its default line-up).

``cpu`` means all of the CPU's threads (torch's setting); ``cpu:N`` means N threads, so
``cpu:1`` shows what parallel cores buy. ``cuda`` means every visible CUDA GPU.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

ALLOWED = "cpu, cpu:N (N threads), cuda, cuda:N or mps"


_cuda_override = None  # set by dlmagics.testing.install_cuda


def cuda_api():
    """torch.cuda, or the fake that tests put in its place."""
    if _cuda_override is not None:
        return _cuda_override
    import torch

    return torch.cuda


class DeviceError(ValueError):
    """A device list that cannot run here; the message says what is allowed, in one line."""


@dataclass(frozen=True)
class Available:
    """What this kernel can run on (from torch, without touching the devices)."""

    cpu_threads: int
    cuda_count: int = 0
    mps: bool = False

    @classmethod
    def detect(cls) -> "Available":
        import torch

        mps = getattr(torch.backends, "mps", None)
        return cls(cpu_threads=torch.get_num_threads(), cuda_count=cuda_api().device_count(),
                   mps=bool(mps and mps.is_available()))


@dataclass(frozen=True)
class Device:
    kind: str  # cpu | cuda | mps
    index: int | None = None  # the CUDA ordinal
    threads: int | None = None  # CPU threads; None: torch's current setting

    @property
    def torch_device(self) -> str:
        return f"cuda:{self.index}" if self.kind == "cuda" else self.kind

    @property
    def label(self) -> str:
        if self.kind == "cpu":
            return "cpu" if self.threads is None else f"cpu:{self.threads}"
        return self.torch_device


def parse_devices(text: str | None, available: Available) -> list[Device]:
    """The devices to run on, in the order given; every available one when ``text`` is None."""
    if text is None:
        return ([Device("cpu")] + [Device("cuda", i) for i in range(available.cuda_count)]
                + ([Device("mps")] if available.mps else []))
    devices: list[Device] = []
    for token in (t.strip().lower() for t in text.split(",")):
        for device in _parse_one(token, available):
            if device in devices:
                raise DeviceError(f"{device.label} is listed twice")
            devices.append(device)
    if not devices:
        raise DeviceError(f"no device given: use {ALLOWED}")
    return devices


def _parse_one(token: str, available: Available) -> list[Device]:
    kind, _, arg = token.partition(":")
    if kind == "cpu":
        if not arg:
            return [Device("cpu")]
        cores = max(os.cpu_count() or 1, available.cpu_threads)
        # isdecimal, not isdigit: int() cannot read '²'; the length first, as int() refuses
        # more than 4,300 digits with its own error. More threads than cores would only
        # measure the scheduler (and 100,000 of them crash OpenMP).
        if not (arg.isdecimal() and len(arg) < 8 and 1 <= int(arg) <= cores):
            raise DeviceError(f"'{token}': the number after cpu: is a thread count, from 1 to {cores} "
                              "(this machine's cores)")
        return [Device("cpu", threads=int(arg))]
    if kind == "cuda":
        if available.cuda_count == 0:
            raise DeviceError(f"'{token}' is not available: this kernel sees no CUDA GPU (use cpu or mps)")
        if not arg:
            return [Device("cuda", i) for i in range(available.cuda_count)]
        if not (arg.isdecimal() and len(arg) < 8 and int(arg) < available.cuda_count):
            last = available.cuda_count - 1
            raise DeviceError(f"'{token}' is not available: this kernel sees cuda:0" + (f" to cuda:{last}" if last else ""))
        return [Device("cuda", int(arg))]
    if kind == "mps" and not arg:
        if not available.mps:
            raise DeviceError("'mps' is not available: there is no Apple GPU here (use cpu or cuda)")
        return [Device("mps")]
    raise DeviceError(f"unknown device '{token}': use {ALLOWED}")


def race_line_up(chosen: tuple[str, ...] = ()) -> list[tuple[str, str, int | None]]:
    """(label, torch device, CPU threads) for each device the hardware demo races: one CPU
    thread, all of them, and every GPU there is, unless ``chosen`` (``--device``) names them."""
    available = Available.detect()
    devices = parse_devices(",".join(chosen), available) if chosen else (
        parse_devices("cpu:1" + (",cpu" if available.cpu_threads > 1 else ""), available)
        + parse_devices(None, available)[1:])
    return [(d.label if d.kind != "cpu" or d.threads else f"cpu:{available.cpu_threads}", d.torch_device, d.threads
             or (available.cpu_threads if d.kind == "cpu" else None)) for d in devices]
