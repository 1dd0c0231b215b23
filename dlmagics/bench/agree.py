"""Do the devices compute the same thing? Compare the last tensor the timed code assigns.

The comparison is norm-wise: the largest difference over the largest value of the
reference (the first device), with a tolerance set by the precision: low-precision
formats and TF32 round far more than FP32, and sums over long rows round differently on
different devices, so an exact match is neither expected nor useful.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

TOLERANCE = {"float64": 1e-10, "float32": 1e-4, "tf32": 1e-2, "float16": 1e-2, "bfloat16": 5e-2}


def last_assigned_name(source: str) -> str | None:
    """The name the code assigns last outside functions and classes (``y`` in
    ``y = x @ x``, also inside ``with torch.no_grad():`` or a loop)."""
    name = None
    for node in _statements(ast.parse(source).body):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Name):
                name = target.id
            elif isinstance(target, ast.Tuple) and target.elts and isinstance(target.elts[-1], ast.Name):
                name = target.elts[-1].id
    return name


def _statements(body: list):
    """Statements in order, entering with/for/while/if/try blocks but not definitions."""
    for node in body:
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for block in ("body", "orelse", "finalbody"):
            yield from _statements(getattr(node, block, []))
        for handler in getattr(node, "handlers", []):
            yield from _statements(handler.body)


def keep_output(value):
    """A CPU copy of a tensor result (None for anything else), to compare after the run."""
    import torch

    if isinstance(value, torch.Tensor):
        return value.detach().to("cpu", copy=True)
    return None


@dataclass(frozen=True)
class Agreement:
    device: str
    reference: str
    error: float | None  # largest |difference| / largest |reference value|; None: shapes differ
    tolerance: float
    note: str = ""

    @property
    def agrees(self) -> bool:
        return self.error is not None and self.error <= self.tolerance

    def to_dict(self) -> dict:
        return {"device": self.device, "reference": self.reference, "error": self.error,
                "tolerance": self.tolerance, "agrees": self.agrees, "note": self.note}


def compare(device: str, reference: str, out, ref, precision: str) -> Agreement:
    import torch

    tolerance = TOLERANCE.get(precision, 1e-4)
    if out.shape != ref.shape:
        return Agreement(device, reference, None, tolerance, f"shapes differ: {tuple(out.shape)} vs {tuple(ref.shape)}")
    if not (out.is_floating_point() or out.is_complex()) and not (ref.is_floating_point() or ref.is_complex()):
        error = 0.0 if torch.equal(out, ref) else 1.0
        return Agreement(device, reference, error, 0.0, "compared exactly (not floating point)")
    a, b = out.to(torch.float64), ref.to(torch.float64)
    nan_a, nan_b = torch.isnan(a), torch.isnan(b)
    if not torch.equal(nan_a, nan_b):
        return Agreement(device, reference, None, tolerance, "NaNs in different places")
    a, b = a[~nan_a], b[~nan_b]
    if a.numel() == 0:
        return Agreement(device, reference, 0.0, tolerance)
    scale = b.abs().max().item()
    diff = (a - b).abs().max().item()
    return Agreement(device, reference, diff / scale if scale > 0 else diff, tolerance)
