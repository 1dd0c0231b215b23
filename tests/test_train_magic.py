"""%train_demo through IPython: bad input, the result object, MNIST files, faults, controls."""

from __future__ import annotations

import gzip
import html
import json
import math
import struct
import threading

import numpy as np
import pytest
from IPython.core.error import UsageError

from conftest import validate
from dlmagics.data.errors import DataError
from dlmagics.data.idx import read_idx
from dlmagics.protocol import training_message as message_of
from dlmagics.train import data, frames, runner
from dlmagics.train.command import listing
from dlmagics.train.demos import DEMOS
from dlmagics.train.engine import Controls
from dlmagics.train.frames import final_bundle, live_html, run_state

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def ip(shell):
    shell.run_line_magic("load_ext", "dlmagics")
    return shell


def usage_error(ip, line: str) -> str:
    with pytest.raises(UsageError) as caught:
        ip.run_line_magic("train_demo", line)
    message = str(caught.value)
    assert "\n" not in message and message.startswith("%train_demo") and "Usage: %train_demo NAME" in message
    return message


@pytest.mark.parametrize("line, expected", [
    ("", "name a demo: xor, vanishing"),
    ("xorr", "no demo named 'xorr'; did you mean xor?"),
    ("resnett", "did you mean resnet?"),
    ("zzz", "the demos are xor, vanishing"),
    ("xor --epochs 0", "--epochs 0: a whole number of epochs, 1 to 100,000"),
    ("xor --epochs two", "--epochs two: a whole number"),
    ("xor --lr -1", "--lr -1: a learning rate above 0, at most 10"),
    ("xor --lr nan", "--lr nan: a learning rate above 0"),
    ("xor --batch-size 0", "--batch-size 0: a whole number of examples"),
    ("xor --seed -3", "--seed -3: a whole number from 0"),
    ("xor --device cuda", "--device cuda:"),
    ("xor --device tpu", "--device tpu:"),
    ("xor --device cpu,cpu:1", "give one device"),
    ("mnist --data /no/such/folder", "--data /no/such/folder: no such folder"),
    ("xor --data /tmp", "xor makes its own data; --data works with vanishing"),
    ("xor --frobnicate", "unrecognized arguments: --frobnicate"),
    ("xor --seed 99999999999999999999999", "--seed 99999999999999999999999: a whole number from 0 to 4,294,967,295"),
    ("xor --epochs ²", "--epochs ²: a whole number"),  # isdigit says yes, int() says no
    ("hardware --device cpu:100000", "the number after cpu: is a thread count, from 1 to"),  # was a dead kernel
    ("hardware --device cpu:¹⁰", "thread count"),
    ("--list --epochs 3", "--list shows the demos and takes nothing else (--epochs would be ignored)"),
    ("--list xor", "--list shows the demos and takes nothing else (xor would be ignored)"),
    ('xor "', "no closing quotation in the line"),
])
def test_bad_input_is_one_line_saying_what_is_allowed(ip, line, expected):
    assert expected in usage_error(ip, line)


def test_list_shows_each_demo_with_its_date_and_lesson(ip, capsys):
    assert ip.run_line_magic("train_demo", "--list") is None
    out = capsys.readouterr().out
    words = " ".join(out.split())
    for demo in DEMOS.values():
        assert demo.name in out and demo.year in out and demo.claim in words
    assert max(len(line) for line in out.splitlines()) <= 96  # wrapped at words, not by the terminal
    bundle = listing()
    assert bundle["text/html"].count("<tr>") == len(DEMOS) + 1 and "Lesson: " + html.escape(DEMOS["xor"].claim) in bundle["text/html"]


def test_a_headless_run_returns_the_result_and_shows_the_final_picture(ip, capsys):
    result = ip.run_line_magic("train_demo", "xor --quick")
    assert result.status == "finished" and result.lesson.holds
    assert result.history.steps_done == result.history.steps_planned == 150
    assert len(result.history.loss["perceptron"]) == 150
    final = result.final
    assert final["MLP 2-8-2"]["test_accuracy"] == 1.0 and final["perceptron"]["samples_per_s"] > 0
    out = capsys.readouterr().out
    assert "%train_demo xor (XOR: the perceptron vs a hidden layer): finished after 150 of 150 steps" in out
    assert "lesson (shown)" in out and "rerun: %train_demo xor --epochs 150 --lr 0.5" in out
    as_dict = json.loads(json.dumps(result.to_dict()))
    assert as_dict["lesson"]["holds"] and as_dict["history"]["steps_done"] == 150
    assert "finished, 150 steps; lesson shown" in repr(result)
    figure = result.plot()
    assert len(figure.axes) == 3  # loss, accuracy, the decision boundary


def test_the_final_picture_is_the_live_frame_with_the_summary_and_a_png_beside():
    result = runner.run(runner.start(DEMOS["vanishing"], DEMOS["vanishing"].settings(quick=True), ""))
    bundle = final_bundle(result)
    assert bundle["image/png"].startswith("iVBOR")  # base64 of the PNG signature, for clients without HTML
    assert "Lesson shown" in bundle["text/html"] and "sigmoid" in bundle["text/plain"]
    frame = live_html(result)
    assert frame in bundle["text/html"]  # the SVG charts, drawn in the page's colours, not a white PNG
    assert frame.count('<svg xmlns') == 2 and "gradient norm per layer" in frame and "data:image/png;base64," in frame
    assert 'fill="currentColor"' in frame and "#000" not in frame and "#555" not in frame
    assert "linear-gradient" in frame and "1e-10 or less" in frame  # the heat map has its colour scale
    assert 'stroke-dasharray="7 3"' in frame  # the second net's line is dashed: equal curves stay apart


def training_message(result) -> dict:
    return message_of(run_state(result))


def test_the_sidebar_message_validates_while_running_and_at_the_end():
    demo = DEMOS["optimizers"]
    result = runner.start(demo, demo.settings(quick=True, epochs=1), "")
    seen = []
    runner.run(result, on_step=lambda r: seen.append(training_message(r)) if len(seen) < 2 else None)
    validate(seen[0])
    assert seen[0]["run"]["status"] == "running" and seen[0]["run"]["lesson"] is None
    done = training_message(result)
    validate(done)
    assert done["run"]["status"] == "finished" and done["run"]["step"] == done["run"]["steps"]
    assert done["run"]["lesson"]["holds"] in (True, False)


def test_the_slider_acts_at_the_next_step_and_stop_keeps_the_history():
    demo = DEMOS["optimizers"]
    result = runner.start(demo, demo.settings(epochs=50), "")
    controls = Controls(result.settings.lr)

    def on_step(r):
        if r.history.steps_done == 10:
            controls.set_lr(0.001)
        if r.history.steps_done == 25:
            controls.stop()

    runner.run(result, controls, on_step)
    h = result.history
    assert result.status == "stopped" and h.steps_done == 25 < h.steps_planned
    assert h.lr_changes == [{"step": 10, "from": 0.01, "to": 0.001}]
    assert h.lr[9] == 0.01 and h.lr[10] == 0.001
    assert all(len(v) == 25 for v in h.loss.values())
    assert h.evals["Adam"][-1]["step"] == 25  # evaluated where it stopped
    bundle = final_bundle(result)
    assert "not shown: the run was stopped early" in bundle["text/plain"]
    # its claim is "a quarter of the way in": not checked on the step it stopped at instead
    assert not result.lesson.holds
    assert "not measured: the run ended at step 25, before a quarter of its" in bundle["text/plain"]
    # The line to run it again follows the slider: the rate the learner chose, not the first one.
    assert "rerun: %train_demo optimizers --epochs 50 --lr 0.001 " in bundle["text/plain"]
    assert "--lr 0.001 " in bundle["text/html"] and training_message(result)["run"]["command"].count("--lr 0.001 ") == 1


def test_pause_holds_the_race_until_resume():
    demo = DEMOS["xor"]
    result = runner.start(demo, demo.settings(epochs=100000), "")
    controls = Controls(result.settings.lr)
    paused_at = threading.Event()

    def on_step(r):
        if r.history.steps_done == 5:
            controls.pause()
            paused_at.set()

    thread = threading.Thread(target=runner.run, args=(result, controls, on_step))
    thread.start()
    assert paused_at.wait(30)
    thread.join(0.5)
    assert result.history.steps_done == 5 and thread.is_alive()
    controls.stop()
    thread.join(10)
    assert result.status == "stopped" and result.history.steps_done == 5


def test_ctrl_c_mid_run_keeps_the_history():
    demo = DEMOS["optimizers"]
    result = runner.start(demo, demo.settings(epochs=50), "")

    def on_step(r):
        if r.history.steps_done == 12:
            raise KeyboardInterrupt

    runner.run(result, on_step=on_step)
    assert result.status == "interrupted" and result.history.steps_done == 12
    assert result.history.evals["SGD"][-1]["step"] == 12


def test_a_failing_demo_keeps_its_error_and_history(monkeypatch):
    demo = DEMOS["optimizers"]
    result = runner.start(demo, demo.settings(quick=True), "")

    def on_step(r):
        if r.history.steps_done == 3:
            raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB")

    runner.run(result, on_step=on_step)
    assert result.status == "failed" and "out of memory" in result.error
    assert result.history.steps_done == 3
    assert "error: RuntimeError: CUDA out of memory" in final_bundle(result)["text/plain"]


def write_idx(path, array: np.ndarray, gz: bool) -> None:
    header = bytes([0, 0, 8, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    raw = header + array.astype(np.uint8).tobytes()
    (gzip.open if gz else open)(path, "wb").write(raw)


def mnist_folder(tmp_path, n=400):
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, n)
    images = np.zeros((n, 28, 28), np.uint8)
    for i, k in enumerate(labels):  # a bright bar whose place is the label: learnable
        images[i, 2 * k + 2:2 * k + 5, 4:24] = 255
    write_idx(tmp_path / "train-images-idx3-ubyte.gz", images, gz=True)
    write_idx(tmp_path / "train-labels-idx1-ubyte", labels, gz=False)
    return tmp_path


def test_data_reads_mnist_idx_files(ip, tmp_path):
    folder = mnist_folder(tmp_path)
    result = ip.run_line_magic("train_demo", f"mnist --quick --epochs 2 --data {folder}")
    assert result.status == "finished", result.error
    assert result.plan.data.x_train.shape[1:] == (1, 28, 28)
    assert result.final["dense 512-512"]["test_accuracy"] > 0.5
    assert f"--data {folder}" in result.command


def test_damaged_mnist_files_are_a_one_line_error(ip, tmp_path):
    folder = mnist_folder(tmp_path)
    raw = gzip.open(folder / "train-images-idx3-ubyte.gz").read()
    gzip.open(folder / "train-images-idx3-ubyte.gz", "wb").write(raw[:5000])
    assert "truncated or damaged" in usage_error(ip, f"mnist --data {folder}")
    (folder / "train-labels-idx1-ubyte").write_bytes(b"not an idx file")
    (folder / "train-images-idx3-ubyte.gz").unlink()
    assert "has no train-images-idx3-ubyte" in usage_error(ip, f"mnist --data {folder}")


def test_a_picture_that_cannot_be_drawn_loses_no_run(ip, capsys, monkeypatch):
    import dlmagics.train.frames

    def broken(result):
        raise ValueError("no colour for class 12")

    monkeypatch.setattr(dlmagics.train.frames, "final_bundle", broken)
    result = ip.run_line_magic("train_demo", "xor --quick")
    assert result.status == "finished" and result.history.steps_done > 0  # trained, and returned
    assert "the final picture could not be drawn (ValueError: no colour for class 12)" in capsys.readouterr().out


def test_mnist_labels_outside_the_digits_are_refused_before_training(ip, tmp_path):
    folder = mnist_folder(tmp_path)
    labels = np.full(400, 12, np.uint8)  # one class too many: training would run, then drawing fail
    write_idx(folder / "train-labels-idx1-ubyte", labels, gz=False)
    assert "a label is 12; MNIST's labels are the digits 0 to 9" in usage_error(ip, f"mnist --data {folder}")


def test_a_gzip_bomb_as_mnist_data_is_refused_without_unpacking_it_all(ip, tmp_path):
    folder = mnist_folder(tmp_path)
    with gzip.open(folder / "train-images-idx3-ubyte.gz", "wb", compresslevel=1) as f:
        f.write(struct.pack(">IIII", 0x803, 10 ** 6, 28, 28))
        for _ in range(300):
            f.write(bytes(1 << 20))  # 300 MiB of zeros in a file of 300 KiB
    assert "holds over 256 MiB (unpacked)" in usage_error(ip, f"mnist --data {folder}")


def test_idx_reader_refuses_a_bad_magic_number(tmp_path):
    path = tmp_path / "x-idx1-ubyte"
    path.write_bytes(b"\x01\x02\x03\x04")
    with pytest.raises(DataError, match="bad magic number"):
        read_idx(path)


def test_the_digits_ship_with_the_package_and_load():
    images, labels = data.digits_arrays()
    assert images.shape == (1797, 8, 8) and 0 <= images.min() and images.max() == 1.0
    assert sorted(set(labels.tolist())) == list(range(10))
    assert (data.DIGITS_FILE.parent / "README.md").read_text().count("CC BY 4.0") >= 1


@pytest.mark.parametrize("low, high, log, expected", [
    (0.716, 0.7301, True, ["0.72", "0.725", "0.73"]),  # a loss that barely moves: round values, not 0.716/0.724
    (0.0, 1.0, False, ["0", "0.2", "0.4", "0.6", "0.8", "1"]),
    (0.0, 17.0, False, ["0", "5", "10", "15"]),  # not steps of 4.25
    (1.0, 300.0, True, ["1", "10", "100"]),  # whole decades, not 3.16 and 31.6
    (64.0, 16384.0, True, ["100", "1,000", "10,000"]),
])
def test_chart_ticks_are_round_values(low, high, log, expected):
    from dlmagics.train.svg import _label, _log_ticks, _ticks

    ticks = _log_ticks(math.log10(low), math.log10(high)) if log else _ticks(low, high)
    assert [_label(t, log) for t in ticks] == expected


def test_the_dashboard_keeps_its_controls_above_the_curves_from_the_first_frame():
    from dlmagics.train.dashboard import Dashboard

    demo = DEMOS["xor"]
    result = runner.start(demo, demo.settings(quick=True), "")
    board = Dashboard(result, Controls(demo.settings(quick=True).lr), frames)
    order = []
    for child in board.widget.children:
        for part in getattr(child, "children", [child]):
            order.append(part)
    assert order.index(board.stop) < order.index(board.picture) and order.index(board.lr) < order.index(board.picture)
    assert "dlm-own-keys" in board.widget._dom_classes  # notebook shortcuts stay out of the slider and buttons
    before = board.picture.value
    assert "height:240px" in before and "building" not in before  # the curves' place is kept, said once
    board.waited_on(True)  # a later cell waits: the kernel reads no slider or Pause until it ends
    assert board.lr.disabled and board.pause.disabled and not board.stop.disabled
    assert "dlm-waited" in board.widget._dom_classes and "dlm-stop" in board.stop._dom_classes
    assert "Stop (or the kernel's stop button) ends the run now" in board.status.value
    result = runner.run(result)
    board.refresh(force=True)
    assert "<svg" in board.picture.value and "is waiting" not in board.status.value  # finished: no such note
    # At the end the widget itself becomes the final picture: Voila draws no display update
    # that comes after the cells ran, so the dashboard is what stays on its page.
    board.finish(final_bundle(result)["text/html"])
    (final,) = board.widget.children
    assert 'class="dlm-demo-final"' in final.value and "<svg" in final.value and "Lesson" in final.value


def test_the_loss_and_the_accuracy_charts_span_the_same_steps():
    from dlmagics.train.pictures import curves
    from dlmagics.train.svg import chart

    demo = DEMOS["optimizers"]
    result = runner.run(runner.start(demo, demo.settings(quick=True), ""))
    loss, accuracy = curves(result)
    assert loss.x_span == accuracy.x_span == (1.0, float(result.history.steps_done))
    first_eval = min(e["step"] for e in result.history.evals[result.history.names[0]])
    assert first_eval > 1  # the first test comes after some steps, yet its axis starts at step 1 too
    def x_labels(svg: str) -> list[str]:  # the centred texts but the title: the step ticks and "step"
        return [t.rsplit(">", 1)[1] for t in svg.split("</text>") if 'text-anchor="middle"' in t][1:]

    assert x_labels(chart(loss)) == x_labels(chart(accuracy)) and len(x_labels(chart(loss))) >= 3


def test_a_curve_hidden_under_an_identical_one_is_named_in_the_legend():
    from dlmagics.train.svg import legend, same_curves

    x = np.arange(1.0, 4.0)
    series = {"cpu:1": (x, np.array([2.0, 1.0, 0.5])), "cpu:2": (x, np.array([2.0, 1.0, 0.5])),
              "cpu": (x, np.array([2.0, 1.1, 0.5]))}
    same = same_curves(series)
    assert same == {"cpu:2": "cpu:1"}
    assert "cpu:2 (the same curve as cpu:1, drawn over it)" in legend(list(series), same)


class _Shown:
    """IPython's display as the Trainer uses it: returns a handle whose updates are kept."""

    def __init__(self):
        self.updates = []

    def __call__(self, obj, raw=False, display_id=False):
        return self

    def update(self, obj, raw=False):
        self.updates.append(obj)


def _until(condition, what: str, deadline_s: float = 60.0):
    """Wait for a background run to reach a state (a deadline for a loaded machine, not a timing goal)."""
    import time

    end = time.monotonic() + deadline_s
    while not condition():
        assert time.monotonic() < end, f"never saw {what}"
        time.sleep(0.01)


def test_a_pause_reaches_the_sidebar_at_once_at_the_step_it_holds_in_the_cells_words():
    from dlmagics.train.frames import progress_words
    from dlmagics.train.trainer import Trainer

    sent: list[dict] = []
    trainer = Trainer(sent.append, _Shown(), in_kernel=True)
    demo = DEMOS["xor"]
    result = trainer.run(demo, demo.settings(epochs=100000), live=True)
    try:
        _until(lambda: result.history.steps_done >= 3, "three steps")
        trainer.board.pause.value = True  # the learner presses Pause in the cell
        _until(lambda: sent[-1]["run"]["words"].startswith("paused:"), "a paused message")
        run = sent[-1]["run"]
        validate(sent[-1])
        # The step the race holds at, not the last one the once-a-second messages sent.
        assert run["step"] == result.history.steps_done
        assert run["words"] == progress_words(result, trainer.live.controls)
        assert run["words"].startswith(f"paused: step {run['step']:,} of {run['steps']:,}, about ")
        # The cell's status line says the same words (and then the learning rate).
        assert trainer.board.status.value.startswith(run["words"])
        trainer.board.pause.value = False
        _until(lambda: sent[-1]["run"]["words"].startswith("training:"), "a resumed message")
    finally:
        trainer.stop_running()
        trainer.live.finished.wait(60)
    assert sent[-1]["run"]["words"].startswith("stopped: step ")


def test_the_time_left_reads_the_same_in_the_cell_the_sidebar_and_a_waiting_cell(monkeypatch):
    from dlmagics.train import frames

    demo = DEMOS["xor"]
    result = runner.start(demo, demo.settings(quick=True), "")
    runner.run(result)
    result.status = "running"  # as if still training at its last step
    monkeypatch.setattr(frames, "seconds_left", lambda r: 147.0)
    words = run_state(result)["words"]
    assert words.endswith("about 2.5 min left") and "147" not in words
    assert frames.status_line(result).startswith(words)
    assert frames.time_left_words(result) == "about 2.5 min left"  # the waiting cell's words
