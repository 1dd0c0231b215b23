"""Shared fixtures: the protocol schema, an IPython shell, a comm recorder, fake NVML."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import jsonschema
import pytest

from dlmagics import fakes

SCHEMA = json.loads((Path(__file__).parent.parent / "dlmagics" / "protocol.schema.json").read_text())


def validate(message: dict, kind: str = "kernel_message") -> None:
    """Raise unless ``message`` is a valid message of ``kind`` (a $defs name)."""
    jsonschema.validate(message, {"$ref": f"#/$defs/{kind}", "$defs": SCHEMA["$defs"]},
                        cls=jsonschema.Draft202012Validator)


def wait_for(predicate, timeout: float = 5.0) -> None:
    """Poll until ``predicate()`` holds, failing after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@pytest.fixture
def fake_nvml():
    """A fake NVML with one H200, in place of pynvml for this test."""
    fake = fakes.install(fakes.FakeNVML())
    yield fake
    fakes.uninstall()


@pytest.fixture
def no_driver():
    fake = fakes.install(fakes.FakeNVML(init_error=12))  # NVML_ERROR_LIBRARY_NOT_FOUND
    yield fake
    fakes.uninstall()


@pytest.fixture
def shell():
    """IPython's test shell, with dlmagics unloaded again afterwards."""
    from IPython.testing.globalipapp import get_ipython

    ip = get_ipython()
    ip.config.pop("DLMagics", None)
    yield ip
    ip.config.pop("DLMagics", None)
    ip.run_line_magic("unload_ext", "dlmagics")
    ip.extension_manager.loaded.discard("dlmagics")
    if hasattr(ip, "kernel"):
        del ip.kernel


class RecordingComm:
    """A comm that records what the kernel sends; ``receive`` plays the frontend."""

    def __init__(self, target_name="dlmagics", data=None, metadata=None, comm_id=None, **_):
        self.comm_id = comm_id or uuid.uuid4().hex
        self.target_name = target_name
        self.open_data, self.open_metadata = data, metadata
        self.sent: list[dict] = []
        self.closed = False
        self._on_msg = self._on_close = None

    def send(self, data, **_):
        assert not self.closed, "sent on a closed comm"
        self.sent.append(data)

    def close(self, *args, **kwargs):
        self.closed = True

    def on_msg(self, callback):
        self._on_msg = callback

    def on_close(self, callback):
        self._on_close = callback

    def receive(self, data):
        """The frontend sends ``data`` on this comm."""
        self._on_msg({"content": {"comm_id": self.comm_id, "data": data}, "metadata": {}})

    def types(self) -> list[str]:
        return [m.get("type") for m in self.sent]


@pytest.fixture
def comms(monkeypatch, shell):
    """Pretend the shell runs in a kernel; the list of every comm dlmagics opens."""
    import comm

    made: list[RecordingComm] = []

    def create_comm(**kwargs):
        made.append(RecordingComm(**kwargs))
        return made[-1]

    monkeypatch.setattr(comm, "create_comm", create_comm)
    shell.kernel = object()
    return made
