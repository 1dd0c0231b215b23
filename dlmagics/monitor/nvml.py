"""One sample of the kernel's GPUs through NVML: initialised once, handles cached.

Every NVML failure becomes data, never an exception out of ``read``: a field the device
cannot report is None ("n/a"), a GPU that falls off the bus is marked lost, and a missing
driver or a driver/library mismatch is a state with a message the learner can act on.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from .visibility import devices_from_cuda_uuids, visible_devices

# NVML return codes (nvml.h), so this module can classify errors from any binding.
NOT_SUPPORTED, NO_PERMISSION, DRIVER_NOT_LOADED = 3, 4, 9
LIBRARY_NOT_FOUND, FUNCTION_NOT_FOUND, GPU_IS_LOST = 12, 13, 15
RESET_REQUIRED, LIB_RM_VERSION_MISMATCH, UNINITIALIZED, UNKNOWN = 16, 18, 1, 999

# A field that fails with one of these is "n/a" on this device (MIG, WSL, vGPU, old GPUs).
FIELD_NOT_AVAILABLE = {NOT_SUPPORTED, NO_PERMISSION, FUNCTION_NOT_FOUND, UNKNOWN}
GPU_GONE = {GPU_IS_LOST, RESET_REQUIRED}
DRIVER_GONE = {DRIVER_NOT_LOADED, UNINITIALIZED, LIB_RM_VERSION_MISMATCH}

NO_DRIVER_MESSAGE = "No NVIDIA driver found, so this kernel runs on the CPU."
MISMATCH_MESSAGE = (
    "The NVIDIA driver and its library disagree (the driver was updated without a reboot). "
    "Reboot the machine, or reload the nvidia kernel module, to see the GPU again."
)


_FROM_ENV = object()


class _DriverGone(Exception):
    """NVML as a whole stopped answering; no GPU can be read until it is restarted."""


@dataclass
class _Device:
    nvml_index: int
    uuid: str
    handle: object
    name: str | None


class GpuReader:
    """Reads the GPUs this kernel can see. ``nvml`` is the pynvml module or a fake of it."""

    def __init__(self, nvml=None, cuda_visible=_FROM_ENV):
        self._nvml = nvml
        if cuda_visible is _FROM_ENV:
            cuda_visible = os.environ.get("CUDA_VISIBLE_DEVICES")
        self._cuda_visible = cuda_visible
        self.state = "uninitialised"
        self.message: str | None = None
        self._all: list[_Device] = []
        self.devices: list[_Device] = []
        self._exact_order = False
        self._memory_v2 = True

    def start(self) -> None:
        """Initialise NVML once; afterwards ``state`` says what can be read."""
        if self.state != "uninitialised":
            return
        nvml = self._nvml
        if nvml is None:
            try:
                import pynvml as nvml  # nvidia-ml-py's module
            except ImportError:
                self._fail("no_driver", NO_DRIVER_MESSAGE + " (nvidia-ml-py is not installed.)")
                return
            self._nvml = nvml
        try:
            nvml.nvmlInit()
            count = nvml.nvmlDeviceGetCount()
            for i in range(count):
                handle = nvml.nvmlDeviceGetHandleByIndex(i)
                uuid = _text(nvml.nvmlDeviceGetUUID(handle))
                self._all.append(_Device(i, uuid, handle, self._field(nvml.nvmlDeviceGetName, handle)))
        except Exception as error:  # NVMLError, or a broken binding
            self._fail(*_classify_start_error(error))
            return
        self.devices = [self._all[i] for i in visible_devices([d.uuid for d in self._all], self._cuda_visible)]
        if not self._all:
            self._fail("no_gpu", "The NVIDIA driver is loaded but reports no GPU.")
        elif not self.devices:
            self._fail(
                "no_gpu",
                f"CUDA_VISIBLE_DEVICES={self._cuda_visible!r} hides all {len(self._all)} GPUs from this kernel.",
            )
        else:
            self.state, self.message = "ok", None

    @property
    def needs_cuda_order(self) -> bool:
        """Whether the CUDA order is still a guess from CUDA_VISIBLE_DEVICES."""
        return self.state == "ok" and not self._exact_order

    def use_cuda_order(self, cuda_uuids: list[str]) -> None:
        """Adopt the exact device order CUDA reported (once this kernel initialised CUDA)."""
        if not self.needs_cuda_order:
            return
        order = devices_from_cuda_uuids([d.uuid for d in self._all], cuda_uuids)
        if order is not None:
            self.devices = [self._all[i] for i in order]
        self._exact_order = True

    def read(self) -> list[dict]:
        """One reading per visible GPU (empty unless state is ok)."""
        if self.state != "ok":
            return []
        try:
            return [self._read_device(cuda_index, device) for cuda_index, device in enumerate(self.devices)]
        except _DriverGone as gone:
            self._fail("error", str(gone))
            return []

    def _read_device(self, cuda_index: int, device: _Device) -> dict:
        nvml, h = self._nvml, device.handle
        gpu = {
            "index": cuda_index, "uuid": device.uuid, "name": device.name, "status": "ok", "error": None,
            "memory_used": None, "memory_total": None, "utilization": None, "temperature": None,
            "power": None, "power_limit": None, "torch": None,
        }
        try:
            memory = self._memory(h)
            if memory is not None:
                gpu["memory_used"], gpu["memory_total"] = int(memory.used), int(memory.total)
            rates = self._field(nvml.nvmlDeviceGetUtilizationRates, h)
            gpu["utilization"] = None if rates is None else float(rates.gpu)
            gpu["temperature"] = self._field(nvml.nvmlDeviceGetTemperature, h, 0)  # NVML_TEMPERATURE_GPU
            gpu["power"] = _watts(self._field(nvml.nvmlDeviceGetPowerUsage, h))
            gpu["power_limit"] = _watts(self._field(nvml.nvmlDeviceGetEnforcedPowerLimit, h))
        except Exception as error:
            code = getattr(error, "value", None)
            if code == LIB_RM_VERSION_MISMATCH:
                raise _DriverGone(MISMATCH_MESSAGE) from error
            if code in DRIVER_GONE:
                raise _DriverGone(f"The NVIDIA driver stopped answering ({error}).") from error
            gpu["status"] = "lost"
            gpu["error"] = f"GPU {cuda_index} stopped answering ({error}); it may have fallen off the bus."
        return gpu

    def _memory(self, handle):
        """Memory info v2 where the driver has it (v1 counts reserved memory as used)."""
        nvml = self._nvml
        version = getattr(nvml, "nvmlMemory_v2", None)
        if version is not None and self._memory_v2:
            try:
                return nvml.nvmlDeviceGetMemoryInfo(handle, version=version)
            except Exception as error:
                if getattr(error, "value", None) not in FIELD_NOT_AVAILABLE:
                    raise
                self._memory_v2 = False  # an older driver: ask v1 from now on
        return self._field(nvml.nvmlDeviceGetMemoryInfo, handle)

    @staticmethod
    def _field(fn, *args):
        """fn(*args), or None where this device cannot report it."""
        try:
            value = fn(*args)
        except Exception as error:
            if getattr(error, "value", None) in FIELD_NOT_AVAILABLE:
                return None
            raise
        return _text(value) if isinstance(value, bytes) else value

    def _fail(self, state: str, message: str) -> None:
        self.state, self.message, self.devices = state, message, []

    def close(self) -> None:
        if self.state == "ok" or self._all:
            try:
                self._nvml.nvmlShutdown()
            except Exception:
                pass
        self.state, self.devices, self._all = "uninitialised", [], []


def _classify_start_error(error: Exception) -> tuple[str, str]:
    code = getattr(error, "value", None)
    if code in (LIBRARY_NOT_FOUND, DRIVER_NOT_LOADED):
        return "no_driver", NO_DRIVER_MESSAGE
    if code == LIB_RM_VERSION_MISMATCH:
        return "error", MISMATCH_MESSAGE
    return "error", f"NVML could not start: {error}"


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _watts(milliwatts) -> float | None:
    return None if milliwatts is None else milliwatts / 1000.0
