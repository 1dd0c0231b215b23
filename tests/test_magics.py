"""The magics through a real IPython shell: load, %gpumon, bad input, settings, unload."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading

import pytest
from IPython.core.error import UsageError

import dlmagics


def monitor_threads():
    return [t for t in threading.enumerate() if t.name == "dlmagics-gpumon"]


def test_import_is_light():
    code = ("import sys, dlmagics; heavy = [m for m in ('torch', 'ipywidgets', 'pynvml', 'psutil')"
            " if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]", out.stderr


def test_load_ext_registers_gpumon_and_loading_twice_is_harmless(shell):
    shell.run_line_magic("load_ext", "dlmagics")
    first = shell.magics_manager.registry["DLMagics"]
    dlmagics.load_ipython_extension(shell)  # as if loaded again by hand
    assert shell.magics_manager.registry["DLMagics"] is first
    assert "gpumon" in shell.magics_manager.magics["line"]
    assert sum(type(c).__name__ == "DLMagics" for c in shell.configurables) == 1
    assert monitor_threads() == []  # nothing runs until asked


def test_gpumon_shows_the_gpu_table(shell, fake_nvml):
    shell.run_line_magic("load_ext", "dlmagics")
    snap = shell.run_line_magic("gpumon", "")
    html, text = snap._repr_html_(), repr(snap)
    assert "<table" in html and "NVIDIA H200" in html and "12.00 GiB / 141.00 GiB (9%)" in html
    assert "312 W / 700 W" in text and "Util: 37%" in text
    assert snap.to_dict()["sample"]["gpus"][0]["memory_used"] == 12 * 1024**3


def test_gpumon_without_a_driver_shows_the_cpu_state(shell, no_driver):
    shell.run_line_magic("load_ext", "dlmagics")
    text = repr(shell.run_line_magic("gpumon", ""))
    assert text.startswith("CPU only: no NVIDIA driver")
    assert "Kernel process:" in text and re.search(r"\d+ MiB RSS of \d+\.\d\d GiB", text)


@pytest.mark.parametrize(
    "line, says",
    [
        ("--interval -1", "from 0.1 to 3600, got '-1'"),
        ("--interval abc", "from 0.1 to 3600, got 'abc'"),
        ("--interval 0", "from 0.1 to 3600"),
        ("--interval", "expected one argument"),
        ("--bogus", "unrecognized arguments: --bogus"),
        ("now", "unrecognized arguments: now"),
        ("--start --stop", "not both"),
    ],
)
def test_bad_input_is_a_one_line_usage_error(shell, no_driver, line, says):
    shell.run_line_magic("load_ext", "dlmagics")
    with pytest.raises(UsageError) as error:
        shell.run_line_magic("gpumon", line)
    message = str(error.value)
    assert says in message and "\n" not in message
    assert "0.1 to 3600" in message or "Usage: %gpumon" in message  # says what is allowed


def test_interval_from_the_magic_and_from_config_reach_the_sampler(shell, no_driver, caplog):
    shell.run_line_magic("load_ext", "dlmagics")
    magics = shell.magics_manager.registry["DLMagics"]
    shell.run_line_magic("gpumon", "--interval 0.5")
    assert magics.monitor_interval == 0.5 and magics.wing("monitor").sampler.interval == 0.5
    shell.run_line_magic("config", "DLMagics.monitor_interval = 2")
    assert magics.wing("monitor").sampler.interval == 2.0
    shell.run_line_magic("config", "DLMagics.monitor_interval = -3")  # %config logs the error
    assert "from 0.1 to 3600, got -3" in caplog.text
    shell.run_line_magic("config", "DLMagics.monitor_interval = True")  # traitlets' Float would take it as 1.0
    assert "expected a float, not the bool True" in caplog.text
    assert magics.wing("monitor").sampler.interval == 2.0


def test_a_bad_setting_left_in_the_config_does_not_block_loading(shell, no_driver, capsys):
    shell.config.DLMagics.monitor_interval = -3.0  # what a failed %config leaves behind
    shell.run_line_magic("load_ext", "dlmagics")
    assert "ignoring bad settings" in capsys.readouterr().out
    assert shell.magics_manager.registry["DLMagics"].wing("monitor").sampler.interval == 1.0


def test_start_and_stop(shell, no_driver):
    shell.run_line_magic("load_ext", "dlmagics")
    shell.run_line_magic("gpumon", "--start")
    assert len(monitor_threads()) == 1
    shell.run_line_magic("gpumon", "--start")  # again: still one thread
    assert len(monitor_threads()) == 1
    snap = shell.run_line_magic("gpumon", "--stop")
    assert monitor_threads() == [] and snap.monitor["running"] is False
    assert "monitor stopped" in repr(snap)


def test_live_views_are_refreshed_by_the_sampler_and_capped(shell, fake_nvml, monkeypatch):
    shell.run_line_magic("load_ext", "dlmagics")
    session = shell.magics_manager.registry["DLMagics"].wing("monitor")
    monkeypatch.setattr(session.kernel, "in_kernel", True)  # as in a kernel: a widget is shown
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    for _ in range(6):
        shell.run_line_magic("gpumon", "--start")
    assert len(shown) == 6 and len(session._live_views) == 4
    # the sampler's own thread stops first: a sample of its own, taken before the change below
    # and delivered after ours, made the views say the old figure (failed once under load)
    session.sampler.stop()
    fake_nvml.gpus[0].utilization = 88
    session.sampler.sample_now()
    session._on_sample(session.sampler.latest())
    assert "88%" in shown[-1].value and "88%" not in shown[0].value
    shell.run_line_magic("gpumon", "--stop")
    assert session._live_views == [] and "monitor stopped" in shown[-1].value


def test_unload_stops_the_sampler_and_removes_the_magics(shell, no_driver):
    shell.run_line_magic("load_ext", "dlmagics")
    shell.run_line_magic("gpumon", "--start")
    shell.run_line_magic("unload_ext", "dlmagics")
    assert monitor_threads() == []
    assert "gpumon" not in shell.magics_manager.magics["line"]
    assert not any(type(c).__name__ == "DLMagics" for c in shell.configurables)
    shell.run_line_magic("load_ext", "dlmagics")  # and it loads again cleanly
    assert "gpumon" in shell.magics_manager.magics["line"]


def test_help_is_the_docstring(shell):
    shell.run_line_magic("load_ext", "dlmagics")
    doc = shell.magics_manager.magics["line"]["gpumon"].__doc__
    assert "%gpumon --start" in doc and "--interval SECONDS" in doc and "CUDA_VISIBLE_DEVICES" in doc


def test_start_in_a_terminal_shows_the_current_sample_not_the_last_runs(shell, fake_nvml):
    shell.run_line_magic("load_ext", "dlmagics")
    session = shell.magics_manager.registry["DLMagics"].wing("monitor")
    old = session.sampler.sample_now()
    old["t"] -= 120  # two minutes ago, as a stopped monitor leaves its history
    session.sampler.stop()
    fake_nvml.gpus[0].utilization = 77
    snap = shell.run_line_magic("gpumon", "--start")
    assert snap.sample["t"] > old["t"] + 100 and "77%" in repr(snap)
    shell.run_line_magic("gpumon", "--stop")


def test_a_script_prints_what_the_magics_would_show(tmp_path):
    script = tmp_path / "lesson.ipy"
    script.write_text("%load_ext dlmagics\n%gpumon\n%dlquiz --score\n")
    run = subprocess.run([sys.executable, "-m", "IPython", "--no-banner", str(script)], capture_output=True,
                         text=True, timeout=120, env={**os.environ, "DLMAGICS_QUIZ_STORE": str(tmp_path / "p.jsonl")})
    assert run.returncode == 0, run.stderr
    assert "Kernel process:" in run.stdout and "overall score" in run.stdout  # not silence


def test_voila_is_a_person_looking_though_it_runs_cells_like_nbconvert(monkeypatch):
    from types import SimpleNamespace

    from dlmagics.magics import _interactive

    headless = SimpleNamespace(kernel=SimpleNamespace(_allow_stdin=False), history_manager=SimpleNamespace(hist_file="x"))
    monkeypatch.delenv("DLMAGICS_HEADLESS", raising=False)
    monkeypatch.delenv("VOILA_BASE_URL", raising=False)
    assert not _interactive(headless)  # nbclient's allow_stdin=False: nbconvert, papermill
    monkeypatch.setenv("VOILA_BASE_URL", "/")  # Voila's server sets it for each kernel it starts
    assert _interactive(headless)
    monkeypatch.setenv("DLMAGICS_HEADLESS", "1")
    assert not _interactive(headless)
