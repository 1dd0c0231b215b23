"""The GPU monitor against a fake NVML: success, no driver, no GPU, n/a fields, a driver/library
mismatch, and a GPU lost mid-run; the sampler thread; the PyTorch probe never intrudes."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from types import SimpleNamespace

import pytest

from conftest import validate, wait_for
from dlmagics.testing import FakeGpu, FakeNVML
from dlmagics.monitor import Sampler, SampleReader
from dlmagics.monitor.nvml import MISMATCH_MESSAGE, GpuReader

GIB = 1024**3
A, B = "GPU-aaaa-0000", "GPU-bbbb-1111"


def reader_for(fake: FakeNVML, cuda_visible=None) -> SampleReader:
    return SampleReader(GpuReader(fake, cuda_visible=cuda_visible))


def two_gpus(**second) -> FakeNVML:
    return FakeNVML([FakeGpu(uuid=A), FakeGpu(name="NVIDIA A100-SXM4-80GB", uuid=B, **second)])


def test_reads_every_field_in_units_a_person_reads():
    sample = reader_for(two_gpus(memory_used=3 * GIB, utilization=99, power_mw=250_500)).read()
    validate({"type": "sample", "sample": sample})
    assert sample["state"] == "ok" and sample["message"] is None
    first, second = sample["gpus"]
    assert (first["index"], first["name"], first["uuid"]) == (0, "NVIDIA H200", A)
    assert (second["index"], second["name"]) == (1, "NVIDIA A100-SXM4-80GB")
    assert second["memory_used"] == 3 * GIB and second["memory_total"] == 141 * GIB
    assert second["utilization"] == 99.0 and second["temperature"] == 41
    assert second["power"] == pytest.approx(250.5) and second["power_limit"] == pytest.approx(700.0)
    assert second["torch"] is None  # this test process has not initialised CUDA


def test_nvml_is_initialised_once_and_handles_cached():
    fake = two_gpus()
    reader = reader_for(fake)
    for _ in range(5):
        reader.read()
    assert fake.calls["nvmlInit"] == 1
    assert fake.calls["nvmlDeviceGetHandleByIndex"] == 2
    assert fake.calls["memory"] == 10


@pytest.mark.parametrize("code", [12, 9])  # library not found, driver not loaded
def test_no_driver_is_a_state_with_the_kernel_process_still_reported(code):
    sample = reader_for(FakeNVML(init_error=code)).read()
    validate({"type": "sample", "sample": sample})
    assert sample["state"] == "no_driver" and sample["gpus"] == []
    assert "No NVIDIA driver" in sample["message"]
    assert sample["host"]["rss"] > 10 * 1024**2
    assert sample["host"]["cpu_count"] >= 1 and sample["host"]["memory_total"] > sample["host"]["rss"]


def test_real_nvml_without_a_driver_reports_no_driver():
    """This machine (and CI) has no NVIDIA driver: the real binding must say so."""
    import pynvml

    try:
        pynvml.nvmlInit()
    except pynvml.NVMLError:
        pass
    else:
        pynvml.nvmlShutdown()
        pytest.skip("this machine has an NVIDIA driver")
    sample = SampleReader(GpuReader(pynvml)).read()
    assert sample["state"] == "no_driver"


def test_a_driver_with_no_gpu():
    sample = reader_for(FakeNVML(gpus=[])).read()
    assert sample["state"] == "no_gpu" and "no GPU" in sample["message"]


def test_cuda_visible_devices_hiding_every_gpu_says_so():
    sample = reader_for(two_gpus(), cuda_visible="").read()
    assert sample["state"] == "no_gpu"
    assert "CUDA_VISIBLE_DEVICES=''" in sample["message"] and "2 GPUs" in sample["message"]


def test_cuda_visible_devices_is_respected_by_uuid():
    sample = reader_for(two_gpus(), cuda_visible="GPU-bbbb").read()
    assert [(g["index"], g["uuid"]) for g in sample["gpus"]] == [(0, B)]


def test_fields_a_device_cannot_report_are_none_and_sampling_goes_on():
    # MIG slices and WSL answer NotSupported for utilisation and power; some report Unknown.
    fake = two_gpus(unsupported={"utilization", "power", "power_limit", "temperature", "name"})
    reader = reader_for(fake)
    for _ in range(3):
        sample = reader.read()
    validate({"type": "sample", "sample": sample})
    second = sample["gpus"][1]
    assert sample["state"] == "ok" and second["status"] == "ok"
    assert (second["utilization"], second["power"], second["power_limit"], second["temperature"], second["name"]) == (None,) * 5
    assert second["memory_used"] == 12 * GIB


def test_old_driver_without_memory_info_v2_falls_back_to_v1_once():
    fake = FakeNVML([FakeGpu(unsupported={"memory_v2"})])
    reader = reader_for(fake)
    samples = [reader.read() for _ in range(3)]
    assert samples[-1]["gpus"][0]["memory_used"] == 12 * GIB
    assert fake.calls["memory"] == 3


def test_driver_library_mismatch_at_start():
    sample = reader_for(FakeNVML(init_error=18)).read()
    assert sample["state"] == "error" and sample["message"] == MISMATCH_MESSAGE
    assert "Reboot" in sample["message"]


def test_driver_library_mismatch_mid_run_becomes_a_state():
    fake = two_gpus()
    reader = reader_for(fake)
    assert reader.read()["state"] == "ok"
    fake.driver_error = 18
    sample = reader.read()
    validate({"type": "sample", "sample": sample})
    assert sample["state"] == "error" and sample["message"] == MISMATCH_MESSAGE and sample["gpus"] == []


def test_a_gpu_lost_mid_run_is_marked_and_the_others_keep_reporting():
    fake = two_gpus()
    reader = reader_for(fake)
    reader.read()
    fake.gpus[1].error = 15  # NVML_ERROR_GPU_IS_LOST: fell off the bus
    sample = reader.read()
    validate({"type": "sample", "sample": sample})
    first, second = sample["gpus"]
    assert sample["state"] == "ok"
    assert first["status"] == "ok" and first["memory_used"] == 12 * GIB
    assert second["status"] == "lost" and "fallen off the bus" in second["error"]
    fake.gpus[1].error = None  # and if it comes back, it reports again
    assert reader.read()["gpus"][1]["status"] == "ok"


# -- the sampler thread ----------------------------------------------------------------



def test_sampler_runs_on_a_daemon_thread_and_stops_promptly():
    seen = []
    sampler = Sampler(reader_for(two_gpus()), seen.append, interval=0.1)
    assert sampler.start() and not sampler.start()  # a second start is a no-op
    wait_for(lambda: len(seen) >= 3)
    thread = [t for t in threading.enumerate() if t.name == "dlmagics-gpumon"]
    assert len(thread) == 1 and thread[0].daemon
    # Promptly: with an hour to the next sample, stop wakes the thread instead of waiting it out.
    sampler.set_interval(3600)
    taken = len(seen)
    wait_for(lambda: len(seen) > taken)  # the thread now sleeps towards a tick an hour away
    began = time.monotonic()
    assert sampler.stop(timeout=30)
    assert time.monotonic() - began < 30
    assert not any(t.name == "dlmagics-gpumon" for t in threading.enumerate())
    assert not sampler.stop()
    assert sampler.history()[-1] is seen[-1]
    assert sampler.thread_cpu_seconds > 0 and sampler.samples_taken == len(seen)


def test_sampler_survives_a_callback_that_raises():
    calls = []

    def broken(sample):
        calls.append(sample)
        raise RuntimeError("boom")

    sampler = Sampler(reader_for(two_gpus()), broken, interval=0.1)
    sampler.start()
    wait_for(lambda: len(calls) >= 3)
    assert sampler.running
    sampler.stop()


def test_history_keeps_the_configured_time_span():
    sampler = Sampler(reader_for(two_gpus()), interval=1.0, history_seconds=600)
    for _ in range(700):
        sampler._history.append({"t": 0})
    assert len(sampler.history()) == 600  # ten minutes at 1 Hz
    sampler.set_interval(2.0)
    assert len(sampler.history()) == 300  # the newest ten minutes at 0.5 Hz


@pytest.mark.parametrize("bad", [0, -1, 0.01, 7200, float("nan"), "abc", None])
def test_interval_outside_the_allowed_range_is_refused(bad):
    with pytest.raises(ValueError, match="from 0.1 to 3600"):
        Sampler(reader_for(two_gpus()), interval=bad)


# -- PyTorch: looked at, never touched ---------------------------------------------------


class StrictCuda:
    """torch.cuda as the monitor may use it: anything else (init, mem_get_info,
    reset_peak_memory_stats, ...) fails the test."""

    ALLOWED = {"is_initialized", "memory_allocated", "memory_reserved", "max_memory_allocated",
               "device_count", "get_device_properties"}

    def __init__(self, initialised: bool, uuids=("bbbb-1111",)):
        self._initialised, self._uuids = initialised, list(uuids)

    def __getattribute__(self, name):
        if name.startswith("_") or name in StrictCuda.ALLOWED:
            return object.__getattribute__(self, name)
        raise AssertionError(f"the monitor touched torch.cuda.{name}")

    def is_initialized(self):
        return self._initialised

    def device_count(self):
        return len(self._uuids)

    def get_device_properties(self, i):
        self._properties_asked = getattr(self, "_properties_asked", 0) + 1
        return SimpleNamespace(uuid=self._uuids[i])

    def memory_allocated(self, i):
        return 1 * GIB

    def memory_reserved(self, i):
        return 2 * GIB

    def max_memory_allocated(self, i):
        return 3 * GIB


def with_torch(monkeypatch, cuda):
    monkeypatch.setitem(sys.modules, "torch", SimpleNamespace(__version__="2.13.0", cuda=cuda))
    monkeypatch.setitem(sys.modules, "torch.cuda", cuda)


def test_torch_with_cuda_uninitialised_is_left_alone(monkeypatch):
    with_torch(monkeypatch, StrictCuda(initialised=False))
    sample = reader_for(two_gpus()).read()
    assert sample["torch"] == {"status": "cuda_idle", "version": "2.13.0"}
    assert all(g["torch"] is None for g in sample["gpus"])


def test_torch_allocator_is_read_per_gpu_in_cuda_order(monkeypatch):
    # CUDA shows only GPU B (as cuda:0); the UUID from torch fixes the mapping exactly.
    with_torch(monkeypatch, StrictCuda(initialised=True, uuids=["bbbb-1111"]))
    cuda = sys.modules["torch.cuda"]
    reader = reader_for(two_gpus(), cuda_visible="0")  # "0" would mean A in PCI order
    sample = reader.read()
    validate({"type": "sample", "sample": sample})
    for _ in range(3):
        reader.read()
    assert cuda._properties_asked == 1  # the exact order is learnt once
    assert sample["torch"]["status"] == "cuda_active"
    (gpu,) = sample["gpus"]
    assert gpu["uuid"] == B
    assert gpu["torch"] == {"allocated": GIB, "reserved": 2 * GIB, "peak": 3 * GIB}


def test_reading_real_torch_neither_imports_it_nor_initialises_cuda():
    code = (
        "import sys; from dlmagics.testing import FakeNVML; from dlmagics.monitor import SampleReader;"
        "from dlmagics.monitor.nvml import GpuReader;"
        "r = SampleReader(GpuReader(FakeNVML())); s = r.read();"
        "assert 'torch' not in sys.modules, 'imported torch'; assert s['torch'] == {'status': 'not_imported'};"
        "import torch; s = r.read(); assert s['torch']['status'] == 'cuda_idle', s['torch'];"
        "assert not torch.cuda.is_initialized(); print('ok')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "ok", out.stderr


def test_the_cpu_share_is_never_more_than_the_cores_nor_measured_over_a_blink(monkeypatch):
    from dlmagics.monitor import host

    reader = host.HostReader()
    first = reader.cpu_share()  # the process's average so far: a number of sense, not a blink's
    assert first is not None and 0.0 <= first <= 100.0 * (reader._cpu_count or 1)
    clock = iter([(100.0, 10.0), (100.001, 10.5), (101.0, 10.5), (102.0, 50.0)])
    monkeypatch.setattr(reader, "_cpu_clock", lambda: next(clock))
    reader._since = (99.0, 10.0)
    assert reader.cpu_share() == 0.0  # 0 CPU seconds in 1 s
    assert reader.cpu_share() == 0.0  # 1 ms later: too short a span, the last share again
    assert reader.cpu_share() == pytest.approx(50.0)  # 0.5 s of CPU in 1 s
    assert reader.cpu_share() == 100.0 * (reader._cpu_count or 1)  # 39.5 s in 1 s: capped


def test_the_clock_is_24_hour_as_the_sidebar_writes_it():
    """The sidebar's clockText (labextension/format.ts, quizzes.spec.ts) writes the same."""
    import time as clock

    from dlmagics.monitor.view import footer

    t = clock.mktime((2026, 12, 4, 19, 41, 4, 0, 0, -1))
    assert footer({"t": t, "cost_ms": 0.3}, {"running": False}).startswith("Sampled 19:41:04, ")
    t = clock.mktime((2026, 12, 4, 7, 5, 9, 0, 0, -1))
    assert footer({"t": t, "cost_ms": 0.3}, {"running": False}).startswith("Sampled 07:05:09, ")
