"""Shared fixtures: the protocol schema, an IPython shell, a comm recorder, fake NVML."""

from __future__ import annotations

import functools
import json
import os
import threading
import time
import uuid
from pathlib import Path

import jsonschema
import pytest

from dlmagics import testing

SCHEMA = json.loads((Path(__file__).parent.parent / "dlmagics" / "protocol.schema.json").read_text())


@functools.cache
def _validator(kind: str) -> jsonschema.Draft202012Validator:
    # One validator per kind: jsonschema.validate() re-checks the whole schema on every call
    # (about 0.09 s here), which made a loop over many messages slower than they arrive.
    schema = {"$ref": f"#/$defs/{kind}", "$defs": SCHEMA["$defs"]}
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def validate(message: dict, kind: str = "kernel_message") -> None:
    """Raise unless ``message`` is a valid message of ``kind`` (a $defs name)."""
    _validator(kind).validate(message)


@pytest.fixture(autouse=True, scope="session")
def private_quiz_store(tmp_path_factory):
    """Quiz answers of the suite (and of every kernel it starts) go to a file of its own: a run
    neither reads the learner's progress nor adds to it."""
    os.environ["DLMAGICS_QUIZ_STORE"] = str(tmp_path_factory.mktemp("quiz") / "progress.jsonl")
    os.environ["DLMAGICS_LEARNER"] = "suite"  # the options' order is this learner's on every machine


# Kernels started in the test run torch on one thread: on a 2-core machine that other processes
# also use, torch's OpenMP threads wait for each other (notebook 04 took 15 s alone and 349 s
# beside two busy processes with two threads). A kernel inherits it from its environment.
ONE_TORCH_THREAD = {"OMP_NUM_THREADS": "1"}


@pytest.fixture
def one_torch_thread(monkeypatch):
    """ONE_TORCH_THREAD for the kernels this test starts (NotebookClient's)."""
    for name, value in ONE_TORCH_THREAD.items():
        monkeypatch.setenv(name, value)


def wait_for(predicate, timeout: float = 30.0) -> None:
    """Poll until ``predicate()`` holds, failing after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@pytest.fixture
def fake_nvml():
    """A fake NVML with one H200, in place of pynvml for this test."""
    fake = testing.install(testing.FakeNVML())
    yield fake
    testing.uninstall()


@pytest.fixture
def no_driver():
    fake = testing.install(testing.FakeNVML(init_error=12))  # NVML_ERROR_LIBRARY_NOT_FOUND
    yield fake
    testing.uninstall()


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
    """A comm that records what the kernel sends; ``receive`` plays the frontend.

    The sampler thread sends while a test reads, so ``sent`` is a copy taken under a lock:
    a test iterates over what had been sent when it asked, never over a list still growing.
    """

    def __init__(self, target_name="dlmagics", data=None, metadata=None, comm_id=None, **_):
        self.comm_id = comm_id or uuid.uuid4().hex
        self.target_name = target_name
        self.open_data, self.open_metadata = data, metadata
        self._sent: list[dict] = []
        self._lock = threading.Lock()
        self.closed = False
        self._on_msg = self._on_close = None

    @property
    def sent(self) -> list[dict]:
        with self._lock:
            return list(self._sent)

    def send(self, data, **_):
        assert not self.closed, "sent on a closed comm"
        with self._lock:
            self._sent.append(data)

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

    def request_snapshot(self) -> dict:
        """The sidebar asks for a snapshot: the reply. Not ``sent[-1]``: the first request starts
        the monitor's sampler, whose samples may come just before or after the reply."""
        before = len(self.sent)
        self.receive({"type": "request_snapshot"})
        (reply,) = [m for m in self.sent[before:] if m["type"] == "snapshot"]
        return reply

    def last(self, kind: str) -> dict:
        """The last message of type ``kind`` sent (the sampler may have sent after it)."""
        return [m for m in self.sent if m["type"] == kind][-1]


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
