"""The GPU history table, name matching, the CPU estimate and the time machine."""

import re

import pytest

from dlmagics.hardware.specs import (by_id, cpu_copy_bandwidth, cpu_info, find_gpu, history, short_cpu_name,
                                    time_machine)


@pytest.mark.parametrize("name, gpu_id", [
    ("NVIDIA H200", "h200"),
    ("NVIDIA H100 80GB HBM3", "h100"),
    ("NVIDIA H100 PCIe", "h100_pcie"),
    ("NVIDIA A100-SXM4-40GB", "a100_40"),
    ("NVIDIA A100-SXM4-80GB", "a100_80"),
    ("NVIDIA A100 80GB PCIe", "a100_80"),
    ("Tesla V100-SXM2-16GB", "v100"),
    ("Tesla T4", "t4"),
    ("Tesla K80", "k80"),
    ("NVIDIA GeForce RTX 3090", "rtx3090"),
    ("NVIDIA GeForce RTX 4060 Ti", "rtx4060ti"),
    ("NVIDIA GeForce GTX 580", "gtx580"),
])
def test_device_names_find_their_spec(name, gpu_id):
    assert find_gpu(name).id == gpu_id


def test_unknown_devices_have_no_spec():
    assert find_gpu("AMD Instinct MI300X") is None and find_gpu(None) is None


def test_every_entry_is_sourced_and_consistent():
    ids = [g.id for g in history()]
    assert len(ids) == len(set(ids)) >= 12
    for g in history():
        assert g.source.startswith("https://"), g.id
        assert re.fullmatch(r"20[01]\d-(0[1-9]|1[0-2])|202\d-(0[1-9]|1[0-2])", g.released), g.id
        assert 1e12 <= g.fp32 <= 1e14 and 1e11 <= g.bandwidth <= 1e13, g.id
        for tensor in (g.tf32, g.fp16, g.bf16):
            assert tensor is None or tensor >= g.fp32, g.id


def test_the_seeds_errors_are_corrected():
    assert by_id("a100_40").fp32 == 19.5e12 and by_id("a100_40").year == 2020  # a seed says 77.6 in 2022
    assert by_id("gtx980ti").year == 2015  # a seed says 2014
    assert 2 * by_id("gtx580").fp32 == pytest.approx(3.16e12, rel=0.01)  # a seed says 2 TFLOPS for two
    assert by_id("h200").bf16 == pytest.approx(989.4e12)  # dense, not the sparse 1979


def test_the_time_machine_sets_a_rate_against_alexnets_gpu():
    assert "about 1/19 of the FP32 peak of one of the two GTX 580s" in time_machine("cpu", 85e9)
    # an H200 machine's 16 CPU threads: 1.38 TFLOP/s, 0.87 of a GTX 580 (it said "about 1/1")
    assert "ran this at 1.38 TFLOP/s: 0.87x the FP32 peak of one of the two GTX 580s" in time_machine("cpu", 1.38e12)
    assert "about the FP32 peak of one of the two GTX 580s" in time_machine("cpu", 1.5e12)
    fast = time_machine("cuda:0", 52e12)
    assert "33x the FP32 peak of one of the two GTX 580s" in fast and "H100" in fast


def test_the_cpu_estimate_and_copy_bandwidth():
    info = cpu_info()
    assert info.cores >= 1 and info.flops_per_cycle in (16, 32, 64)
    if info.ghz:
        assert info.peak_fp32(1) == pytest.approx(info.ghz * 1e9 * info.flops_per_cycle)
        assert info.peak_fp32(10_000) == info.peak_fp32(info.cores)  # threads past the cores add nothing
    pytest.importorskip("torch")
    assert 1e8 < cpu_copy_bandwidth(1, megabytes=16) < 1e13


@pytest.mark.parametrize("model, short", [
    ("Intel(R) Xeon(R) Gold 6330 CPU @ 2.00GHz", "Intel Xeon Gold 6330"),
    ("AMD Ryzen 9 7950X 16-Core Processor", "AMD Ryzen 9 7950X"),
    ("Intel(R) Xeon(R) Processor", "Intel Xeon"),
    ("Apple M2", "Apple M2"),
])
def test_cpu_names_are_shortened_for_the_table(model, short):
    assert short_cpu_name(model) == short
