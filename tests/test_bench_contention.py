"""Issue 34: what else used the machine during a %%gpubench run is named with its figure, and a
quiet run names nothing. Fake CPU readings (and a fake clock for the budget), so no test
depends on how busy the machine running it is."""

import math
import os

import pytest

torch = pytest.importorskip("torch")

from conftest import validate  # noqa: E402
from dlmagics import testing  # noqa: E402
from dlmagics.bench.cell import split_cell  # noqa: E402
from dlmagics.bench.contention import BUSY_CORES, Reading, gpu_processes  # noqa: E402
from dlmagics.bench.history import RunHistory  # noqa: E402
from dlmagics.bench.precision import parse_precision  # noqa: E402
from dlmagics.bench.runner import Options, run_cell  # noqa: E402
from dlmagics.hardware.devices import Available, parse_devices  # noqa: E402
from test_bench_run import SlowingClock  # noqa: E402


def fake_reader(wall_s, process_cores, others_cores, threads=None, gpus=None):
    """Two readings, before and after: ``wall_s`` apart, this process using ``process_cores``,
    the others ``others_cores``, this kernel's threads ``threads`` (name -> cores)."""
    readings = iter([
        Reading(100.0, 1000.0, 50.0, {name: 5.0 for name in threads or {}}, gpus or {}),
        Reading(100.0 + wall_s, 1000.0 + (process_cores + others_cores) * wall_s, 50.0 + process_cores * wall_s,
                {name: 5.0 + cores * wall_s for name, cores in (threads or {}).items()}, gpus or {}),
    ])
    return lambda gpu_indices: next(readings)


def run(reader, devices="cpu", history=None, cores=2, source="x = torch.ones(4)\n# timed\ny = x * 2\n"):
    from dlmagics.bench import backends

    clock = SlowingClock(at=math.inf)  # 10 ms a run (11 every third), never slowing
    mp = pytest.MonkeyPatch()
    mp.setattr(backends, "CpuClock", lambda: clock)
    try:
        return run_cell(split_cell(source), parse_devices(devices, Available.detect()),
                        Options(parse_precision(None), budget=0.2, wall=clock.wall, reader=reader, cores=cores), {},
                        history=history)
    finally:
        mp.undo()


def test_a_quiet_run_names_nothing():
    # JupyterLab, a browser and the monitor at rest: a fifth of a core; the run fills the cores.
    result = run(fake_reader(2.0, process_cores=1.9, others_cores=0.2, threads={"gpumon": 0.01}))
    assert result.contention is not None and not result.contention.named
    assert not [w for w in result.warnings if "cores" in w or "not this cell's alone" in w]
    assert result.to_dict()["contention"]["mark"] is None
    validate(result.to_dict(), "bench_result")


def test_others_on_free_cores_are_not_named():
    # Another process busy on a core this run left free (a one-thread run on two cores).
    result = run(fake_reader(2.0, process_cores=1.0, others_cores=0.9), devices="cpu:1")
    assert not result.contention.named


def test_a_busy_neighbour_is_named_with_its_figure():
    result = run(fake_reader(2.0, process_cores=1.0, others_cores=1.7))
    line = ("Other processes used 1.7 of the 2 cores during the run: these times are not this cell's alone; run it "
            "again when they are done.")
    assert line in result.warnings
    d = result.to_dict()
    assert d["contention"]["mark"] == "other processes used 1.7 of the 2 cores"
    assert d["contention"]["others_cores"] == pytest.approx(1.7)
    validate(d, "bench_result")
    assert line in str(result)  # in the report a learner reads


def test_a_training_in_the_same_kernel_is_named_and_why_it_is_not_waited_for():
    result = run(fake_reader(2.0, process_cores=2.0, others_cores=0.1, threads={"training": 0.9, "gpumon": 0.01}))
    [line] = [w for w in result.warnings if "other threads" in w]
    assert line.startswith("This kernel's other threads used 0.9 of the 2 cores during the run ('training')")
    assert "does not wait for a thread it did not start" in line
    assert result.to_dict()["contention"]["mark"] == "this kernel's other threads used 0.9 of the 2 cores"


def test_the_threshold_is_the_named_constant():
    below = run(fake_reader(2.0, process_cores=2.0, others_cores=BUSY_CORES - 0.05))
    at = run(fake_reader(2.0, process_cores=2.0, others_cores=BUSY_CORES + 0.05))
    assert (below.contention.named, at.contention.named) == (False, True)


def test_a_crowded_run_neither_lends_to_the_pool_nor_borrows_from_it():
    history = RunHistory()
    pooled = lambda: history.pool(leave_out=("another cell", "cpu")).steps  # noqa: E731
    run(fake_reader(2.0, 1.9, 0.1), history=history)
    run(fake_reader(2.0, 1.0, 1.7), history=history)
    crowded = run(fake_reader(2.0, 1.0, 1.7), history=history)
    assert pooled() == 0 and crowded.devices[0].step_pool is None  # every step so far touches a crowded run
    run(fake_reader(2.0, 1.9, 0.1), history=history)
    quiet = run(fake_reader(2.0, 1.9, 0.1), history=history)
    assert pooled() == 1 and quiet.devices[0].step_pool is not None


def test_a_reading_that_fails_leaves_the_run_measured_and_unjudged():
    def broken(gpu_indices):
        raise OSError("no /proc here")

    result = run(broken)
    assert result.contention is None and result.devices[0].times
    assert result.to_dict()["contention"] is None


def test_other_processes_on_the_gpu_are_counted_from_nvml(fake_nvml):
    testing.install_cuda(testing.FakeCuda())
    try:
        fake_nvml.gpus[0].processes = [os.getpid()]
        assert gpu_processes(0) == 1
        fake_nvml.gpus[0].processes = [os.getpid(), 4242]
        assert gpu_processes(0) == 2
    finally:
        testing.uninstall_cuda()


def test_another_process_on_the_gpu_is_named():
    from dlmagics.bench.contention import between

    alone = between(Reading(0, 0, 0, {}, {"cuda:0": 1}), Reading(1, 1, 1, {}, {"cuda:0": 1}), cores=2)
    shared = between(Reading(0, 0, 0, {}, {"cuda:0": 1}), Reading(1, 1, 1, {}, {"cuda:0": 2}), cores=2)
    unknown = between(Reading(0, 0, 0, {}, {"cuda:0": None}), Reading(1, 1, 1, {}, {"cuda:0": None}), cores=2)
    assert not alone.named and not unknown.named
    assert shared.lines == ["1 other process on cuda:0 during the run (NVML lists them; one that only holds memory costs "
                            "nothing): if they computed, cuda:0's times are not this cell's alone; run it again when "
                            "they are done."]


def test_the_report_says_what_the_interval_came_from():
    quiet = lambda: fake_reader(2.0, 1.9, 0.1)  # noqa: E731
    history = RunHistory()
    first = run(quiet(), history=history)
    assert "from the spread of this run's 5 interleaved blocks" in str(first)
    for _ in range(2):
        run(quiet(), history=history)
    other = run(quiet(), history=history, source="x = torch.ones(8)\n# timed\ny = x + 1\n")
    assert ("where a repeat run's median should fall, from the run-to-run spread of 1 other cell in this kernel "
            "(2 steps; t on 2 degrees of freedom)") in str(other)
    again = run(quiet(), history=history)
    assert "from this cell's last 4 runs and the run-to-run spread of 1 other cell" not in str(again)  # none lent yet
    assert "from the steps between this cell's last 4 runs in this kernel (t on 3 degrees of freedom)" in str(again)
