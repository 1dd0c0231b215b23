"""Device lists for %%gpubench: every available device by default, one-line errors."""

import pytest

from dlmagics.hardware.devices import Available, Device, DeviceError, parse_devices

CPU_ONLY = Available(cpu_threads=2)
TWO_GPUS = Available(cpu_threads=16, cuda_count=2)


def labels(devices):
    return [d.label for d in devices]


def test_default_is_every_device_there_is():
    assert labels(parse_devices(None, CPU_ONLY)) == ["cpu"]
    assert labels(parse_devices(None, TWO_GPUS)) == ["cpu", "cuda:0", "cuda:1"]
    assert labels(parse_devices(None, Available(8, mps=True))) == ["cpu", "mps"]


def test_explicit_lists():
    devices = parse_devices("cpu, cpu:1,CUDA:1", TWO_GPUS)
    assert devices == [Device("cpu"), Device("cpu", threads=1), Device("cuda", 1)]
    assert [d.torch_device for d in devices] == ["cpu", "cpu", "cuda:1"]
    assert labels(parse_devices("cuda,cpu", TWO_GPUS)) == ["cuda:0", "cuda:1", "cpu"]


@pytest.mark.parametrize(
    "text, available, says",
    [
        ("tpu", TWO_GPUS, "unknown device 'tpu': use cpu, cpu:N (N threads), cuda, cuda:N or mps"),
        ("cuda", CPU_ONLY, "'cuda' is not available: this kernel sees no CUDA GPU"),
        ("cuda:2", TWO_GPUS, "'cuda:2' is not available: this kernel sees cuda:0 to cuda:1"),
        ("cuda:x", Available(4, cuda_count=1), "'cuda:x' is not available: this kernel sees cuda:0"),
        ("mps", CPU_ONLY, "'mps' is not available"),
        ("cpu:0", CPU_ONLY, "a thread count, from 1 to"),
        ("cpu:many", CPU_ONLY, "a thread count"),
        ("cpu,cpu", CPU_ONLY, "cpu is listed twice"),
        ("cuda,cuda:0", TWO_GPUS, "cuda:0 is listed twice"),
        (" , ", CPU_ONLY, "unknown device ''"),
    ],
)
def test_bad_lists_say_what_is_allowed_in_one_line(text, available, says):
    with pytest.raises(DeviceError) as error:
        parse_devices(text, available)
    assert says in str(error.value) and "\n" not in str(error.value)


def test_this_machine_is_detected_without_a_gpu():
    available = Available.detect()
    assert available.cpu_threads >= 1 and available.cuda_count == 0
