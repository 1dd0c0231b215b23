"""Results and their views (issue 28): views are found through dlmagics/views.py, notes are
typed and styled by kind, and a speedup's words travel with it in to_dict()."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import validate
from test_imports import RESULTS, circles, graph
from test_imports import VIEWS as VIEW_MODULES
from dlmagics.bench import render, render_sweep
from dlmagics.bench.agree import Agreement
from dlmagics.bench.counting import Work
from dlmagics.bench.result import BenchResult, DeviceResult, load_json
from dlmagics.bench.sweep import BenchSweep
from dlmagics.bench.words import format_speedup
from dlmagics.notes import Note

PACKAGE = Path(__file__).resolve().parent.parent / "dlmagics"
ENVIRONMENT = {"torch": "2.5.1", "tf32_matmul": False, "cpu_threads": 4, "cpu_cores": 4}


def point(value=None, other_blocks=(0.5, 0.52, 0.48, 0.5, 0.5), **fields) -> BenchResult:
    base = DeviceResult("cpu", "cpu", "", times=[1.0, 1.1, 0.9] * 5, blocks=[3] * 5)
    other = DeviceResult("cpu:1", "cpu", "", times=[t for m in other_blocks for t in (m, m * 1.1, m * 0.9)],
                         blocks=[3] * 5)
    sweep = None if value is None else {"name": "n", "value": value}
    fields.setdefault("environment", ENVIRONMENT)
    return BenchResult([base, other], "y = x @ x", None, False, "float32", False, sweep=sweep, **fields)


class Reworded(BenchResult):
    """A result whose warnings say what they say in other words (and one that quotes the old alarms)."""

    said: list = []

    @property
    def warning_notes(self):
        return list(self.said)


# -- kinds, not words, set the style ------------------------------------------------------
def test_a_warning_reworded_keeps_its_colour_and_words_alone_colour_nothing():
    result = Reworded(point().devices, "y = 1", None, False, "float32", False)
    result.said = [Note("error", "The two devices computed different things."),
                   Note("info", "Nothing DISAGREES here, nothing ran out of memory and nothing failed at all."),
                   Note("warn", "The runs wobble.")]
    page = result._repr_mimebundle_()["text/html"]  # a subclass is drawn by its base class's view
    assert "<li class=dlm-bench-bad>The two devices computed different things.</li>" in page
    assert "<li>Nothing DISAGREES here, nothing ran out of memory and nothing failed at all.</li>" in page
    assert "<li>The runs wobble.</li>" in page
    text = str(result)
    assert all(note.text in text for note in result.said)


def test_the_notes_a_run_makes_carry_their_kinds():
    disagree = point(agreement=[Agreement("cpu:1", "cpu", None, 1e-4, "shapes differ: (2,) vs (3,)")],
                     checked_variable="y")
    failed = DeviceResult("cuda:0", "cuda", "", status="error", error="line 3: RuntimeError: boom")
    out_of_memory = DeviceResult("cuda:1", "cuda", "", status="out of memory", error="CUDA out of memory.")
    disagree.devices += [failed, out_of_memory]
    disagree.interrupted = True
    kinds = {line.text: line.kind for line in render.notes(disagree)}
    assert kinds["The devices' outputs DISAGREE: see the agreement line; the timings compare different results."] \
        == "error"
    assert kinds["Outputs ('y'): cpu:1 DISAGREES with cpu: shapes differ: (2,) vs (3,)."] == "error"
    assert kinds["cuda:0 failed at line 3: RuntimeError: boom"] == "error"
    assert [k for t, k in kinds.items() if t.startswith("cuda:1 ran out of memory")] == ["error"]
    assert kinds["Stopped by Ctrl-C: the figures are from the runs measured so far."] == "warn"
    assert all(kinds[t] == "info" for t in kinds if t.startswith("Setting:"))
    page = render.to_html(disagree)
    assert page.count("<li class=dlm-bench-bad>") == 4  # the two disagreements, the failure, the OOM

    agrees = point(agreement=[Agreement("cpu:1", "cpu", 0.0, 1e-4)], checked_variable="y")
    assert render.agreement_note(agrees).kind == "info" and "class=dlm-bench-bad" not in render.to_html(agrees)


def test_noisy_and_drifting_runs_warn_and_advice_is_info():
    slowing = DeviceResult("cuda:0", "cuda", "", times=[0.001] * 20 + [0.0012] * 30, blocks=[10] * 5)
    few = DeviceResult("mps", "mps", "", times=[0.003, 0.004, 0.0035], blocks=[3])
    result = BenchResult([point().devices[0], slowing, few], "y = 1", None, True, "float32", False)
    kinds = [(n.kind, n.text.split(" ")[0]) for n in result.warning_notes]
    assert ("warn", "cuda:0") in kinds  # slowed during the run
    assert ("warn", "mps:") in kinds and ("info", "mps:") in kinds  # noisy; only 3 runs
    assert ("info", "No") in kinds  # no '# timed' line
    assert result.warnings == [n.text for n in result.warning_notes]


def test_a_sweep_repeats_error_and_warn_notes_by_kind_not_by_words():
    first, second = Reworded(point(64).devices, "y", None, False, "float32", False, sweep={"name": "n", "value": 64}), \
        Reworded(point(256).devices, "y", None, False, "float32", False, sweep={"name": "n", "value": 256})
    first.said = [Note("warn", "The clock wandered."), Note("info", "Tip: the runs were noisy, so raise --budget.")]
    second.said = [Note("error", "Different answers.")]
    text = str(BenchSweep("n", [64, 256], [first, second]))
    assert "n = 64: The clock wandered." in text and "n = 256: Different answers." in text
    assert "raise --budget" not in text
    assert render_sweep.to_html(BenchSweep("n", [64, 256], [first, second])).count("Different answers.") == 1


# -- the views are found through the registry -------------------------------------------
FRESH = """
import sys
from dlmagics.bench.result import BenchResult, DeviceResult
from dlmagics.bench.sweep import BenchSweep
assert not any(m.startswith("dlmagics.bench.render") for m in sys.modules), "a view came with the result"
devices = [DeviceResult("cpu", "cpu", "", times=[1.0, 1.1, 0.9] * 5, blocks=[3] * 5),
           DeviceResult("cpu:1", "cpu", "", times=[0.5, 0.55, 0.45] * 5, blocks=[3] * 5)]
result = BenchResult(devices, "y = 1", None, False, "float32", False)
bundle = result._repr_mimebundle_()
assert set(bundle) == {"text/plain", "text/html", "image/png"}, set(bundle)
assert "<table class=dlm-bench>" in bundle["text/html"] and str(result).startswith("%%gpubench")
assert bundle["image/png"].startswith(b"\\x89PNG")
sweep = BenchSweep("n", [1, 2], [result, result])
assert str(sweep).startswith("%%gpubench --sweep n")
assert "dlmagics.bench.render" in sys.modules and "dlmagics.bench.render_sweep" in sys.modules
from dlmagics import views
from dlmagics.train.result import FIGURE, DemoResult
assert "dlmagics.train.plot" not in sys.modules
from dlmagics.train import plot
assert views.drawer(DemoResult, FIGURE) is plot.plot
print("drawn")
"""


def test_a_result_is_drawn_without_its_view_imported_first():
    done = subprocess.run([sys.executable, "-c", FRESH], capture_output=True, text=True, timeout=120,
                          cwd=PACKAGE.parent)
    assert done.returncode == 0 and done.stdout.strip() == "drawn", done.stderr


@pytest.mark.parametrize("wing", ["bench", "train"])
def test_no_result_imports_a_view_and_the_wing_has_no_import_circle(wing):
    """test_imports.py walks the whole package; this holds the wing to it on its own."""
    edges = {name: {m for m in deps if m.startswith(f"dlmagics.{wing}.")} for name, deps in graph().items()
             if name.startswith(f"dlmagics.{wing}.")}
    assert circles(edges) == []
    assert [(name, m) for name, deps in edges.items() if name.rpartition(".")[2] in RESULTS
            for m in deps if m.rpartition(".")[2] in VIEW_MODULES] == []


# -- the words and the notes on the wire ----------------------------------------------------
def test_a_speedups_words_are_in_to_dict_and_validate():
    result = point()
    data = result.to_dict()
    validate(data, "bench_result")
    assert [s["words"] for s in data["speedups"]] == [format_speedup(s.speedup, s.ci95) for s in result.speedups]
    assert data["speedups"][0]["words"] in render.to_text(result)  # the table says the same words
    sweep = BenchSweep("n", [64, 256], [point(64), point(256, [2.0] * 5)])
    validate(sweep.to_dict(), "bench_sweep")
    assert [r["speedups"][0]["words"] for r in sweep.to_dict()["runs"]] == \
        [r.speedups[0].words for r in sweep.runs]


def test_warnings_go_out_typed_and_old_files_with_plain_strings_still_load(tmp_path):
    result = point(agreement=[Agreement("cpu:1", "cpu", 0.5, 1e-4)], checked_variable="y")
    saved = load_json(result.save(tmp_path / "new.json"))
    validate(saved, "bench_result")
    assert saved["warnings"][0] == {"kind": "error", "text": result.warnings[0]}
    old = result.to_dict()
    old["warnings"] = [note["text"] for note in old["warnings"]]  # as files saved before kinds hold them
    for speedup in old["speedups"]:
        del speedup["words"]
    validate(old, "bench_result")
    (tmp_path / "old.json").write_text(json.dumps(old))
    loaded = load_json(tmp_path / "old.json")
    assert loaded["warnings"] == [{"kind": "info", "text": text} for text in result.warnings]
    assert result.compare(tmp_path / "old.json")[0]["verdict"] == "no clear change"
    assert Note.from_saved({"kind": "loud", "text": "x"}) is None and Note.from_saved(3) is None
    with pytest.raises(ValueError, match="error, warn, info"):
        Note("loud", "x")


# -- words a learner reads (issue 35, item 4) ------------------------------------------------
MS = 1e-3


def test_a_slow_start_is_said_in_times_with_what_to_do_not_as_a_huge_percentage():
    # 05's attention sweep: three blocks at ~41 ms, then two at ~0.35 ms (was "cpu sped up by 11646%").
    warm = DeviceResult("cpu", "cpu", "", times=[42.6 * MS] * 3 + [39.9 * MS] * 3 + [43.9 * MS] * 2
                        + [0.357 * MS] * 16 + [0.346 * MS] * 17, blocks=[3, 3, 2, 16, 17])
    run = BenchResult([warm], "y = attention(q, k, v)", None, False, "float32", False,
                      sweep={"name": "n", "value": 512}, environment=ENVIRONMENT, wall_s=1.0)
    text = str(BenchSweep("n", [512], [run]))
    assert "n = 512: cpu ran its first 8 timed runs slower than the rest (41.2 ms at first, 352 µs at the end): " \
           "it was still warming up" in text
    assert "(--warmup 9 or more) leave the slow start out." in text
    assert "%" not in text.partition("\n\n")[2].split("Setting:")[0]  # no percentage of speed in the notes
    assert "Wall time 1 s for 1 value on 1 device." in text  # was "on 1 devices"


def test_a_slow_start_longer_than_the_warmup_the_magic_takes_is_not_advised_past_it():
    # 300 slow runs (a JIT compiling shape by shape): "--warmup 301 or more" is refused by the magic.
    from dlmagics.bench.command import _count
    from dlmagics.bench.defaults import MAX_WARMUP

    slow = DeviceResult("cpu", "cpu", "", times=[2 * MS] * 300 + [0.1 * MS] * 300, blocks=[150, 150, 150, 150])
    text = str(BenchResult([slow], "y = f(x)", None, False, "float32", False, environment=ENVIRONMENT))
    assert slow.slow_start == 300 and f"--warmup {MAX_WARMUP + 1}" not in text and "or more" not in text
    assert f"leave the slow start out: --warmup {MAX_WARMUP} (the most it takes), or run the cell once before" in text
    assert _count(str(MAX_WARMUP), 0, MAX_WARMUP, "--warmup") == MAX_WARMUP  # what the advice says is taken


def test_a_zero_median_gets_no_budget_advice_and_no_error():
    # A clock too coarse for the cell reads 0 s: log10(0) raised and the whole result failed to print.
    zero = DeviceResult("cpu", "cpu", "", times=[0.0] * 3, blocks=[1, 1, 1])
    result = BenchResult([zero], "y = 1", None, False, "float32", False, environment=ENVIRONMENT)
    assert not [n for n in result.warning_notes if "--budget" in n.text]
    assert "median        0 ns" in str(result)
    other = DeviceResult("cpu:1", "cpu", "", times=[MS] * 3, blocks=[1, 1, 1])
    both = BenchResult([zero, other], "y = 1", None, False, "float32", False, environment=ENVIRONMENT)
    assert both.speedups == [] and "1 ms" in str(both)  # no ratio against 0 s, and no ZeroDivisionError


def test_counts_agree_with_their_nouns():
    from dlmagics.bench.words import plural

    assert [plural(n, "device") for n in (0, 1, 2)] == ["0 devices", "1 device", "2 devices"]
    sweep = BenchSweep("n", [64, 256], [point(64, wall_s=1.0), point(256, wall_s=1.0)])
    assert "Wall time 2 s for 2 values on 2 devices." in str(sweep)


def test_a_rate_above_the_listed_peak_is_not_a_percentage_over_100():
    result = point()
    base = result.devices[0]
    base.work, base.peak_flops = Work(flops=int(1.05 * 40e9), bytes=0, ops=1), 40e9  # 1 s median
    other = result.devices[1]
    other.work, other.peak_flops = Work(flops=int(10e9), bytes=0, ops=1), 40e9
    cells = dict((row[0], row[1:]) for row in render.grid(result))
    assert cells["FLOP/s"] == ["42 GFLOP/s (above the listed peak)", "20 GFLOP/s (50% of peak)"]
    assert "cpu: 42 GFLOP/s, above its estimated peak of 40 GFLOP/s: the estimate is cores x the clock the CPU " \
           "reports" in str(result)
    assert "% of peak" not in str(result).replace("(50% of peak)", "")


def test_the_time_bars_have_a_scale_and_a_1x_mark():
    result = point()  # cpu 1 s, cpu:1 0.5 s
    page = render.to_html(result)
    assert "<td>time (log scale)</td>" in page
    bars = render.time_bars(result)
    assert bars[0].endswith("</span> 1x") and bars[1].endswith("</span> 0.5x")
    one = re.search(r'class="dlm-bench-one" style="left:(\d+)px"', bars[1])[1]
    assert re.search(r'class="bar" style="width:(\d+)px"', bars[0])[1] == one  # the mark is where cpu's bar ends
    assert "multiple of cpu&#x27;s" in bars[1]


def test_a_bar_a_hundred_times_the_baseline_says_so_in_plain_figures():
    result = point()
    result.devices[1].times = [150.0] * 15  # cpu 1 s
    assert render.time_bars(result)[1].endswith("</span> 150x")  # was 1.5e+02x
    result.devices[1].times = [1234.0] * 15
    assert render.time_bars(result)[1].endswith("</span> 1,234x")
    assert format_speedup(1234.0, (1200.0, 1250.0)) == "1,234x [1,200, 1,250]"  # was 1.23e+03x
    assert format_speedup(0.005, (0.004, 0.006)).endswith("(200x slower)")  # was 2e+02x


def test_few_runs_are_named_only_when_they_leave_the_interval_wide():
    # 02's linear layer at --budget 1 on a CPU: 3 runs of 2.7 s. Steady runs give a narrow
    # interval (no note: it fired on the course's own cells before); a busy machine's do not.
    steady = DeviceResult("cpu", "cpu", "", times=[2.70, 2.72, 2.71], blocks=[1, 1, 1])
    busy = DeviceResult("cpu:1", "cpu", "", times=[0.294, 0.374, 0.379], blocks=[1, 1, 1])
    result = BenchResult([steady, busy], "y = model(x)", None, False, "float32", False)
    few = [n.text for n in result.warning_notes if "only" in n.text]
    assert few == ["cpu:1: only 3 runs of about 374 ms fit in the budget, so its 95% interval is wide (226 ms to "
                   "618 ms); --budget 4 gives about 10 runs."]
    assert all(n.kind == "info" for n in result.warning_notes if "only" in n.text)


def test_a_plain_run_on_a_cpu_only_machine_suggests_all_cores_against_one():
    lone = DeviceResult("cpu", "cpu", "", threads=8, times=[0.0156] * 21, blocks=[4, 5, 4, 4, 4])
    plain = BenchResult([lone], "y = x @ x", None, False, "float32", False, default_devices=True)
    assert "Only the CPU is here, so nothing is compared: -d cpu,cpu:1 times it on its 8 threads against 1 thread, " \
           "and checks that the two agree." in plain.warnings
    assert dict((row[0], row[1:]) for row in render.grid(plain))["speedup"] == ["n/a (one device)"]
    asked = BenchResult([lone], "y = x @ x", None, False, "float32", False)  # -d cpu: the learner chose one device
    assert not any("-d cpu,cpu:1" in w for w in asked.warnings)
    assert not any("-d cpu,cpu:1" in w for w in point().warnings)


def test_a_gpu_clock_held_down_is_named_with_nvmls_reason_and_a_full_clock_or_no_reason_is_not():
    from dlmagics.bench.environment import slowdowns

    def run(clocks):
        gpu = DeviceResult("cuda:0", "cuda", "", times=[0.001] * 15, blocks=[3] * 5, clocks=clocks)
        return BenchResult([gpu], "y = x @ x", None, False, "bfloat16", False).warnings

    top = {"max_sm_clock_mhz": 1980, "driver": "580"}
    held = run({**top, "sm_clock_mhz": 1560, "held_by": slowdowns(0x4 | 0x1)})  # power cap, and idle (no slowdown)
    assert [line for line in held if "1,560 MHz" in line] == [
        "cuda:0 ran at 1,560 MHz as its runs ended, 79% of its top clock of 1,980 MHz, held down by its power cap "
        "(NVML): its figures are for that clock, and a longer run may be slower."]
    assert not any("MHz" in line for line in run({**top, "sm_clock_mhz": 1980, "held_by": ["its power cap"]}))
    assert not any("MHz" in line for line in run({**top, "sm_clock_mhz": 1200, "held_by": slowdowns(0x1)}))  # idle
    assert not any("MHz" in line for line in run({**top, "sm_clock_mhz": 1200}))  # NVML gave no reason
    assert slowdowns(0x20 | 0x40 | 0x4) == ["heat", "its power cap"]


def test_nvmls_clock_reasons_are_read_from_the_newer_function_or_the_older_and_nvml_is_always_shut_down():
    from dlmagics import testing
    from dlmagics.bench.environment import gpu_clocks

    cuda = testing.FakeCuda()
    try:
        held = testing.install(testing.FakeNVML([testing.FakeGpu(sm_clock_mhz=1560, clock_reasons=0x4 | 0x1)]))
        assert gpu_clocks(cuda, 0) == {"sm_clock_mhz": 1560, "max_sm_clock_mhz": 1980, "memory_clock_mhz": 3201,
                                       "driver": "580.95.05", "held_by": ["its power cap"]}
        assert not held.initialised
        # a driver before 535 has only the older function (nvidia-ml-py has both names)
        old = testing.install(testing.FakeNVML([testing.FakeGpu(clock_reasons=0x20, unsupported={"clock_events"})]))
        assert gpu_clocks(cuda, 0)["held_by"] == ["heat"] and not old.initialised
        # no reasons at all: the clocks without them
        none = testing.install(testing.FakeNVML([testing.FakeGpu(unsupported={"clock_reasons"})]))
        clocks = gpu_clocks(cuda, 0)
        assert clocks["sm_clock_mhz"] == 1980 and "held_by" not in clocks and not none.initialised
        # a clock NVML cannot read: no clocks, and NVML shut down all the same
        failed = testing.install(testing.FakeNVML([testing.FakeGpu(unsupported={"clocks"})]))
        assert gpu_clocks(cuda, 0) == {} and not failed.initialised
    finally:
        testing.uninstall()
