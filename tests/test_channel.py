"""The kernel's end of the sidebar channel, with the comm replaced by a recorder."""

from __future__ import annotations

import logging
import threading

import pytest

from conftest import validate, wait_for
from dlmagics.protocol import PROTOCOL_VERSION



def test_the_schema_and_the_code_name_the_same_version():
    from conftest import SCHEMA

    assert SCHEMA["version"] == PROTOCOL_VERSION


def test_without_a_kernel_the_channel_is_silent(shell, monkeypatch, no_driver):
    import comm

    monkeypatch.setattr(comm, "create_comm", lambda **kw: pytest.fail("opened a comm without a kernel"))
    shell.run_line_magic("load_ext", "dlmagics")
    assert shell.magics_manager.registry["DLMagics"].session.channel.active is False


def test_load_opens_a_versioned_comm_whose_data_is_a_snapshot(comms, shell, no_driver):
    shell.run_line_magic("load_ext", "dlmagics")
    (c,) = comms
    assert c.target_name == "dlmagics" and c.open_metadata == {"version": PROTOCOL_VERSION}
    validate(c.open_data)
    assert c.open_data["type"] == "snapshot" and c.open_data["monitor"]["running"] is False
    assert not any(t.name == "dlmagics-gpumon" for t in threading.enumerate())


def test_a_frontend_hello_starts_the_monitor_and_samples_flow(comms, shell, fake_nvml):
    shell.run_line_magic("load_ext", "dlmagics")
    shell.run_line_magic("config", "DLMagics.monitor_interval = 0.1")
    (c,) = comms
    c.receive({"type": "request_snapshot"})
    wait_for(lambda: c.types().count("sample") >= 3)
    for message in c.sent:
        validate(message)
    assert "snapshot" in c.types() and "monitor" in c.types()
    sample = next(m for m in c.sent if m["type"] == "sample")["sample"]
    assert sample["gpus"][0]["name"] == "NVIDIA H200"


@pytest.mark.parametrize(
    "bad",
    [None, 42, "request_snapshot", [], {}, {"type": 7}, {"type": "launch_missiles"},
     {"type": "request_snapshot", "extra": 1}],
)
def test_malformed_frontend_messages_are_logged_and_ignored(comms, shell, no_driver, caplog, bad):
    shell.run_line_magic("load_ext", "dlmagics")
    (c,) = comms
    with caplog.at_level(logging.WARNING, logger="dlmagics"):
        c.receive(bad)
    assert c.sent == [] and "ignored" in caplog.text
    c.request_snapshot()  # the channel still works: the reply came


def test_closed_comms_are_forgotten(comms, shell, no_driver):
    shell.run_line_magic("load_ext", "dlmagics")
    (c,) = comms
    c._on_close({})
    channel = shell.magics_manager.registry["DLMagics"].session.channel
    assert not channel.connected
    channel.send({"type": "monitor", "monitor": {}})  # nowhere to go, no error
    assert c.sent == []


def test_gpumon_stop_ends_the_cells_live_table_not_the_sidebars_monitor(comms, shell, no_driver):
    shell.run_line_magic("load_ext", "dlmagics")
    (c,) = comms
    c.receive({"type": "request_snapshot"})  # the sidebar asks: the monitor runs for it
    shell.run_line_magic("gpumon", "--start")
    sent = len(c.sent)
    snap = shell.run_line_magic("gpumon", "--stop")
    assert any(t.name == "dlmagics-gpumon" for t in threading.enumerate())
    assert not any(m.get("type") == "monitor" for m in c.sent[sent:])  # the sidebar hears of no stop
    assert snap.monitor["running"] is True
    assert "live table stopped; the monitor runs on every 1 s for the sidebar" in repr(snap)
    assert "monitor running" not in snap._repr_html_()
    shell.run_line_magic("unload_ext", "dlmagics")


def test_a_second_gpumon_stop_stops_the_monitor_though_a_sidebar_asked(comms, shell, no_driver):
    """A sidebar's page may be long closed (its comm stays open in the kernel): with no table
    live, --stop stops the sampling, so a learner can always turn the monitor off."""
    shell.run_line_magic("load_ext", "dlmagics")
    (c,) = comms
    c.receive({"type": "request_snapshot"})
    shell.run_line_magic("gpumon", "--start")
    assert shell.run_line_magic("gpumon", "--stop").monitor["running"] is True  # its table ended
    snap = shell.run_line_magic("gpumon", "--stop")
    assert snap.monitor["running"] is False
    assert not any(t.name == "dlmagics-gpumon" for t in threading.enumerate())
    assert c.sent[-1] == {"type": "monitor", "monitor": snap.monitor}  # the sidebar hears of it
    shell.run_line_magic("unload_ext", "dlmagics")


def test_without_a_sidebar_gpumon_stop_stops_the_monitor_and_a_sidebar_starts_it_again(comms, shell, no_driver):
    shell.run_line_magic("load_ext", "dlmagics")
    (c,) = comms
    shell.run_line_magic("gpumon", "--start")
    snap = shell.run_line_magic("gpumon", "--stop")
    assert "monitor stopped (%gpumon --start to run it)" in repr(snap)
    assert not any(t.name == "dlmagics-gpumon" for t in threading.enumerate())
    assert c.request_snapshot()["monitor"]["running"] is True  # a sidebar opened later gets a running monitor
    shell.run_line_magic("unload_ext", "dlmagics")


def test_unload_closes_the_channel(comms, shell, no_driver):
    shell.run_line_magic("load_ext", "dlmagics")
    (c,) = comms
    c.receive({"type": "request_snapshot"})
    shell.run_line_magic("unload_ext", "dlmagics")
    assert c.closed
    assert not any(t.name == "dlmagics-gpumon" for t in threading.enumerate())
