"""The number format a run computes in, and the settings that silently change it.

``--dtype float32`` means true FP32 everywhere (TF32 off); ``--dtype tf32`` lets CUDA
matmuls round inputs to TF32 (about 7x faster on A100 and later). Without ``--dtype`` the
cell runs in float32 under the kernel's own TF32 setting, and the report says which.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

CHOICES = ("float32", "tf32", "bfloat16", "float16", "float64")


class PrecisionError(ValueError):
    pass


@dataclass(frozen=True)
class Precision:
    name: str  # one of CHOICES: what the GPU computes in
    forced: bool  # given with --dtype: the TF32 setting is set for the run, not inherited

    @property
    def torch_dtype(self):
        import torch

        return getattr(torch, "float32" if self.name == "tf32" else self.name)

    def on(self, kind: str) -> str:
        """The precision a device kind really uses: TF32 exists only on CUDA."""
        return "float32" if self.name == "tf32" and kind != "cuda" else self.name


def parse_precision(text: str | None) -> Precision:
    if text is None:
        return Precision("tf32" if tf32_matmul() else "float32", forced=False)
    name = text.strip().lower().removeprefix("torch.")
    name = {"fp32": "float32", "fp16": "float16", "half": "float16", "bf16": "bfloat16",
            "fp64": "float64", "double": "float64", "float": "float32"}.get(name, name)
    if name not in CHOICES:
        raise PrecisionError(f"unknown dtype '{text}': use {', '.join(CHOICES)}")
    return Precision(name, forced=True)


def tf32_matmul() -> bool:
    import torch

    return torch.get_float32_matmul_precision() != "highest"


@contextmanager
def applied(precision: Precision) -> Iterator[None]:
    """Factories default to the precision's dtype, and TF32 is as asked, for the run only."""
    import torch

    dtype_before = torch.get_default_dtype()
    matmul_before = torch.get_float32_matmul_precision()
    torch.set_default_dtype(precision.torch_dtype)
    if precision.forced:
        torch.set_float32_matmul_precision("high" if precision.name == "tf32" else "highest")
    try:
        yield
    finally:
        torch.set_default_dtype(dtype_before)
        torch.set_float32_matmul_precision(matmul_before)
