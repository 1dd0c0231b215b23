"""%train_demo in a real kernel, driven the way a browser drives it: jupyter_client sends the
widget messages (the slider's new value, a click on Stop) while the demo trains."""

from __future__ import annotations

import time

import pytest

from conftest import validate
from test_kernel_e2e import Kernel, data_of

pytestmark = pytest.mark.timeout(240)


@pytest.fixture
def kernel():
    k = Kernel()
    yield k
    k.close()


def widget(kernel: Kernel, model: str, **state) -> str:
    """The comm id of the widget of ``model`` whose state has the given values."""
    for msg in kernel.comm_messages:
        data = msg["content"].get("data", {})
        if msg["msg_type"] == "comm_open" and msg["content"]["target_name"] == "jupyter.widget":
            have = data.get("state", {})
            if have.get("_model_name") == model and all(have.get(k) == v for k, v in state.items()):
                return msg["content"]["comm_id"]
    raise AssertionError(f"no {model} widget with {state}")


def send_widget(kernel: Kernel, comm_id: str, data: dict) -> None:
    kernel.send_comm("comm_msg", {"comm_id": comm_id, "data": data})


def test_slider_and_stop_act_while_training_and_the_history_is_kept(kernel):
    kernel.execute("%load_ext dlmagics")
    # The cell returns while training goes on: the Stop sent below, after it returned, finds the
    # run still going ("stopped", not "finished"), however long a loaded machine took to return.
    out = kernel.execute("run = %train_demo optimizers --epochs 300")
    assert out == ""
    slider = widget(kernel, "FloatLogSliderModel", description="learning rate")
    stop = widget(kernel, "ButtonModel", description="Stop")
    kernel.wait_comm(lambda m: data_of("training")(m) and m["content"]["data"]["run"]["step"] > 0, 60)

    send_widget(kernel, slider, {"method": "update", "state": {"value": 0.002}, "buffer_paths": []})
    time.sleep(1.0)
    send_widget(kernel, stop, {"method": "custom", "content": {"event": "click"}})
    # The next cell waits for the run to end (the pre_run_cell barrier), then reads it.
    out = kernel.execute("h = run.history; print(run.status, h.steps_done, h.steps_planned, h.lr_changes, "
                         "h.lr[h.lr_changes[0]['step'] - 1], h.lr[-1], {len(v) for v in h.loss.values()})")
    status, done, planned, *rest = out.split(" ", 3)
    assert status == "stopped" and 0 < int(done) < int(planned), out
    change_step = int(rest[0].split("'step': ")[1].split(",")[0])
    assert "'from': 0.01, 'to': 0.002" in out and 0 < change_step < int(done)
    assert out.rstrip().endswith(f"0.01 0.002 {{{done}}}"), out  # the LR before and after; every step kept

    final = kernel.wait_comm(lambda m: data_of("training")(m) and m["content"]["data"]["run"]["status"] != "running", 60)
    validate(final["content"]["data"])
    assert final["content"]["data"]["run"]["status"] == "stopped"


def test_the_sidebars_stop_stops_the_run_and_keeps_its_history(kernel):
    from test_kernel_e2e import opened

    kernel.execute("%load_ext dlmagics")
    comm_id = opened(kernel)["content"]["comm_id"]
    kernel.execute("run = %train_demo optimizers --epochs 300")
    going = kernel.wait_comm(lambda m: data_of("training")(m) and m["content"]["data"]["run"]["step"] > 0, 60)
    validate(going["content"]["data"])
    run = going["content"]["data"]["run"]
    assert run["status"] == "running" and run["elapsed_s"] > 0 and run["left_s"] > 0  # the Runs section's step and ETA
    stop = {"type": "stop_training"}
    validate(stop, "frontend_message")
    kernel.send_comm("comm_msg", {"comm_id": comm_id, "data": stop})  # the Runs section's Stop
    final = kernel.wait_comm(lambda m: data_of("training")(m) and m["content"]["data"]["run"]["status"] != "running", 60)
    assert final["content"]["data"]["run"]["status"] == "stopped"
    out = kernel.execute("print(run.status, 0 < run.history.steps_done < run.history.steps_planned)")
    assert out.strip() == "stopped True", out
    kernel.send_comm("comm_msg", {"comm_id": comm_id, "data": stop})  # nothing trains now: nothing happens
    assert kernel.execute("print(run.status)").strip() == "stopped"


def test_the_dashboard_becomes_the_final_picture(kernel):
    kernel.execute("%load_ext dlmagics")
    msg_id = kernel.kc.execute("%train_demo xor --quick")
    updates = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not updates:
        msg = kernel._next(deadline - time.monotonic())
        if msg["msg_type"] == "update_display_data" and "image/png" in msg["content"]["data"]:
            updates.append(msg)
    assert updates, "the dashboard was never replaced by the final picture"
    data = updates[0]["content"]["data"]
    assert "lesson (shown)" in data["text/plain"] and data["image/png"].startswith("iVBOR")
    assert msg_id


def texts(shown) -> list[str]:
    return [data.get("text/plain", "") for _, data in shown]


def test_the_same_cell_reads_the_finished_run_and_says_it_waited(kernel):
    kernel.execute("%load_ext dlmagics")
    out = kernel.execute("race = %train_demo xor --quick\n"
                         "print(race.lesson.holds, race.status, race.lesson.measured)\n"
                         "print(sorted(race.final), all('test_accuracy' in r for r in race.final.values()))")
    first, second = out.strip().splitlines()
    assert first.startswith("True finished ") and "accuracy" in first, out  # .status: where it stands now
    assert second == "['MLP 2-8-2', 'perceptron'] True", out
    notes = [t for t in texts(kernel.shown) if "%train_demo xor" in t and "wait" in t]
    assert notes[0].startswith("waiting for %train_demo xor to finish"), notes
    assert notes[-1].startswith("waited ") and notes[-1].endswith("s for %train_demo xor to finish"), notes


def test_the_next_cell_waits_and_reads_numbers_and_a_live_result_shows_no_stale_line(kernel):
    kernel.execute("%load_ext dlmagics")
    kernel.execute("%train_demo optimizers --quick")
    assert not [t for t in texts(kernel.shown) if t.startswith("<%train_demo")], kernel.shown
    out = kernel.execute("run = _\nprint(run.status, len(run.final), run.to_dict()['lesson']['measured'] != '')")
    assert out.strip() == "finished 4 True", out
    assert any(t.startswith("waiting for %train_demo optimizers") for t in texts(kernel.shown)), kernel.shown


def test_a_paused_run_resumes_when_a_cell_waits_for_it(kernel):
    kernel.execute("%load_ext dlmagics")
    kernel.execute("run = %train_demo optimizers --quick")
    pause = widget(kernel, "ToggleButtonModel", description="Pause")
    send_widget(kernel, pause, {"method": "update", "state": {"value": True}, "buffer_paths": []})

    def button_says(words):
        return lambda m: (m["msg_type"] == "comm_msg" and m["content"]["comm_id"] == pause
                          and m["content"]["data"].get("state", {}).get("description") == words)

    kernel.wait_comm(button_says("Resume"), 30)  # paused: nothing trains until Resume
    # A cell that waits for the run could never receive Resume: it resumes the run itself.
    out = kernel.execute("print(run.status)", timeout=120)
    assert out.strip() == "finished", out
    kernel.wait_comm(button_says("Pause"), 30)  # and the button shows it


def test_ctrl_c_in_the_next_cell_stops_the_run_and_keeps_it(kernel):
    kernel.execute("%load_ext dlmagics")
    kernel.execute("run = %train_demo optimizers --epochs 300")
    kernel.wait_comm(lambda m: data_of("training")(m) and m["content"]["data"]["run"]["step"] > 0, 60)
    msg = kernel.interrupt("print('after', run.status)", kinds=("stream", "error"), after=1.5)
    # The waiting cell said what it waited for, then that the interrupt stopped the run; then it ran.
    assert msg["msg_type"] == "stream" and msg["content"]["text"] == "after stopped\n", msg["content"]
    notes = texts(kernel.shown)
    assert notes[0].startswith("waiting for %train_demo optimizers to finish"), notes
    assert "stopped by the interrupt" in notes[-1] and "history so far is kept" in notes[-1], notes
    out = kernel.execute("print(run.status, run.history.steps_done > 0, run.history.steps_done < run.history.steps_planned)")
    assert out.strip().endswith("stopped True True"), out


def test_ctrl_c_in_a_no_live_run_keeps_the_history(kernel):
    kernel.execute("%load_ext dlmagics")
    kernel.kc.execute("run = %train_demo optimizers --epochs 300 --no-live")
    # Press Ctrl-C once a step is done (its progress line shows), not after a fixed time: on a
    # loaded CI runner 3 s once passed before the first step.
    deadline = time.monotonic() + 60
    msg = kernel._next(deadline - time.monotonic())
    while not (msg["msg_type"] == "update_display_data" and "image/png" not in msg["content"]["data"]):
        assert msg["msg_type"] != "error", msg["content"]
        msg = kernel._next(deadline - time.monotonic())
    kernel.km.interrupt_kernel()
    # Ctrl-C ends the race, not the cell: the final picture and summary are shown.
    deadline = time.monotonic() + 30
    while not (msg["msg_type"] == "update_display_data" and "image/png" in msg["content"]["data"]):
        assert msg["msg_type"] != "error", msg["content"]
        msg = kernel._next(deadline - time.monotonic())
    assert "interrupted after" in msg["content"]["data"]["text/plain"]
    out = kernel.execute("print(run.status, 0 < run.history.steps_done < run.history.steps_planned)")
    assert out.strip() == "interrupted True", out
