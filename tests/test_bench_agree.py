"""Do the devices agree? The compared variable, and the precision-aware comparison."""

import pytest

torch = pytest.importorskip("torch")

from dlmagics.bench.agree import compare, last_assigned_name  # noqa: E402


@pytest.mark.parametrize("source, name", [
    ("y = x @ x", "y"),
    ("a = 1\nb = a + 1\n", "b"),
    ("out = model(x)\nloss: float = out.sum()", "loss"),
    ("y = x\ny += 1", "y"),
    ("h, c = lstm(x)", "c"),
    ("x.add_(1)", None),
    ("def f():\n    z = 1\n", None),  # not inside definitions
    ("with torch.no_grad():\n    y = model(x)\n", "y"),
    ("for i in range(3):\n    out = f(i)\nelse:\n    last = out\n", "last"),
])
def test_the_last_assigned_name(source, name):
    assert last_assigned_name(source) == name


def test_float32_results_within_tolerance_agree_and_others_do_not():
    ref = torch.randn(64, 64)
    close = compare("cuda:0", "cpu", ref * (1 + 1e-6), ref, "float32")
    assert close.agrees and close.error < 1e-5
    far = compare("cuda:0", "cpu", ref + 0.01 * ref.abs().max(), ref, "float32")
    assert not far.agrees and far.error == pytest.approx(0.01, rel=1e-3)


def test_low_precision_gets_a_looser_tolerance():
    ref = torch.randn(256)
    rounded = ref.to(torch.bfloat16).float()
    assert not compare("cuda:0", "cpu", rounded, ref, "float32").agrees
    assert compare("cuda:0", "cpu", rounded, ref, "bfloat16").agrees


def test_shapes_nans_and_integers():
    a = torch.ones(3)
    assert "shapes differ" in compare("x", "y", torch.ones(4), a, "float32").note
    nan_here = torch.tensor([1.0, float("nan")])
    result = compare("x", "y", nan_here, torch.tensor([1.0, 2.0]), "float32")
    assert not result.agrees and result.error is None and "NaN" in result.note
    assert compare("x", "y", nan_here, nan_here.clone(), "float32").agrees  # NaN in the same place
    assert compare("x", "y", torch.arange(5), torch.arange(5), "float32").agrees
    assert not compare("x", "y", torch.arange(5), torch.arange(5) + 1, "float32").agrees
