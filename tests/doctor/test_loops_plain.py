"""The doctor's corpus without the doctor: each loop in loops/ run with plain exec (no dlmagics)
under plain hooks (probe.py), asserting that the behaviour its header claims is real. A planted
bug that PyTorch quietly tolerates, or a "healthy" loop that does not learn, fails here first."""

from __future__ import annotations

import math
import re

import pytest
import torch

import harness
import probe

CHANCE = 0.2  # ten classes: 0.1, with room for a lucky split

# What PyTorch raises for each error_* key: the exception type and a part of its message.
ERRORS = {
    "error_target_dtype": (RuntimeError, r"target dtype to be Long"),
    "error_target_shape": (RuntimeError, r"floating point type for target with class probabilities"),
    "error_target_range": (IndexError, r"Target \d+ is out of bounds"),
    "error_shapes": (RuntimeError, r"shapes cannot be multiplied"),
    "error_flatten": (RuntimeError, r"shapes cannot be multiplied"),
    "error_channels": (RuntimeError, r"to have \d+ channels, but got \d+ channels"),
    "error_dtype_mismatch": (RuntimeError, r"must have the same dtype"),
    "error_out_of_memory": (torch.OutOfMemoryError, r"out of memory"),
}


def trained(s: probe.Signals) -> None:
    assert s.error is None, f"{s.name} raised {s.error!r}"
    assert s.probe.train_losses, f"{s.name}: no training loss was computed"


def healthy(s):
    trained(s)
    assert all(math.isfinite(v) for v in s.probe.train_losses)
    assert s.probe.steps > 0 and not any(s.probe.carried) and max(s.probe.grad_none) == 0
    assert 0.8 < s.first_loss / s.ln_classes < 1.3, "the loss at init is near ln(classes)"
    assert s.input_max < 10, "the inputs are scaled (0..1, or standardised)"
    assert s.val_accuracy > 0.8, f"{s.name} reached only {s.val_accuracy:.2f} on X_val"


def nonfinite_loss(s):
    trained(s)
    assert s.first_nonfinite is not None and s.first_nonfinite < 20, "a NaN/inf loss within the first 20 steps"


def exploding_loss(s):
    trained(s)
    assert s.first_nonfinite is None, "the loss stays finite: it explodes, it is not NaN"
    assert s.loss_growth > 1e3


def missing_zero_grad(s):
    trained(s)
    assert s.probe.carried and all(s.probe.carried), "every backward after a step found the old gradients"


def no_step(s):
    trained(s)
    assert s.probe.steps == 0 and s.probe.backwards > 0
    assert s.val_accuracy < CHANCE


def optimizer_other_params(s):
    trained(s)
    assert s.probe.steps > 0 and min(s.probe.grad_none) == 1.0, "no parameter of the optimizer ever had a gradient"
    assert s.val_accuracy < CHANCE


def input_unscaled(s):
    trained(s)
    assert s.input_max > 100, "the model is fed 0..255"


def softmax_before_loss(s):
    trained(s)
    loss, kind = s.loss_input
    if loss == "cross_entropy":
        assert kind == "probabilities"
        floor = math.log(math.e + s.probe.classes - 1) - 1  # cross-entropy over probabilities is never lower
        assert min(s.probe.train_losses) > floor
    else:
        assert loss == "nll_loss" and kind != "log_probabilities"
        assert min(s.probe.train_losses) < 0, "NLLLoss of non-log-probabilities goes below zero"


def lr_too_low(s):
    trained(s)
    assert s.update_ratio < 1e-5 and abs(s.loss_drop) < 0.05
    assert s.val_accuracy < CHANCE


def vanishing_gradients(s):
    trained(s)
    assert s.first_last_grad < 1e-4, "the first layer's gradient is a ten-thousandth of the last one's or less"
    assert s.val_accuracy < CHANCE


def dead_relu(s):
    trained(s)
    first_epoch = [v for v in s.probe.relu_dead[: len(s.probe.relu_dead) // 2] if v is not None]  # of two
    assert max(first_epoch, default=0) >= 0.9 and (s.dead_relu or 0) >= 0.9, "most units of a ReLU layer are 0 for every input"


def not_learning(s):
    trained(s)
    assert s.val_accuracy < CHANCE and s.mean(s.probe.train_losses) / s.ln_classes > 0.9


def overfitting(s):
    trained(s)
    assert s.mean(s.probe.train_losses) < 0.01
    assert s.val_rise > 1.2 and s.val_over_train > 100


def initial_loss(s):
    trained(s)
    assert s.first_loss / s.ln_classes > 3


CLAIMS = {f.__name__: f for f in (
    nonfinite_loss, exploding_loss, missing_zero_grad, no_step, optimizer_other_params, input_unscaled,
    softmax_before_loss, lr_too_low, vanishing_gradients, dead_relu, not_learning, overfitting, initial_loss,
)} | {"none": healthy}

LOOPS = harness.loops(all_devices=True)


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """One thread, as on CI's runners; the same sums in the same order on every machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.mark.parametrize("loop", LOOPS, ids=[loop.name for loop in LOOPS])
def test_the_header_claim_is_real(loop):
    if loop.needs == "cuda" and not torch.cuda.is_available():
        pytest.skip("a GPU out-of-memory error needs a GPU")
    signals = probe.run(loop)
    if loop.expect in ERRORS:
        kind, message = ERRORS[loop.expect]
        assert isinstance(signals.error, kind), f"{loop.name} raised {signals.error!r}"
        assert re.search(message, str(signals.error)), str(signals.error)
    else:
        CLAIMS[loop.expect](signals)
        for consequence in loop.also:  # a finding named after the expected one must be true too
            CLAIMS[consequence](signals)


def test_the_corpus_covers_the_findings():
    expects = [loop.expect for loop in LOOPS]
    assert expects.count("none") >= 6
    assert len(expects) - expects.count("none") >= 14
    assert set(CLAIMS) - {"none"} <= set(expects), "every finding the doctor has gets at least one loop"
    also = {key for loop in LOOPS for key in loop.also}
    assert set(expects) | also <= set(CLAIMS) | set(ERRORS), "every key in a header has its claim checked here"


def test_a_header_is_checked(tmp_path):
    bad = tmp_path / "loop.py"
    bad.write_text("# expect: none\n# bug: a healthy loop cannot have a bug\nmodel = None\n")
    with pytest.raises(ValueError, match="expect: none"):
        harness.read(bad)
    bad.write_text("import torch\n")
    with pytest.raises(ValueError, match="header needs"):
        harness.read(bad)
