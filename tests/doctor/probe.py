"""Plain instrumentation of a corpus loop, independent of dlmagics: what really happens when it runs.

``run(loop)`` executes a loop's code in a fresh harness namespace under a ``Probe`` (PyTorch's
global module and optimizer hooks, and wrappers around the functional losses and ``F.relu``) and
returns the measured ``Signals``. The tests assert each loop's header claim on them;
``python tests/doctor/probe.py`` prints the signal table of docs/doctor-research.md.
"""

from __future__ import annotations

import contextlib
import io
import math
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn
from torch.optim import optimizer as optim_hooks

sys.path.insert(0, str(Path(__file__).parent))
import harness  # noqa: E402

LOSSES = ("cross_entropy", "nll_loss")
WEIGHTED = (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d)
TAIL = 10  # steps averaged for "at the end"
WINDOW = 8  # training batches a unit must stay at 0 through to count as dead in "dead 8b"
EPOCH1 = 40  # steps in the first epoch of most loops (1258 examples at batch 32)


def loss_input_kind(x: torch.Tensor) -> str:
    """What a classification loss was given: probabilities, log-probabilities or logits."""
    x = x.detach().float()
    if x.min() >= 0 and x.max() <= 1 and torch.allclose(x.sum(1), torch.ones(len(x)), atol=1e-3):
        return "probabilities"
    if x.max() <= 0 and x.logsumexp(1).abs().max() < 1e-3:
        return "log_probabilities"
    return "logits"


def alive(out: torch.Tensor) -> torch.Tensor:
    """Which units (dim 1) are > 0 for some example (or position) of a batch."""
    return (out.detach() > 0).transpose(0, 1).reshape(out.shape[1], -1).any(1)


def dead_fraction(out: torch.Tensor) -> float:
    """The fraction of units that are <= 0 for every example (and position) of a batch."""
    return float(1 - alive(out).float().mean())


@dataclass
class Probe:
    """Records one loop's run; use as a context manager around the exec."""

    train_losses: list = field(default_factory=list)
    eval_losses: list = field(default_factory=list)  # (optimizer steps so far, loss, batch size)
    kinds: list = field(default_factory=list)  # (loss name, input kind) of each training loss call
    classes: int = 0
    inputs: list = field(default_factory=list)  # the largest value fed to the model, each training pass
    backwards: int = 0
    steps: int = 0
    carried: list = field(default_factory=list)  # per backward after a step: were the grads still there
    grad_none: list = field(default_factory=list)  # per step: fraction of the optimizer's params without grad
    first_last: list = field(default_factory=list)  # per step: first / last weight grad norm
    updates: list = field(default_factory=list)  # per step: largest ||dw|| / ||w|| over weights
    relu_dead: list = field(default_factory=list)  # per training forward: max dead fraction over F.relu calls
    relu_dead_window: list = field(default_factory=list)  # the same, dead through the last WINDOW batches
    linear_dead: list = field(default_factory=list)  # same over Linear/Conv outputs but the last one

    def __post_init__(self):
        self._depth = 0
        self._forward = None  # dead fractions of the training forward under way: (relu, linear/conv, relu windowed)
        self._params: list = []
        self._before: list = []
        self._backward_at_step = 0
        self._alive: dict[int, list] = {}  # F.relu call number in a forward -> alive masks of recent batches

    # -- losses and F.relu ---------------------------------------------------------------------
    def _wrap_loss(self, name):
        real = getattr(F, name)

        def loss(*args, **kwargs):
            value = real(*args, **kwargs)
            x = args[0] if args else kwargs["input"]
            if value.requires_grad:
                self.train_losses.append(float(value.detach()))
                if x.is_floating_point() and x.ndim == 2:
                    self.classes = x.shape[1]
                    self.kinds.append((name, loss_input_kind(x)))
                value.register_hook(self._on_backward)
            elif value.ndim == 0:
                self.eval_losses.append((self.steps, float(value), len(x)))
            return value

        return real, loss

    def _wrap_relu(self):
        real = F.relu

        def relu(x, *args, **kwargs):
            out = real(x, *args, **kwargs)
            if self._forward is not None and out.ndim >= 2:
                relus = self._forward[0]
                recent = self._alive.setdefault(len(relus), [])
                recent[:] = [mask for mask in recent[-(WINDOW - 1):] if mask.shape == out.shape[1:2]] + [alive(out)]
                self._forward[2].append(float(1 - torch.stack(recent).any(0).float().mean()))
                relus.append(dead_fraction(out))
            return out

        return real, relu

    # -- module hooks --------------------------------------------------------------------------
    def _pre(self, module, args):
        if isinstance(module, nn.modules.loss._Loss):
            return  # nn.CrossEntropyLoss() and kin are modules too, but not the model
        if self._depth == 0 and torch.is_grad_enabled() and module.training:
            self._forward = ([], [], [])
            if args and torch.is_tensor(args[0]):
                self.inputs.append(float(args[0].detach().max()))
        self._depth += 1

    def _post(self, module, args, out):
        if isinstance(module, nn.modules.loss._Loss):
            return
        self._depth -= 1
        if self._forward is not None and isinstance(module, WEIGHTED) and out.ndim >= 2:
            self._forward[1].append(dead_fraction(out))
        if self._depth == 0 and self._forward is not None:
            relus, linears, windowed = self._forward
            self.relu_dead.append(max(relus, default=None))
            self.relu_dead_window.append(max(windowed, default=None))
            self.linear_dead.append(max(linears[:-1], default=None))  # the last one gives the logits
            self._forward = None

    # -- backward and the optimizer ------------------------------------------------------------
    def _on_backward(self, grad):
        self.backwards += 1
        if self.steps > self._backward_at_step and self._params:  # the first backward after a step
            self.carried.append(any(p.grad is not None and bool(p.grad.abs().max() > 0) for p in self._params))
        self._backward_at_step = self.steps
        return grad

    def _step_pre(self, optimizer, args, kwargs):
        params = [p for group in optimizer.param_groups for p in group["params"]]
        self._params = params
        self.grad_none.append(sum(p.grad is None for p in params) / len(params))
        weights = [p for p in params if p.ndim >= 2 and p.grad is not None]
        if len(weights) >= 2 and float(weights[-1].grad.norm()) > 0:
            self.first_last.append(float(weights[0].grad.norm() / weights[-1].grad.norm()))
        self._before = [(p, p.detach().clone()) for p in weights]

    def _step_post(self, optimizer, args, kwargs):
        self.steps += 1
        ratios = [float((p.detach() - old).norm() / old.norm()) for p, old in self._before if float(old.norm()) > 0]
        if ratios:
            self.updates.append(max(ratios))

    def __enter__(self):
        self._saved = []
        for name in LOSSES:
            real, wrapped = self._wrap_loss(name)
            self._saved.append((name, real))
            setattr(F, name, wrapped)
        real, wrapped = self._wrap_relu()
        self._saved.append(("relu", real))
        F.relu = wrapped
        self._handles = [
            nn.modules.module.register_module_forward_pre_hook(self._pre),
            nn.modules.module.register_module_forward_hook(self._post),
            optim_hooks.register_optimizer_step_pre_hook(self._step_pre),
            optim_hooks.register_optimizer_step_post_hook(self._step_post),
        ]
        return self

    def __exit__(self, *exc):
        for handle in self._handles:
            handle.remove()
        for name, real in self._saved:
            setattr(F, name, real)
        return False


@dataclass
class Signals:
    """One loop's measured signals (None where the run gave nothing to measure)."""

    name: str
    expect: str
    error: BaseException | None
    probe: Probe
    val_accuracy: float | None

    @property
    def ln_classes(self) -> float:
        return math.log(self.probe.classes or 10)

    @property
    def first_loss(self) -> float | None:
        return self.probe.train_losses[0] if self.probe.train_losses else None

    @property
    def first_nonfinite(self) -> int | None:
        """The index (from 0) of the first training loss that is NaN or inf."""
        return next((i for i, v in enumerate(self.probe.train_losses) if not math.isfinite(v)), None)

    @property
    def loss_growth(self) -> float | None:
        """The largest finite training loss over the first one."""
        finite = [v for v in self.probe.train_losses if math.isfinite(v)]
        return max(finite) / finite[0] if finite else None

    def mean(self, values: list, tail: bool = True) -> float | None:
        part = values[-TAIL:] if tail else values[:TAIL]
        part = [v for v in part if v is not None and math.isfinite(v)]
        return statistics.fmean(part) if part else None

    @property
    def loss_drop(self) -> float | None:
        """1 - (mean of the last 10 training losses) / (mean of the first 10)."""
        first, last = self.mean(self.probe.train_losses, tail=False), self.mean(self.probe.train_losses)
        return 1 - last / first if first and last is not None else None

    @property
    def val_passes(self) -> list[float]:
        """The loss of each evaluation pass: the evaluation losses between two optimizer steps,
        averaged by batch size (a pass over a val loader calls the loss once a batch)."""
        passes: dict[int, list] = {}
        for step, value, n in self.probe.eval_losses:
            passes.setdefault(step, []).append((value, n))
        return [sum(v * n for v, n in part) / sum(n for _, n in part) for part in passes.values()]

    @property
    def val_rise(self) -> float | None:
        """The last evaluation pass's loss over the lowest one (3 passes or more)."""
        losses = self.val_passes
        return losses[-1] / min(losses) if len(losses) >= 3 and min(losses) > 0 else None

    @property
    def val_over_train(self) -> float | None:
        """The last evaluation pass's loss over the training loss at the end."""
        train = self.mean(self.probe.train_losses)
        return self.val_passes[-1] / train if self.val_passes and train and train > 0 else None

    @property
    def input_max(self) -> float | None:
        return max(self.probe.inputs, default=None)

    @property
    def loss_input(self) -> tuple[str, str] | None:
        """The (loss, kind of its input) most training loss calls had."""
        kinds = self.probe.kinds
        return max(set(kinds), key=kinds.count) if kinds else None

    @property
    def carried(self) -> float | None:
        c = self.probe.carried
        return sum(c) / len(c) if c else None

    @property
    def dead_relu(self) -> float | None:
        """The largest dead fraction over F.relu calls, at the end (mean of the last 10 forwards)."""
        return self.mean(self.probe.relu_dead)

    @property
    def dead_relu_window(self) -> float | None:
        return self.mean(self.probe.relu_dead_window)

    @property
    def loss_epoch1(self) -> float | None:
        """The mean training loss over the last 10 steps of the first epoch (steps 31 to 40), / ln C."""
        part = self.probe.train_losses[EPOCH1 - TAIL:EPOCH1]
        return self.mean(part) / self.ln_classes if len(part) == TAIL and self.mean(part) is not None else None

    @property
    def dead_linear(self) -> float | None:
        return self.mean(self.probe.linear_dead)

    @property
    def first_last_grad(self) -> float | None:
        fl = self.probe.first_last
        return statistics.median(fl) if fl else None

    @property
    def update_ratio(self) -> float | None:
        u = [v for v in self.probe.updates if math.isfinite(v)]
        return statistics.median(u) if u else None


def run(loop: harness.Loop, seed: int = 0) -> Signals:
    """Run one loop under a Probe; an exception in it is kept, not raised."""
    namespace = harness.namespace(seed)
    error = None
    with Probe() as probe, contextlib.redirect_stdout(io.StringIO()):  # the loop's prints
        try:
            exec(compile(loop.code, f"<loop {loop.name}>", "exec"), namespace)
        except Exception as caught:  # the loop's own error is what some loops are about
            error = caught
    accuracy = harness.val_accuracy(namespace) if error is None and isinstance(namespace.get("model"), nn.Module) else None
    return Signals(loop.name, loop.expect, error, probe, accuracy)


COLUMNS = {
    "loss0/lnC": lambda s: s.first_loss / s.ln_classes if s.first_loss is not None else None,
    "max/loss0": lambda s: s.loss_growth,
    "1st NaN": lambda s: s.first_nonfinite,
    "ep1/lnC": lambda s: s.loss_epoch1,
    "end/lnC": lambda s: s.mean(s.probe.train_losses) / s.ln_classes if s.mean(s.probe.train_losses) else None,
    "in max": lambda s: s.input_max,
    "loss in": lambda s: s.loss_input and {"probabilities": "prob", "log_probabilities": "logp", "logits": "logit"}[s.loss_input[1]],
    "carried": lambda s: s.carried,
    "no grad": lambda s: max(s.probe.grad_none, default=None),
    "steps/bw": lambda s: f"{s.probe.steps}/{s.probe.backwards}",
    "dead relu": lambda s: s.dead_relu,
    "dead 8b": lambda s: s.dead_relu_window,
    "dead lin": lambda s: s.dead_linear,
    "g1/gL": lambda s: s.first_last_grad,
    "dw/w": lambda s: s.update_ratio,
    "val rise": lambda s: s.val_rise,
    "val/train": lambda s: s.val_over_train,
    "val acc": lambda s: s.val_accuracy,
}


def cell(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.2g}" if value != 0 and (abs(value) < 0.01 or abs(value) >= 1000) else f"{value:.2f}"
    return str(value)


def table(runs_by_seed: list[list[Signals]]) -> str:
    """The signals as a Markdown table, a row a loop that trains (those that raise have none);
    over several seeds a numeric cell reads 'low..high'."""
    rows = ["| loop | expect | " + " | ".join(COLUMNS) + " |", "|---" * (len(COLUMNS) + 2) + "|"]
    for runs in zip(*runs_by_seed):
        first = runs[0]
        if first.error is not None:
            continue  # a loop that raises has no signals to show
        values = []
        for f in COLUMNS.values():
            found = [f(s) for s in runs]
            numbers = [v for v in found if isinstance(v, (int, float)) and not isinstance(v, bool)]
            if len(numbers) == len(found) and numbers and not all(math.isnan(v) for v in numbers):
                lo, hi = min(numbers), max(numbers)
                values.append(cell(lo) if cell(lo) == cell(hi) else f"{cell(lo)}..{cell(hi)}")
            else:
                values.append(cell(found[0]))
        rows.append(f"| {first.name} | {first.expect} | " + " | ".join(values) + " |")
    return "\n".join(rows)


if __name__ == "__main__":
    torch.set_num_threads(1)
    seeds = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    print(table([[run(loop, seed) for loop in harness.loops()] for seed in range(seeds)]))
