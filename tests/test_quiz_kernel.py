"""%dlquiz in real kernels: answered through widget messages as a browser sends them, the
cell id from the request's metadata, and the progress still there after a restart."""

from __future__ import annotations

import pytest
from test_kernel_e2e import Kernel, data_of
from test_train_kernel import send_widget, widget

from dlmagics.quiz import catalog
from dlmagics.quiz.text import to_inline_html

pytestmark = pytest.mark.timeout(180)
CELL = "0b9c2d1e-1111-4222-8333-444455556666"


@pytest.fixture
def store(tmp_path, monkeypatch):
    path = tmp_path / "progress.jsonl"
    monkeypatch.setenv("DLMAGICS_QUIZ_STORE", str(path))  # the kernels inherit it
    return path


def quiz_status(kernel: Kernel, **expected) -> dict:
    message = kernel.wait_comm(lambda m: data_of("quiz")(m) and all(
        m["content"]["data"]["quiz"].get(k) == v for k, v in expected.items()), 60)
    return message["content"]["data"]["quiz"]


def test_answer_in_the_browser_way_then_restart_and_find_it_again(store):
    kernel = Kernel()
    try:
        kernel.execute("%load_ext dlmagics")
        kernel.execute("%dlquiz tricks", metadata={"cellId": CELL})
        first = quiz_status(kernel, answered=0)
        assert first["cell_id"] == CELL and first["total"] == 9
        # Question 4 (He initialisation) is the first single choice. The page shows its options
        # shuffled, each a box whose label is the option as HTML: tick the right one by its label,
        # as a learner would, then press Check.
        right = next(o.text for o in catalog.find("tricks").question("he-init").options if o.correct)
        label = to_inline_html(right)
        he_init = widget(kernel, "CheckboxModel", description=label, description_allow_html=True, value=False)
        send_widget(kernel, he_init, {"method": "update", "state": {"value": True}, "buffer_paths": []})
        checks = [m["content"]["comm_id"] for m in kernel.comm_messages if m["msg_type"] == "comm_open"
                  and m["content"]["data"].get("state", {}).get("description") == "Check"]
        assert len(checks) == 9
        send_widget(kernel, checks[3], {"method": "custom", "content": {"event": "click"}})
        answered = quiz_status(kernel, answered=1)
        assert answered["correct"] == 1 and answered["cell_id"] == CELL
        feedback = kernel.wait_comm(lambda m: m["msg_type"] == "comm_msg" and "Correct." in str(
            m["content"]["data"].get("state", {}).get("value", "")), 60)
        assert "zeroes half its inputs" in feedback["content"]["data"]["state"]["value"]  # the explanation, once right
    finally:
        kernel.close()
    assert '"event": "answer"' in store.read_text()

    restarted = Kernel()
    try:
        restarted.execute("%load_ext dlmagics")
        out = restarted.execute("%dlquiz tricks", metadata={"cellId": CELL})
        assert "ERROR" not in out
        again = quiz_status(restarted, id="tricks")
        assert (again["answered"], again["correct"]) == (1, 1)
        assert widget(restarted, "CheckboxModel", description=label, value=True)  # the earlier choice, shown again
        table = restarted.execute("table = %dlquiz --score\nprint(repr(table))")
        assert "tricks" in table and "1/9" in table
    finally:
        restarted.close()
