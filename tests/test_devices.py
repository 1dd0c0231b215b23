"""CUDA_VISIBLE_DEVICES is read the way CUDA reads it, and mapped to NVML by UUID."""

import pytest

from dlmagics.monitor.visibility import devices_from_cuda_uuids, visible_devices

UUIDS = ["GPU-aaaa1111", "GPU-bbbb2222", "GPU-cccc3333"]


@pytest.mark.parametrize(
    "value, expected",
    [
        (None, [0, 1, 2]),
        ("", []),
        ("-1", []),
        ("2,0", [2, 0]),
        (" 1 ", [1]),
        ("0,7,1", [0]),  # CUDA stops at the first entry naming no device
        ("1,1", [1]),  # a repeat ends the list too
        ("GPU-bbbb", [1]),
        ("cccc3333,0", [2, 0]),
        ("GPU-", []),  # a prefix that matches several is ambiguous
        ("MIG-0f1e2d3c", []),
        ("abc", []),
    ],
)
def test_visible_devices(value, expected):
    assert visible_devices(UUIDS, value) == expected


def test_devices_from_cuda_uuids_maps_torch_uuids_without_prefix():
    assert devices_from_cuda_uuids(UUIDS, ["cccc3333", "aaaa1111"]) == [2, 0]
    assert devices_from_cuda_uuids(UUIDS, ["dddd"]) is None
