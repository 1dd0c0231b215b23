"""A real ipykernel, driven the way JupyterLab drives it: comm_open on target dlmagics,
schema-valid GPU messages within 3 s of the sidebar's hello, and a channel that survives
malformed messages, restarts and reloads."""

from __future__ import annotations

import os
import queue
import time
from pathlib import Path

import pytest
from jupyter_client.manager import start_new_kernel

from conftest import ONE_TORCH_THREAD, validate
from dlmagics.protocol import PROTOCOL_VERSION

ROOT = Path(__file__).parent.parent
pytestmark = pytest.mark.timeout(180)


DISPLAYS = ("execute_result", "display_data", "update_display_data")


class Kernel:
    def __init__(self):
        env = {**os.environ, **ONE_TORCH_THREAD}
        self.km, self.kc = start_new_kernel(kernel_name="python3", cwd=str(ROOT), env=env)
        self.comm_messages: list[dict] = []  # every comm_* message seen on iopub
        self.outputs: list[dict] = []  # the data of every execute_result and display_data
        self.shown: list[tuple[str, dict]] = []  # the last cell's displays and updates: (msg_type, data)
        self.printed: list[dict] = []  # every stream message, whichever cell it belongs to

    def execute(self, code: str, timeout: float = 60, metadata: dict | None = None) -> str:
        """Run code; return its stdout and stderr; keep the comm traffic it caused.
        ``metadata`` goes with the request, as JupyterLab sends the cell's id."""
        if metadata is None:
            msg_id = self.kc.execute(code)
        else:
            content = {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                       "allow_stdin": False, "stop_on_error": True}
            request = self.kc.session.msg("execute_request", content, metadata=metadata)
            self.kc.shell_channel.send(request)
            msg_id = request["header"]["msg_id"]
        text, self.shown = [], []
        while True:
            msg = self._next(timeout)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind = msg["msg_type"]
            if kind == "stream":
                text.append(msg["content"]["text"])
            elif kind == "error":
                text.append("ERROR " + msg["content"]["ename"] + ": " + msg["content"]["evalue"])
            elif kind in ("execute_result", "display_data"):
                self.outputs.append(msg["content"]["data"])
            if kind in DISPLAYS:
                self.shown.append((kind, msg["content"]["data"]))
            elif kind == "status" and msg["content"]["execution_state"] == "idle":
                return "".join(text)

    def send_comm(self, kind: str, content: dict, metadata: dict | None = None) -> None:
        self.kc.shell_channel.send(self.kc.session.msg(kind, content, metadata=metadata or {}))

    def wait_comm(self, predicate, timeout: float) -> dict:
        """The first comm message (seen before or within ``timeout``) that matches."""
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            for msg in self.comm_messages[seen:]:
                if predicate(msg):
                    return msg
            seen = len(self.comm_messages)
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no matching comm message in {timeout} s; saw {[m['msg_type'] for m in self.comm_messages]}")
            try:
                self._next(left)
            except queue.Empty:
                pass

    def interrupt(self, code: str, kinds: tuple[str, ...], after: float = 0.0, when=None) -> dict:
        """Run ``code``, press Ctrl-C once it has run ``after`` seconds (counted from the moment the
        kernel starts the cell, not from sending it: a busy machine may start it late) and ``when()``
        holds, if given; the cell's first message of ``kinds``."""
        msg_id = self.kc.execute(code)
        self.shown = []
        deadline = time.monotonic() + 60
        while True:
            msg = self._next(max(0.1, deadline - time.monotonic()))
            if msg["msg_type"] == "execute_input" and msg["parent_header"].get("msg_id") == msg_id:
                break
        time.sleep(after)
        while when is not None and not when():
            assert time.monotonic() < deadline, "the condition to press Ctrl-C never held"
            time.sleep(0.05)
        self.km.interrupt_kernel()
        while True:
            msg = self._next(30)
            if msg["parent_header"].get("msg_id") == msg_id:
                if msg["msg_type"] in DISPLAYS:
                    self.shown.append((msg["msg_type"], msg["content"]["data"]))
                if msg["msg_type"] in kinds:
                    return msg

    def _next(self, timeout: float) -> dict:
        msg = self.kc.get_iopub_msg(timeout=timeout)
        if msg["msg_type"].startswith("comm_"):
            self.comm_messages.append(msg)
        elif msg["msg_type"] == "stream":
            self.printed.append(msg)
        return msg

    def close(self):
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


@pytest.fixture
def kernel():
    k = Kernel()
    yield k
    k.close()


def data_of(kind):
    return lambda m: m["msg_type"] == "comm_msg" and m["content"]["data"].get("type") == kind


def opened(kernel: Kernel) -> dict:
    return kernel.wait_comm(lambda m: m["msg_type"] == "comm_open" and m["content"]["target_name"] == "dlmagics", 10)


def test_load_ext_opens_the_channel_and_gpu_messages_follow_within_3s(kernel):
    assert kernel.execute("%load_ext dlmagics") == ""
    open_msg = opened(kernel)
    assert open_msg["metadata"] == {"version": PROTOCOL_VERSION}
    validate(open_msg["content"]["data"])
    comm_id = open_msg["content"]["comm_id"]

    hello_at = time.monotonic()
    kernel.send_comm("comm_msg", {"comm_id": comm_id, "data": {"type": "request_snapshot"}})
    sample = kernel.wait_comm(data_of("sample"), timeout=3.0)
    assert time.monotonic() - hello_at < 3.0
    snapshot = kernel.wait_comm(data_of("snapshot"), timeout=10.0)
    for msg in (sample, snapshot):
        assert msg["content"]["comm_id"] == comm_id
        validate(msg["content"]["data"])
    reading = sample["content"]["data"]["sample"]
    assert reading["state"] == "no_driver"  # CI and developer machines have no NVIDIA driver
    assert reading["host"]["rss"] > 0

    # A second sample a second later: the sampler runs at 1 Hz on its own.
    kernel.wait_comm(lambda m: data_of("sample")(m) and m is not sample, timeout=10.0)


def test_a_fake_gpu_in_a_real_kernel_reaches_the_wire(kernel):
    kernel.execute("from dlmagics import testing; testing.install(testing.FakeNVML())\n%load_ext dlmagics")
    comm_id = opened(kernel)["content"]["comm_id"]
    kernel.send_comm("comm_msg", {"comm_id": comm_id, "data": {"type": "request_snapshot"}})
    sample = kernel.wait_comm(data_of("sample"), timeout=10.0)["content"]["data"]
    validate(sample)
    assert sample["sample"]["gpus"][0]["name"] == "NVIDIA H200"


def test_malformed_messages_are_ignored_and_the_channel_keeps_working(kernel):
    kernel.execute("%load_ext dlmagics")
    comm_id = opened(kernel)["content"]["comm_id"]
    for bad in ("garbage", {"type": "no_such_thing"}, {"no": "type"}, {"type": "request_snapshot", "x": 1}):
        kernel.send_comm("comm_msg", {"comm_id": comm_id, "data": bad})
    assert kernel.execute("print(1 + 1)") == "2\n"  # the kernel is fine
    assert not [m for m in kernel.comm_messages if m["msg_type"] == "comm_close"]
    kernel.send_comm("comm_msg", {"comm_id": comm_id, "data": {"type": "request_snapshot"}})
    validate(kernel.wait_comm(data_of("snapshot"), timeout=10.0)["content"]["data"])


def test_without_a_frontend_no_thread_is_started(kernel):
    # nbclient and plain kernels never say hello: the monitor must not run for nobody.
    out = kernel.execute(
        "%load_ext dlmagics\nimport threading\nprint(sorted(t.name for t in threading.enumerate()))"
    )
    assert "dlmagics-gpumon" not in out


def test_a_reloaded_page_finds_the_kernel_comm_and_reattaches_by_id(kernel):
    # Before %load_ext the kernel has no dlmagics comm: the sidebar shows the hint.
    assert kernel.kc.comm_info(target_name="dlmagics", reply=True, timeout=10)["content"]["comms"] == {}
    kernel.execute("%load_ext dlmagics")
    kernel_comm = opened(kernel)["content"]["comm_id"]
    # A reloaded page asks which dlmagics comms exist, and finds the kernel's one...
    reply = kernel.kc.comm_info(target_name="dlmagics", reply=True, timeout=10)["content"]
    assert list(reply["comms"]) == [kernel_comm]
    # ...and a message on that id gets the whole state back.
    kernel.send_comm("comm_msg", {"comm_id": kernel_comm, "data": {"type": "request_snapshot"}})
    validate(kernel.wait_comm(data_of("snapshot"), timeout=10.0)["content"]["data"])


def test_unload_closes_and_restart_forgets(kernel):
    kernel.execute("%load_ext dlmagics")
    comm_id = opened(kernel)["content"]["comm_id"]
    kernel.execute("%unload_ext dlmagics")
    kernel.wait_comm(lambda m: m["msg_type"] == "comm_close" and m["content"]["comm_id"] == comm_id, 10)
    assert kernel.kc.comm_info(target_name="dlmagics", reply=True, timeout=10)["content"]["comms"] == {}

    kernel.execute("%load_ext dlmagics")
    kernel.km.restart_kernel(now=True)
    kernel.kc.wait_for_ready(timeout=60)
    assert kernel.kc.comm_info(target_name="dlmagics", reply=True, timeout=10)["content"]["comms"] == {}
    assert kernel.execute("%load_ext dlmagics") == ""
    assert kernel.kc.comm_info(target_name="dlmagics", reply=True, timeout=10)["content"]["comms"] != {}


def test_ctrl_c_interrupts_the_cell_not_the_monitor(kernel):
    kernel.execute("%load_ext dlmagics\n%config DLMagics.monitor_interval = 0.2")
    comm_id = opened(kernel)["content"]["comm_id"]
    kernel.send_comm("comm_msg", {"comm_id": comm_id, "data": {"type": "request_snapshot"}})
    kernel.wait_comm(data_of("sample"), timeout=10.0)
    error = kernel.interrupt("import time; time.sleep(60)", kinds=("error",), after=1.0)
    assert error["content"]["ename"] == "KeyboardInterrupt"
    seen = len(kernel.comm_messages)
    kernel.wait_comm(lambda m: data_of("sample")(m) and kernel.comm_messages.index(m) >= seen, timeout=10.0)
    assert kernel.execute("print('still here')") == "still here\n"


def test_gpubench_in_a_real_kernel_shows_html_text_and_png_and_tells_the_sidebar(kernel):
    kernel.execute("%load_ext dlmagics")
    opened(kernel)
    out = kernel.execute("%%gpubench -d cpu,cpu:1 --budget 0.2\nx = torch.randn(256, 256)\n# timed\ny = x @ x\n")
    assert out == ""
    data = kernel.outputs[-1]
    assert {"text/plain", "text/html", "image/png"} <= set(data)
    assert "cpu:1" in data["text/plain"] and "agrees with cpu" in data["text/plain"]
    message = kernel.wait_comm(data_of("benchmarks"), timeout=5)["content"]["data"]
    validate(message)
    assert [d["device"] for d in message["results"][0]["devices"]] == ["cpu", "cpu:1"]


def test_ctrl_c_stops_gpubench_and_shows_what_was_measured(kernel, tmp_path):
    kernel.execute("%load_ext dlmagics")
    runs = tmp_path / "runs"  # each run leaves a byte: Ctrl-C comes once 60 have run, however slow the machine
    code = f"%%gpubench -d cpu,cpu:1 --budget 60 --min-runs 10000\n# timed\nimport time; time.sleep(0.01)\nopen({str(runs)!r}, 'a').write('.')\n"
    result = kernel.interrupt(code, kinds=("execute_result", "error"),
                              when=lambda: runs.exists() and runs.stat().st_size > 60)
    assert result["msg_type"] == "execute_result"
    text = result["content"]["data"]["text/plain"]
    # The devices take turns, so both have runs; each keeps what it measured.
    assert "Stopped by Ctrl-C" in text and "cpu (interrupted)" in text
    assert kernel.execute("print(sum(d.summary.runs for d in _gpubench.devices if d.summary) > 50)") == "True\n"
