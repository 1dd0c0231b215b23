"""Faults that used to lose what was measured or answered, in a real kernel (issue 17): the
result or the answer is still there afterwards."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest
from test_kernel_e2e import Kernel
from test_train_kernel import send_widget, widget
from test_train_magic import mnist_folder, write_idx

pytestmark = pytest.mark.timeout(240)
CELL = "x = torch.ones(64)\n# timed\ny = x * 2"


@pytest.fixture
def kernel(tmp_path, monkeypatch):
    store = tmp_path / "blocker"
    store.write_text("a file where the store's folder should be: every write fails")
    monkeypatch.setenv("DLMAGICS_QUIZ_STORE", str(store / "progress.jsonl"))  # the kernel inherits it
    k = Kernel()
    k.execute("%load_ext dlmagics")
    yield k
    k.close()


def test_a_damaged_compare_file_keeps_the_earlier_result(kernel, tmp_path):
    kernel.execute(f"%%gpubench --budget 0.05 --save {tmp_path / 'r1.json'} -q\n{CELL}")
    kernel.execute("first = _gpubench")
    saved = json.loads((tmp_path / "r1.json").read_text())
    saved["devices"][0]["times_s"] = [-2.3e-06]  # edited by hand
    (tmp_path / "damaged.json").write_text(json.dumps(saved))
    out = kernel.execute(f"%%gpubench --budget 0.05 --compare {tmp_path / 'damaged.json'}\n{CELL}")
    assert out.startswith("UsageError: ") and "times must be a list of positive seconds" in out
    assert kernel.execute("print(_gpubench is first, len(first.devices[0].times) > 0)").strip() == "True True"


def test_mnist_labels_outside_the_classes_are_refused_and_nothing_is_lost(kernel, tmp_path):
    folder = mnist_folder(tmp_path)
    write_idx(folder / "train-labels-idx1-ubyte", np.full(400, 12, np.uint8), gz=False)
    kernel.execute("run = %train_demo xor --quick --no-live")
    out = kernel.execute(f"run = %train_demo mnist --data {folder}")
    assert out.startswith("UsageError: ") and "a label is 12" in out
    assert kernel.execute("print(run.name, run.status)").strip() == "xor finished"  # the earlier run stays


def test_a_read_only_store_shows_no_hint_and_says_why(kernel):
    kernel.execute("%dlquiz tricks")
    hints = [m["content"]["comm_id"] for m in kernel.comm_messages if m["msg_type"] == "comm_open"
             and m["content"]["data"].get("state", {}).get("description") == "Hint"]
    assert hints
    send_widget(kernel, hints[0], {"method": "custom", "content": {"event": "click"}})
    said = kernel.wait_comm(lambda m: m["msg_type"] == "comm_msg" and "No hint" in str(
        m["content"]["data"].get("state", {}).get("value", "")), 60)
    assert "could not save" in said["content"]["data"]["state"]["value"]
    assert "ERROR" not in kernel.execute("print('alive')")
    assert widget(kernel, "ButtonModel", description="Hint")


def test_hand_edited_progress_lines_are_moved_aside_and_the_answers_kept(tmp_path, monkeypatch):
    store = tmp_path / "progress.jsonl"
    monkeypatch.setenv("DLMAGICS_QUIZ_STORE", str(store))
    first = Kernel()
    try:
        first.execute("%load_ext dlmagics")
        first.execute("from dlmagics.quiz import catalog\nfrom dlmagics.quiz.store import ProgressStore\n"
                      "from dlmagics.quiz.tutor import Tutor\n"
                      "Tutor(catalog.find('tricks'), ProgressStore()).answer('he-init', 0)")
    finally:
        first.close()
    with open(store, "a") as f:
        f.write(json.dumps({"quiz": "tricks", "event": "answer", "question": "he-init", "score": "full"}) + "\n")
        f.write(json.dumps({"quiz": ["tricks"], "event": "answer"}) + "\n")
    again = Kernel()
    try:
        again.execute("%load_ext dlmagics")
        out = again.execute("table = %dlquiz --score\nprint(repr(table))")
        assert "ERROR" not in out and "tricks" in out and "1/9" in out
        out = again.execute(f"%dlquiz --export json {tmp_path / 'out.json'}")
        assert "wrote" in out
    finally:
        again.close()
    assert len(list(tmp_path.glob("progress.jsonl.corrupt-*"))) == 1
    rows = json.loads((tmp_path / "out.json").read_text())["questions"]
    assert any(r["question"] == "he-init" and r["correct"] for r in rows)


def test_a_sleeping_function_is_stopped_at_the_check_s_limit_in_a_kernel(tmp_path, monkeypatch):
    monkeypatch.setenv("DLMAGICS_QUIZ_STORE", str(tmp_path / "progress.jsonl"))
    sample = Path(__file__).parent / "quizzes" / "sample.yaml"  # its code question allows 0.5 s
    k = Kernel()
    try:
        k.execute("%load_ext dlmagics")
        k.execute("import time\ndef relu(x):\n    time.sleep(20)")
        k.execute(f"%dlquiz {sample}")
        checks = [m["content"]["comm_id"] for m in k.comm_messages if m["msg_type"] == "comm_open"
                  and m["content"]["data"].get("state", {}).get("description") == "Check"]
        started = time.monotonic()
        send_widget(k, checks[4], {"method": "custom", "content": {"event": "click"}})
        said = k.wait_comm(lambda m: m["msg_type"] == "comm_msg" and "longer than 0.5 s" in str(
            m["content"]["data"].get("state", {}).get("value", "")), 30)
        assert said and time.monotonic() - started < 10  # not the 20 s of the sleep (a C call)
        assert k.execute("print('alive')").strip() == "alive"
    finally:
        k.close()
