"""The race: every contender takes one step on its own batch, in turn, until the steps run out.

The loop never prints and never touches a widget. It reads ``Controls`` (learning rate,
pause, stop) at each step boundary, so a slider moved mid-run takes effect at the next step,
and it calls ``on_step`` so a view can draw. The history keeps every step.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

import torch
from torch import nn

from .data import Dataset
from .nets import RBM, linear_layers

OPTIMIZERS = {
    "sgd": lambda params, lr: torch.optim.SGD(params, lr=lr),
    "momentum": lambda params, lr: torch.optim.SGD(params, lr=lr, momentum=0.9),
    "adam": lambda params, lr: torch.optim.Adam(params, lr=lr),
    "adamw": lambda params, lr: torch.optim.AdamW(params, lr=lr, weight_decay=0.05),
}


class Controls:
    """What a dashboard (or a test) changes while a race runs. Safe from any thread."""

    def __init__(self, lr: float):
        self._lr = lr
        self._lock = threading.Lock()
        # Called on the training thread when a pause takes hold (the step it stopped at is
        # final) and when it ends, so that every view can say so at once.
        self.on_hold: Callable[[], None] | None = None
        self.stop_requested = threading.Event()
        self.stop_reason = "stopped"
        self._running = threading.Event()
        self._running.set()

    @property
    def lr(self) -> float:
        with self._lock:
            return self._lr

    def set_lr(self, lr: float) -> None:
        with self._lock:
            self._lr = float(lr)

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    def stop(self, reason: str = "stopped") -> None:
        """``reason``: "stopped" (a Stop button) or "interrupted" (the kernel's interrupt)."""
        self.stop_reason = reason
        self.stop_requested.set()
        self._running.set()  # a paused race must wake up to stop

    def wait_while_paused(self) -> None:
        if self._running.is_set():
            return
        if self.on_hold is not None:
            self.on_hold()
        while not self._running.wait(0.1):
            pass
        if self.on_hold is not None:
            self.on_hold()


class BatchStream:
    """Shuffled minibatches, epoch after epoch, in an order fixed by the seed."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor, batch_size: int, seed: int):
        self.x, self.y = x, y
        self.batch_size = min(batch_size, len(x))
        self.generator = torch.Generator().manual_seed(seed)
        self._order: torch.Tensor | None = None
        self._at = 0

    def next(self) -> tuple[torch.Tensor, torch.Tensor]:
        if self._order is None or self._at + self.batch_size > len(self._order):
            self._order, self._at = torch.randperm(len(self.x), generator=self.generator), 0
        index = self._order[self._at:self._at + self.batch_size]
        self._at += self.batch_size
        return self.x[index], self.y[index]


@dataclass
class Contender:
    """One runner in the race: a model, how it learns, and on what.

    ``lr_scale`` multiplies the race's learning rate (the slider moves every contender
    together). ``data`` replaces the race's training set (``datascale``); ``device`` and
    ``threads`` where it runs (``hardware``); ``augment`` changes each training batch.
    """

    name: str
    model: nn.Module
    optimizer: str = "sgd"
    lr_scale: float = 1.0
    data: Dataset | None = None
    device: str = "cpu"
    threads: int | None = None
    grad_norms: bool = False
    augment: Callable[[torch.Tensor, torch.Generator], torch.Tensor] | None = None
    frozen: tuple[str, ...] = ()  # parameter name prefixes that do not learn

    def __post_init__(self):
        self.model.to(self.device)
        for name, param in self.model.named_parameters():
            param.requires_grad_(not name.startswith(self.frozen) if self.frozen else True)
        self._optimizer = None
        self._loss = nn.CrossEntropyLoss()

    @property
    def is_rbm(self) -> bool:
        return isinstance(self.model, RBM)

    def start(self, lr: float) -> None:
        if not self.is_rbm:
            params = [p for p in self.model.parameters() if p.requires_grad]
            self._optimizer = OPTIMIZERS[self.optimizer](params, lr * self.lr_scale)

    def set_lr(self, lr: float) -> None:
        if self._optimizer is not None:
            for group in self._optimizer.param_groups:
                group["lr"] = lr * self.lr_scale

    def train_step(self, x, y, lr: float, generator: torch.Generator) -> tuple[float, list[float] | None]:
        """One step on a batch: (its loss, per-layer gradient norms when asked for)."""
        x, y = x.to(self.device, non_blocking=True), y.to(self.device, non_blocking=True)
        if self.is_rbm:
            return self.model.contrastive_divergence(x.flatten(1), lr * self.lr_scale), None
        if self.augment is not None:
            x = self.augment(x, generator)
        self.model.train()
        self._optimizer.zero_grad(set_to_none=True)
        loss = self._loss(self.model(x), y)
        loss.backward()
        norms = None
        if self.grad_norms:
            norms = [float(m.weight.grad.norm()) for m in linear_layers(self.model)]
        self._optimizer.step()
        return loss.item(), norms

    @torch.no_grad()
    def evaluate(self, x, y) -> dict:
        """Loss and accuracy on a set (an RBM: its reconstruction error)."""
        x, y = x.to(self.device), y.to(self.device)
        if self.is_rbm:
            v = x.flatten(1)
            return {"loss": float(((v - self.model.reconstruct(v)) ** 2).mean())}
        self.model.eval()
        logits = self.model(x)
        return {"loss": float(self._loss(logits, y)), "accuracy": float((logits.argmax(1) == y).float().mean())}

    def sync(self) -> None:
        if self.device.startswith("cuda"):
            torch.cuda.synchronize(self.device)


@dataclass
class Plan:
    """What a demo hands the race: its contenders, data and length."""

    contenders: list[Contender]
    data: Dataset
    steps: int
    batch_size: int
    eval_every: int = 0  # 0: about 40 evaluations over the run, and at least every 50 steps
    eval_limit: int = 2000  # evaluate on at most this many examples of each set
    notes: dict = field(default_factory=dict)  # what a demo's panel needs (e.g. data sizes)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.contenders]

    def __post_init__(self):
        if self.eval_every <= 0:
            self.eval_every = max(1, min(self.steps // 40, 50))


@dataclass
class History:
    """Every step of a race: what the loop recorded, in plain lists (safe to read while it runs)."""

    names: list[str]
    steps_planned: int
    lr: list[float] = field(default_factory=list)  # per step
    loss: dict[str, list[float]] = field(default_factory=dict)  # per contender, per step
    seconds: dict[str, list[float]] = field(default_factory=dict)  # per contender, per step
    evals: dict[str, list[dict]] = field(default_factory=dict)  # per contender: {"step", "train_*", "test_*"}
    grad_norms: dict[str, list[list[float]]] = field(default_factory=dict)
    lr_changes: list[dict] = field(default_factory=list)  # {"step", "from", "to"}
    # per contender whose loss stopped being finite: that step (counted from 1); it trains no further
    diverged: dict[str, int] = field(default_factory=dict)
    # per contender, per step: the time with a collective in flight (a parallel demo's ranks)
    comm_s: dict[str, list[float]] = field(default_factory=dict)

    def __post_init__(self):
        for name in self.names:
            self.loss.setdefault(name, [])
            self.seconds.setdefault(name, [])
            self.evals.setdefault(name, [])

    @property
    def steps_done(self) -> int:
        return len(self.lr)

    def to_dict(self) -> dict:
        return {"steps_planned": self.steps_planned, "steps_done": self.steps_done, "lr": self.lr,
                "loss": self.loss, "seconds": self.seconds, "evals": self.evals,
                "grad_norms": self.grad_norms, "lr_changes": self.lr_changes, "diverged": self.diverged,
                "comm_s": self.comm_s}


class Stopped(Exception):
    """The race ended before its last step; ``reason`` is "stopped" or "interrupted"."""


def run_race(plan: Plan, controls: Controls, seed: int, history: History,
             on_step: Callable[[History], None] | None = None) -> str:
    """Train every contender for ``plan.steps`` steps; returns "finished" or "stopped".

    A KeyboardInterrupt ends the race too ("interrupted"): what was recorded stays.
    """
    lr = controls.lr
    streams = {}
    for c in plan.contenders:
        c.start(lr)
        data = c.data or plan.data
        streams[c.name] = BatchStream(data.x_train, data.y_train, plan.batch_size, seed)
    augment_generator = torch.Generator().manual_seed(seed + 1)
    default_threads = torch.get_num_threads()
    try:
        for step in range(plan.steps):
            controls.wait_while_paused()
            if controls.stop_requested.is_set():
                return "stopped"
            wanted = controls.lr
            if wanted != lr:
                history.lr_changes.append({"step": step, "from": lr, "to": wanted})
                lr = wanted
                for c in plan.contenders:
                    c.set_lr(lr)
            history.lr.append(lr)
            for c in plan.contenders:
                _step_one(c, streams[c.name], lr, augment_generator, history, step, default_threads)
            if (step + 1) % plan.eval_every == 0 or step + 1 == plan.steps:
                evaluate_all(plan, history, step + 1)
            if on_step is not None:
                on_step(history)
    except KeyboardInterrupt:
        return "interrupted"
    finally:
        torch.set_num_threads(default_threads)
        if history.steps_done and not _evaluated_at(history, history.steps_done):
            evaluate_all(plan, history, history.steps_done)
    return "finished"


def _step_one(c: Contender, stream: BatchStream, lr: float, generator, history: History, step: int,
              default_threads: int) -> None:
    if c.name in history.diverged:  # a net whose loss went to NaN learns nothing more: skip it
        history.loss[c.name].append(math.nan)
        history.seconds[c.name].append(math.nan)
        return
    x, y = stream.next()
    if c.threads:
        torch.set_num_threads(c.threads)
    started = time.perf_counter()
    loss, norms = c.train_step(x, y, lr, generator)
    c.sync()
    history.seconds[c.name].append(time.perf_counter() - started)
    if c.threads:
        torch.set_num_threads(default_threads)
    history.loss[c.name].append(loss)
    if norms is not None:
        history.grad_norms.setdefault(c.name, []).append(norms)
    if not math.isfinite(loss):
        history.diverged[c.name] = step + 1


def _evaluated_at(history: History, step: int) -> bool:
    evals = next(iter(history.evals.values()), [])
    return bool(evals) and evals[-1]["step"] == step


def evaluate_all(plan: Plan, history: History, step: int) -> None:
    for c in plan.contenders:
        data = c.data or plan.data
        n = plan.eval_limit
        record = {"step": step}
        for split, x, y in (("train", data.x_train[:n], data.y_train[:n]), ("test", data.x_test[:n], data.y_test[:n])):
            for key, value in c.evaluate(x, y).items():
                record[f"{split}_{key}"] = value
        history.evals[c.name].append(record)
