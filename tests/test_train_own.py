"""%%train through IPython (headless: trained here and now): bad input in one line, the
cell's loops found in many spellings, Stop and Ctrl-C, a second model, an error in the
learner's code, and PyTorch left as it was found."""

from __future__ import annotations

import threading

import pytest
import torch
from IPython.core.error import UsageError
from torch.nn import functional as F

from dlmagics.train import cellcode, own
from dlmagics.train.engine import Controls

pytestmark = pytest.mark.timeout(120)

SETUP = """
import torch
from torch import nn
torch.manual_seed(0)
X = torch.randn(256, 8)
Y = (X[:, 0] > 0).long()
model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 2))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
"""

LOOP = """
for epoch in range(3):
    for i in range(0, 256, 32):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(X[i:i + 32]), Y[i:i + 32])
        loss.backward()
        optimizer.step()
"""


@pytest.fixture
def ip(shell):
    shell.run_line_magic("load_ext", "dlmagics")
    shell.run_cell(SETUP + "from torch.nn import functional as F\n")
    return shell


def usage(ip, line: str, cell: str) -> str:
    with pytest.raises(UsageError) as caught:
        ip.run_cell_magic("train", line, cell)
    message = str(caught.value)
    assert "\n" not in message and message.startswith("%%train")
    return message


def test_bad_input_gets_one_line(ip):
    assert "--doctor maybe: on or off" in usage(ip, "--doctor maybe", LOOP)
    assert "unrecognized arguments: --frob" in usage(ip, "--frob", LOOP)
    assert "this cell trains nothing" in usage(ip, "", "x = 1\ny = x + 1")
    assert "is empty" in usage(ip, "", "   \n")


def test_a_healthy_loop_trains_with_its_epochs_and_no_finding(ip, capsys):
    result = ip.run_cell_magic("train", "", LOOP)
    h = result.history
    assert result.status == "finished" and result.findings == [] and result.error is None
    assert (h.batches_done, h.steps, h.epochs_planned, h.batches_per_epoch, h.epoch_starts) == (24, 24, 3, 8, [0, 8, 16])
    assert h.lr == [0.1] * 24 and result.classes == 2 and result.model_name == "model"
    assert sum(map(sum, result.confusion)) == 32 * 8  # the last epoch's training batches
    assert result.final["train_accuracy"] > 0.6
    assert "the doctor found nothing wrong" in capsys.readouterr().out


def test_pytorch_is_left_as_it_was_found_however_the_cell_ends(ip):
    before = (F.cross_entropy, F.relu, torch.optim.Optimizer.zero_grad, torch.nn.Module.zero_grad)
    from torch.optim import optimizer as optim_module
    from torch.nn.modules import module as module_module

    hooks = (dict(optim_module._global_optimizer_pre_hooks), dict(optim_module._global_optimizer_post_hooks),
             dict(module_module._global_forward_pre_hooks), dict(module_module._global_forward_hooks))
    for cell in (LOOP, LOOP.replace("loss.backward()", "raise ValueError('mine')")):
        ip.run_cell_magic("train", "", cell)
        assert (F.cross_entropy, F.relu, torch.optim.Optimizer.zero_grad, torch.nn.Module.zero_grad) == before
        assert (dict(optim_module._global_optimizer_pre_hooks), dict(optim_module._global_optimizer_post_hooks),
                dict(module_module._global_forward_pre_hooks), dict(module_module._global_forward_hooks)) == hooks
        assert not ip.user_ns["model"]._forward_pre_hooks and not ip.user_ns["model"][1]._forward_hooks
        assert ip.user_ns[cellcode.LOOP] is cellcode.passthrough  # what the cell defined runs later as it is


def test_an_error_in_the_learners_code_is_kept_with_what_the_cell_made(ip, capsys):
    cell = LOOP.replace("    for i in range", "    made = epoch\n    for i in range").replace(
        "optimizer.step()", "optimizer.step()\n        if epoch == 1: {}['missing']")
    result = ip.run_cell_magic("train", "", cell)
    assert result.status == "failed" and result.error == "KeyError: 'missing'"
    assert "<%%train cell>" in result.traceback and "KeyError" in result.traceback
    assert result.history.batches_done == 9 and ip.user_ns["made"] == 1  # trained and made so far: kept
    out = capsys.readouterr().out
    assert "the original error: KeyError: 'missing'" in out
    ip.run_cell("alive = 1 + 1")
    assert ip.user_ns["alive"] == 2


def test_a_second_model_is_named_in_one_line_and_the_first_is_followed(ip):
    cell = """
other = nn.Sequential(nn.Linear(8, 2))
other_optimizer = torch.optim.Adam(other.parameters())
for i in range(0, 256, 32):
    for net, opt in ((model, optimizer), (other, other_optimizer)):
        opt.zero_grad()
        F.cross_entropy(net(X[i:i + 32]), Y[i:i + 32]).backward()
        opt.step()
"""
    result = ip.run_cell_magic("train", "", cell)
    assert result.status == "finished" and result.history.batches_done == 8 and result.history.steps == 8
    assert result.notes == ["this cell trains 2 models (model, other): %%train follows the first, model; "
                            "give each model its own %%train cell to watch it"]


def test_a_cell_without_training_says_so(ip):
    result = ip.run_cell_magic("train", "", "print('no training here')")
    assert result.status == "finished" and result.notes[0].startswith("%%train saw no training in this cell")


@pytest.mark.parametrize("loop, epochs, per_epoch", [
    ("for epoch in range(1, 4):\n    for xb, yb in batches:\n        step(xb, yb)", 3, 4),
    ("for epoch in range(2):\n    for i, (xb, yb) in enumerate(batches):\n        step(xb, yb)", 2, 4),
    ("EPOCHS = 2\nfor e in range(EPOCHS):\n    train_epoch()", 2, 4),
    ("for xb, yb in batches:\n    step(xb, yb)", None, 4),
    ("n = 0\nwhile n < 2:\n    n += 1\n    for xb, yb in batches:\n        step(xb, yb)", None, 4),
    ("def gen():\n    while True:\n        yield from batches\nfor k, (xb, yb) in enumerate(gen()):\n"
     "    step(xb, yb)\n    if k == 9: break", None, None),
])
def test_epochs_and_batches_are_seen_in_many_spellings(ip, loop, epochs, per_epoch):
    cell = ("batches = [(X[i:i + 64], Y[i:i + 64]) for i in range(0, 256, 64)]\n"
            "def step(xb, yb):\n    optimizer.zero_grad()\n    loss = F.cross_entropy(model(xb), yb)\n"
            "    loss.backward()\n    optimizer.step()\n"
            "def train_epoch():\n    for xb, yb in batches:\n        optimizer.zero_grad()\n"
            "        F.cross_entropy(model(xb), yb).backward()\n        optimizer.step()\n" + loop)
    result = ip.run_cell_magic("train", "", cell)
    h = result.history
    assert result.status == "finished", result.traceback
    assert (h.epochs_planned, h.batches_per_epoch) == (epochs, per_epoch)
    if epochs:
        assert h.epoch_starts == [4 * e for e in range(epochs)] and h.batches_planned == epochs * per_epoch


def test_stop_ends_an_endless_loop_between_steps_and_ctrl_c_keeps_the_history(ip):
    endless = "while True:\n    optimizer.zero_grad()\n    F.cross_entropy(model(X), Y).backward()\n    optimizer.step()\n"
    controls = Controls(0.0)
    result = own.start("%%train")
    steps = []

    def on_step(r):
        steps.append(r.history.steps)
        if r.history.steps == 5 and steps.count(5) == 1:
            threading.Thread(target=controls.stop).start()  # as the Stop button does, from another thread

    own.run_cell(result, endless, ip.user_ns, controls, on_step)
    assert result.status == "stopped" and result.history.steps >= 5 and result.error is None

    interrupted = own.start("%%train")
    own.run_cell(interrupted, endless.replace("optimizer.step()\n", "optimizer.step()\n    raise KeyboardInterrupt\n"),
                 ip.user_ns)
    assert interrupted.status == "interrupted" and interrupted.history.steps == 1


def test_a_headless_run_prints_each_finding_as_a_line_when_found(ip, capsys):
    ip.run_cell_magic("train", "", LOOP.replace("optimizer.zero_grad()", "pass"))
    out = capsys.readouterr().out.splitlines()
    found = [line for line in out if line.startswith("doctor (")]
    assert len(found) == 2 and "zero_grad() is never called" in found[0]  # when found, and in the summary
    assert out.index(found[0]) < out.index(next(line for line in out if line.startswith("%%train of model")))


def test_the_doctor_off_finds_nothing_and_quiet_shows_only_the_end(ip, capsys):
    result = ip.run_cell_magic("train", "--doctor off --quiet", LOOP.replace("optimizer.zero_grad()", "pass"))
    assert result.findings == [] and not result.doctor
    assert "zero_grad" not in capsys.readouterr().out


def test_the_final_picture_keeps_curves_confusion_findings_and_the_sidebar_reads_the_run(ip):
    from conftest import validate
    from dlmagics.protocol import training_message
    from dlmagics.train import own_frames

    cell = LOOP.replace("optimizer.zero_grad()", "pass").replace(
        "        optimizer.step()\n", "        optimizer.step()\n    with torch.no_grad():\n"
        "        model.eval(); F.cross_entropy(model(X), Y); model.train()\n")
    result = ip.run_cell_magic("train", "--quiet", cell)
    assert [e["epoch"] for e in result.history.evals] == [1, 2, 3] and result.confusion is not None
    bundle = own_frames.final_bundle(result)
    assert set(bundle) == {"text/plain", "text/html", "image/png"}
    html = bundle["text/html"]
    assert 'class="dlm-doctor"' in html and 'data-key="missing_zero_grad"' in html and "confusion matrix" in html
    assert "validation" in html and "<svg" in html
    assert result.findings[0].line() in bundle["text/plain"]
    message = training_message(own_frames.run_state(result))
    validate(message)
    assert message["run"]["findings"] == [result.findings[0].line()] and message["run"]["status"] == "finished"
    assert message["run"]["words"].startswith("finished: epoch 3 of 3, batch 24 of 24")


def test_a_failed_cell_shows_the_doctors_sentence_and_the_original_error_one_click_away(ip):
    from dlmagics.train import own_frames

    result = ip.run_cell_magic("train", "--quiet", LOOP.replace("Y[i:i + 32])", "Y[i:i + 32].float())"))
    assert result.status == "failed" and result.explanation.key == "error_target_dtype"
    html = own_frames.final_bundle(result)["text/html"]
    assert "<details><summary>the original error</summary>" in html and "expected target dtype" in html
    assert 'data-key="error_target_dtype"' in html


SYNCS = {"item", "tolist", "__float__", "__bool__", "__int__", "cpu", "numpy"}


def test_between_reads_and_sampled_steps_the_watch_never_waits_for_the_device(ip, monkeypatch):
    """What makes a CUDA loop wait for its GPU (reading a value: .item(), float(), .tolist(),
    bool()) happens only at the throttled reads, the first steps' checks and the sampled
    steps: here reads are put off to the end, and every other step must read nothing."""
    from torch.optim.optimizer import register_optimizer_step_post_hook
    from torch.overrides import TorchFunctionMode

    monkeypatch.setattr(own, "READ_EVERY_S", 1e9)
    monkeypatch.setattr(own, "on_host", lambda tensor: False)  # as if the loop ran on a GPU
    steps, reads = [0], {}

    class Reads(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            if getattr(func, "__name__", "") in SYNCS:
                reads[steps[0]] = reads.get(steps[0], 0) + 1
            return func(*args, **(kwargs or {}))

    def count(*_):
        steps[0] += 1

    handle = register_optimizer_step_post_hook(count)
    result = own.start("%%train")
    try:
        with Reads():
            own.run_cell(result, LOOP.replace("range(3)", "range(40)"), ip.user_ns)
    finally:
        handle.remove()
    assert result.status == "finished" and result.history.steps == 320 == steps[0]
    sampled = {s for p in result.sampled_steps for s in (p - 1, p)}
    quiet = [s for s in reads if 5 < s < 320 and s not in sampled]
    assert quiet == [], (quiet, sorted(sampled))
    assert len(sampled) < 40  # the sampled steps are few


def test_a_function_the_cell_defined_runs_later_without_train(ip):
    cell = ("def train_epoch():\n    for i in range(0, 256, 64):\n        optimizer.zero_grad()\n"
            "        F.cross_entropy(model(X[i:i + 64]), Y[i:i + 64]).backward()\n        optimizer.step()\n"
            "train_epoch()\n")
    assert ip.run_cell_magic("train", "", cell).history.batches_per_epoch == 4
    ip.run_cell("train_epoch(); later = 'ran'")
    assert ip.user_ns["later"] == "ran"


def test_a_loss_with_gradients_on_a_model_in_eval_is_training_when_a_step_follows(ip):
    """Batch norm kept frozen, or model.train() forgotten after a validation: still training;
    a validation without no_grad(): still a validation."""
    cell = LOOP.replace("for epoch in range(3):\n", "for epoch in range(3):\n    model.eval()\n").replace(
        "        optimizer.step()\n", "        optimizer.step()\n    val = F.cross_entropy(model(X), Y)\n")
    result = ip.run_cell_magic("train", "", cell)
    h = result.history
    assert (h.batches_done, h.steps, len(h.evals)) == (24, 24, 3) and result.notes == [] and result.findings == []


def test_two_heads_of_different_widths_are_watched_whole(ip):
    cell = LOOP.replace("loss = F.cross_entropy(model(X[i:i + 32]), Y[i:i + 32])",
                        "out = model(X[i:i + 32])\n        loss = F.cross_entropy(out, Y[i:i + 32]) + "
                        "F.cross_entropy(out[:, :1].repeat(1, 3), Y[i:i + 32] % 3)")
    result = ip.run_cell_magic("train", "", cell)
    h = result.history
    assert result.status == "finished" and h.steps == 24 and h.batches_done == 48 and h.batches_passed == 24
    assert result.classes == 2 and sum(map(sum, result.confusion)) == 256  # the 2-class head's
    assert h.batches_planned == 24
