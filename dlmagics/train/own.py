"""A learner's own training loop under %%train: its history, its result, and the run.

``Recorder`` turns what the watch's hooks see (watch.py) into the history and hands it to
the doctor; ``run_cell`` runs the cell's code in the learner's namespace, on whatever thread
calls it, and never raises: a failure is kept in the result with the doctor's sentence.
"""

from __future__ import annotations

import itertools
import math
import time
import traceback
from dataclasses import dataclass, field
from typing import Callable

import torch

from .. import views
from ..notes import clip
from . import cost
from .result import FIGURE, Running
from .watch import StopTraining, predictions, right_answers

MAX_TRACEBACK_CHARS = 20_000
READ_EVERY_S = 0.25  # a batch's values are read from its device (one sync for all) at most this often
FIRST_STEPS = 10  # the doctor's first checks are made in these; on a GPU their code loads then, once a kernel


@dataclass
class OwnHistory:
    """Every training batch of the loop (a loss computed with gradients), and each evaluation."""

    loss: list[float] = field(default_factory=list)  # each batch's mean loss
    accuracy: list[float] = field(default_factory=list)  # each batch's share right (classification; else NaN)
    lr: list[float] = field(default_factory=list)  # the optimizer's learning rate at each batch
    epoch_starts: list[int] = field(default_factory=list)  # batches done when each epoch began
    evals: list[dict] = field(default_factory=list)  # {"batch", "epoch", "loss", "accuracy"}
    lr_changes: list[dict] = field(default_factory=list)  # the slider's: {"step", "from", "to"}
    steps: int = 0  # optimizer steps
    loop_batches: int = 0  # passes through the cell's batch loop (progress: a step may compute two losses)
    epochs_planned: int | None = None
    batches_per_epoch: int | None = None

    @property
    def batches_done(self) -> int:
        return len(self.loss)

    @property
    def batches_passed(self) -> int:
        """How far the loop is, in batches (its batch loop's passes when it has one)."""
        return self.loop_batches or self.batches_done

    @property
    def epoch(self) -> int | None:
        return len(self.epoch_starts) or None

    @property
    def batches_planned(self) -> int | None:
        if self.epochs_planned and self.batches_per_epoch:
            return self.epochs_planned * self.batches_per_epoch
        if not self.epochs_planned and self.batches_per_epoch and len(self.epoch_starts) <= 1:
            return self.batches_per_epoch
        return None

    def to_dict(self) -> dict:
        return {"loss": self.loss, "accuracy": self.accuracy, "lr": self.lr, "epoch_starts": self.epoch_starts,
                "evals": self.evals, "lr_changes": self.lr_changes, "steps": self.steps,
                "epochs_planned": self.epochs_planned, "batches_per_epoch": self.batches_per_epoch,
                "loop_batches": self.loop_batches}


@dataclass
class OwnResult(Running):
    """What a %%train cell leaves. ``status``: running, finished, stopped (Stop), interrupted
    (Ctrl-C) or failed (an error in the cell: ``error`` its last line, ``traceback`` the whole,
    ``explanation`` the doctor's sentence for it when it knows the error)."""

    command: str
    history: OwnHistory = field(default_factory=OwnHistory)
    findings: list = field(default_factory=list)  # the doctor's Findings, in the order found
    status: str = "running"
    error: str | None = None
    traceback: str | None = None
    explanation: object = None
    notes: list[str] = field(default_factory=list)  # what the run says beside the doctor (no training seen...)
    model_name: str | None = None
    classes: int | None = None
    confusion: list[list[int]] | None = None  # rows: true class, columns: predicted (the last evaluation)
    elapsed_s: float = 0.0
    watch_s: float = 0.0  # of which in the watch's hooks and the doctor
    paused_s: float = 0.0  # of which held by the learner's Pause: neither training nor watching
    # on a GPU: (watch_s, the seconds less pauses) over the first FIRST_STEPS steps
    first_steps_s: tuple[float, float] | None = None
    sampled_steps: list[int] = field(default_factory=list)  # the steps of the doctor's heavier checks
    started_at: float | None = None
    doctor: bool = True
    model: object = field(default=None, repr=False, compare=False)  # the model trained (the Grad-CAM panel's)
    images: object = field(default=None, repr=False, compare=False)  # a few of its last inputs, if images
    gradcam: object = field(default=None, repr=False, compare=False)  # their Grad-CAM, once the end is drawn
    waiter: Callable[[], None] | None = field(default=None, repr=False, compare=False)

    name = "%%train"

    @property
    def doctor_share(self) -> float | None:
        """The share of the run's time spent watching it (hooks and doctor)."""
        running = self.elapsed_s - self.paused_s
        return self.watch_s / running if running > 0 else None

    @property
    def final(self) -> dict:
        """The last batch's loss, the last evaluation, and the training speed."""
        self._settle()
        h = self.history
        out = {"batches": h.batches_done, "steps": h.steps, "epochs": h.epoch,
               "train_loss": h.loss[-1] if h.loss else None}
        accuracy = [a for a in h.accuracy[-50:] if not math.isnan(a)]
        if accuracy:
            out["train_accuracy"] = sum(accuracy) / len(accuracy)
        if h.evals:
            out.update({f"val_{k}": v for k, v in h.evals[-1].items() if k in ("loss", "accuracy")})
        return out

    def plot(self):
        """The curves (and the confusion matrix) as a matplotlib Figure."""
        self._settle()
        return views.render(self, FIGURE)

    def __repr__(self) -> str:
        h = self.history
        if not self.done:
            return f"<%%train: training, batch {h.batches_done:,}; .final and .plot() wait for the end>"
        found = f"; doctor: {len(self.findings)} finding(s)" if self.findings else ""
        return f"<%%train: {self.status} after {h.batches_done:,} batches{found}>"

    def to_dict(self) -> dict:
        self._settle()
        return {"command": self.command, "status": self.status, "error": self.error,
                "explanation": self.explanation.to_dict() if self.explanation else None,
                "findings": [f.to_dict() for f in self.findings], "notes": self.notes,
                "model": self.model_name, "classes": self.classes, "confusion": self.confusion,
                "elapsed_s": self.elapsed_s, "watch_s": self.watch_s, "final": self.final,
                "history": self.history.to_dict()}


class Recorder:
    """Between the watch's hooks and the history: each batch's values (read from the device
    in one go when due), epochs, evaluations, the controls at each step, and the doctor."""

    def __init__(self, result: OwnResult, controls, doctor, namespace: dict, read_every_s: float | None = None):
        self.result, self.history, self.controls, self.doctor = result, result.history, controls, doctor
        self.namespace = namespace
        self.watch = None  # set by run_cell
        self.optimizer = None  # the first optimizer that steps: its steps are the run's
        self.model, self.others = None, []  # the model whose batches are recorded, and any other trained
        self.applied_lr: float | None = None
        self.pending: list = []  # batches whose values are still tensors
        self.evaluation = None
        self.epoch_predictions: list = []  # this epoch's (predicted, target), for a confusion matrix
        self.read_every_s, self._read_at = READ_EVERY_S if read_every_s is None else read_every_s, 0.0
        self.on_step: Callable[[], None] | None = None
        self.epoch_loop = False  # the cell has a loop over epochs (cellcode.py found it)
        self.undecided = None  # a loss with gradients on a model in eval(), until the next step or loss
        self.ended_epochs: list[tuple[int, int]] = []  # (first batch, end) of epochs not judged yet
        self.most = None  # how much of the loop runs (autograde.OwnLoop), or None: all of it

    def watch_s(self) -> float:
        """The watch's time so far, and the doctor's outside its hooks (in forward and backward)."""
        return (self.watch.spent_s if self.watch else 0.0) + (self.doctor.outside_s if self.doctor else 0.0)

    # -- events from the watch -----------------------------------------------------------
    def first_input(self, model, x) -> None:
        if self.result.model_name is None:
            self.result.model_name = _name_of(model, self.namespace)
        if self.doctor:
            self.doctor.first_input(model, x, self._now())

    def training_batch(self, batch, kind, input, target) -> None:
        self._decide(training=False)
        self._check_stop()
        if self.model is None:
            self.model = batch.model
        elif batch.model is not None and batch.model is not self.model:
            self._other_model(batch.model)
            return
        self._close_evaluation()
        if self.result.classes is None and kind == "classes" and input.dim() == 2:
            self.result.classes = int(input.shape[1])
        self.pending.append(batch)
        self.history.lr.append(self._lr())
        if self.doctor and self.doctor.wants_loss():
            self.doctor.training_loss(batch.name, kind, input, target, batch.loss, self._now())
        if time.perf_counter() >= self._read_at:
            self.read()
            if self.optimizer is None and self.on_step is not None:  # no step yet (or never): draw anyway
                self.on_step()

    def evaluation_batch(self, batch) -> None:
        self._decide(training=False)
        e = self.evaluation = self.evaluation or _Evaluation()
        e.batches.append(batch)

    def undecided_batch(self, batch, kind, input, target) -> None:
        """A loss with gradients on a model in eval(): the next step decides what it was."""
        self._decide(training=False)
        self.undecided = (batch, kind, input, target)

    def _decide(self, training: bool) -> None:
        held, self.undecided = self.undecided, None
        if held is not None:
            (self.training_batch if training else lambda batch, *_: self.evaluation_batch(batch))(*held)

    def before_step(self, optimizer) -> None:
        self._decide(training=True)
        if self.optimizer is None:
            self.optimizer = optimizer
            self.applied_lr = optimizer.param_groups[0]["lr"]
            self.controls.set_lr(self.applied_lr)
            # the batches before the first step trained at this rate too (it was not known yet)
            self.history.lr[:] = [self.applied_lr if math.isnan(v) else v for v in self.history.lr]
        if optimizer is not self.optimizer:
            return
        if self.controls.paused:  # (timed only then: a step that is not paused pays one check)
            self.result.paused_s += cost.held(self.controls.wait_while_paused)
        self._check_stop()
        wanted = self.controls.lr
        if wanted != self.applied_lr and self.applied_lr:
            for group in optimizer.param_groups:  # the groups keep their ratios
                group["lr"] = group["lr"] * wanted / self.applied_lr
            self.history.lr_changes.append({"step": self.batches, "from": self.applied_lr, "to": wanted})
            if self.history.lr:
                self.history.lr[-1] = optimizer.param_groups[0]["lr"]
            self.applied_lr = wanted
        if self.doctor and self.doctor.wants_before_step(self.history.steps):
            self.doctor.before_step(optimizer, self.watch, self._now())

    def after_step(self, optimizer) -> None:
        if optimizer is not self.optimizer:
            return
        self.history.steps += 1
        lr = optimizer.param_groups[0]["lr"]
        if lr != self.applied_lr:  # a scheduler moved it: the slider follows
            self.applied_lr = lr
            self.controls.set_lr(lr)
        if self.doctor and self.doctor.wants_after_step():
            self.doctor.after_step(optimizer, self.watch, self._now())
        if self.history.steps == FIRST_STEPS and cost.on_gpu(self.watch.last_input if self.watch else None):
            self.result.first_steps_s = (self.watch_s(),
                                         time.perf_counter() - self.result.started_at - self.result.paused_s)
        if self.on_step is not None:
            self.on_step()
        if self.most is not None and self.history.steps >= self.most.steps:
            self.controls.stop()  # as the Stop button: the loop ends at its next batch, all it made kept

    def loop(self, iterable, role: str):
        """The cell's epoch or batch loop, item by item (cellcode.py puts this around it); with
        ``most``, its first few items, then the cell's code after the loop runs as usual."""
        try:
            total = len(iterable)
        except Exception:  # noqa: BLE001 - a generator, or a len() that fails: no total
            total = None
        if self.most is not None:
            most = self.most.epochs if role == "epoch" else self.most.batches
            iterable, total = itertools.islice(iterable, most), most if total is None else min(total, most)
        if role == "epoch":
            self.history.epochs_planned = total
        else:
            self.history.batches_per_epoch = total
            if not self.epoch_loop:  # no epoch loop seen: each pass of the batch loop is an epoch
                self._new_epoch()
        for item in iterable:
            self._check_stop()
            if role == "epoch":
                self._new_epoch()
            else:
                self.history.loop_batches += 1
            yield item

    def _new_epoch(self) -> None:
        self._close_evaluation()
        if self.history.epoch_starts and self.history.epoch_starts[-1] == self.batches:
            return  # no batch since the last one began
        if self.doctor and self.history.epoch_starts:  # judged once its values are read
            self.ended_epochs.append((self.history.epoch_starts[-1], self.batches))
            if self.pending and on_host(self.pending[-1].loss):  # reading costs no wait: now
                self.read()
        self.history.epoch_starts.append(self.batches)
        self.epoch_predictions = []

    def _other_model(self, model) -> None:
        """A second model trains in the cell: the run follows the first, and says so once."""
        if model in self.others:
            return
        self.others.append(model)
        names = [_name_of(m, self.namespace) for m in [self.model, *self.others]]
        self.result.notes.append(f"this cell trains {len(names)} models ({', '.join(names)}): %%train follows the "
                                 f"first, {names[0]}; give each model its own %%train cell to watch it")

    # -- reading values ------------------------------------------------------------------
    def read(self) -> None:
        """The pending batches' values, read from their device in one go."""
        self._read_at = time.perf_counter() + self.read_every_s
        if not self.pending:
            return
        batches, self.pending = self.pending, []
        cost.settle(batches[-1].loss)  # the learner's queued GPU work finishes here: not the watch's time
        losses = torch.stack([b.loss.float() for b in batches]).tolist()
        pairs = predictions(batches, self.result.classes)
        accuracy = right_answers(batches, self.result.classes, pairs)
        if pairs is not None:
            self.epoch_predictions.append(pairs)
        first = self.history.batches_done
        self.history.loss.extend(losses)
        self.history.accuracy.extend(accuracy)
        if self.doctor:
            self.doctor.losses_read(first, losses, accuracy, self._now())
            while self.ended_epochs and self.ended_epochs[0][1] <= self.history.batches_done:
                self.doctor.epoch_ended(self._now(), *self.ended_epochs.pop(0))

    def _close_evaluation(self) -> None:
        """The evaluation batches since the last training batch, as one evaluation."""
        e, self.evaluation = self.evaluation, None
        if e is None or not e.batches:
            return
        sizes = [b.size for b in e.batches]
        cost.settle(e.batches[-1].loss)  # the evaluation's queued GPU work finishes here: not the watch's time
        losses = torch.stack([b.loss.float() for b in e.batches]).tolist()
        record = {"batch": self.batches, "epoch": self.history.epoch,
                  "loss": sum(v * n for v, n in zip(losses, sizes)) / sum(sizes)}
        pairs = predictions(e.batches, self.result.classes)
        shares = right_answers(e.batches, self.result.classes, pairs)
        if not any(math.isnan(s) for s in shares):
            record["accuracy"] = sum(v * n for v, n in zip(shares, sizes)) / sum(sizes)
        self.history.evals.append(record)
        if pairs is not None:
            self._confusion(*pairs)
        if self.doctor:
            self.doctor.evaluated(record, self._now())

    def _confusion(self, predicted, target) -> None:
        k = self.result.classes or int(max(predicted.max(), target.max())) + 1
        if k > 100 or target.is_floating_point():
            return
        pairs = (target.long().cpu().clamp(0, k - 1) * k + predicted.long().cpu().clamp(0, k - 1))
        self.result.confusion = torch.bincount(pairs, minlength=k * k).reshape(k, k).tolist()

    def finish(self) -> None:
        """The cell ended: the last values read and judged. Never raises (a learner's error on its
        way out stays theirs), and the doctor always takes its hooks off."""
        try:
            self._decide(training=False)
            self.read()
            self._close_evaluation()
            if self.result.confusion is None and self.epoch_predictions:
                self._confusion(torch.cat([p for p, _ in self.epoch_predictions]),
                                torch.cat([t for _, t in self.epoch_predictions]))
        except Exception:  # noqa: BLE001 - e.g. a device that failed: what was read is kept
            from ..protocol import log

            log.exception("dlmagics: %%train could not read the last values")
        finally:
            if self.doctor:
                self.doctor.finished(self._now())

    # -- helpers ---------------------------------------------------------------------------
    def _check_stop(self) -> None:
        if self.controls.stop_requested.is_set():
            raise StopTraining

    def _lr(self) -> float:
        if self.optimizer is not None:
            return self.optimizer.param_groups[0]["lr"]
        return self.applied_lr or math.nan

    @property
    def batches(self) -> int:
        """Training batches seen so far (their values may not be read yet)."""
        return len(self.history.lr)

    def _now(self) -> dict:
        """Where the run stands, for a finding: its batch and epoch."""
        return {"step": self.batches, "epoch": self.history.epoch}


def on_host(tensor) -> bool:
    """Reading this tensor's value costs no wait for a device (it is in the CPU's memory)."""
    return tensor.device.type == "cpu"


@dataclass
class _Evaluation:
    batches: list = field(default_factory=list)


def _name_of(model, namespace: dict) -> str:
    """The learner's name for their model (the variable that holds it), else its class."""
    for key, value in list(namespace.items()):
        if value is model and not key.startswith("_"):
            return key
    return type(model).__name__


def start(command: str, doctor: bool = True) -> OwnResult:
    return OwnResult(command, doctor=doctor)


def run_cell(result: OwnResult, code: str, namespace: dict, controls=None,
             on_step: Callable[[OwnResult], None] | None = None, on_finding=None,
             most=None) -> OwnResult:
    """Run the cell's code in ``namespace`` with the watch on; never raises (the learner's
    error is kept, with the doctor's sentence when it knows it). ``most``: how much of the
    loop runs (autograde.OwnLoop), or None: all of it."""
    from . import cellcode
    from .doctor.rules import Doctor
    from .engine import Controls
    from .watch import Watch

    controls = controls or Controls(0.0)
    doctor = Doctor(result) if result.doctor else None
    if doctor is not None:
        doctor.on_finding = on_finding
    recorder = Recorder(result, controls, doctor, namespace)
    recorder.most = most
    if doctor is not None:
        doctor.read = recorder.read
    if on_step is not None:
        recorder.on_step = lambda: on_step(result)
    started = result.started_at = time.perf_counter()
    watch = None
    try:
        prepared = cellcode.prepare(code)
        recorder.epoch_loop = prepared.epoch_loop
        namespace[cellcode.LOOP] = recorder.loop
        with Watch(recorder) as watch:
            recorder.watch = watch
            if doctor:
                doctor.watch = watch
            try:
                exec(prepared.code, namespace)  # noqa: S102 - the learner's own cell, as Jupyter would run it
            finally:
                recorder.finish()
        result.status = "finished"
    except StopTraining:
        result.status = controls.stop_reason
    except KeyboardInterrupt:
        result.status = "interrupted"
    except BaseException as error:  # noqa: BLE001 - the learner's error is kept and explained, never lost
        if isinstance(error, SystemExit):
            result.status = "stopped"
        else:
            _failed(result, error, recorder)
    finally:
        namespace[cellcode.LOOP] = cellcode.passthrough  # a function the cell defined may loop later
        result.elapsed_s = time.perf_counter() - started
        result.watch_s = recorder.watch_s()
        result.model, result.images = recorder.model, _images_seen(watch, recorder.model)
        if not result.history.batches_done and result.status in ("finished", "failed") and result.error is None:
            result.notes.append("%%train saw no training in this cell: no loss was computed with gradients. It "
                                "watches a loop that computes a loss (nn.CrossEntropyLoss(), F.mse_loss, ...), calls "
                                "loss.backward() and optimizer.step()")
    return result


GRADCAM_IMAGES = 6  # the inputs kept for the final picture's Grad-CAM panel


def _images_seen(watch, model) -> torch.Tensor | None:
    """A few of the model's last inputs when they are images (N x C x H x W floats)."""
    x = watch.last_input if watch is not None and watch.last_model is model and model is not None else None
    if not isinstance(x, torch.Tensor) or x.dim() != 4 or not x.is_floating_point():
        return None
    return x[:GRADCAM_IMAGES].detach().clone()


def _failed(result: OwnResult, error: BaseException, recorder: Recorder) -> None:
    result.status = "failed"
    result.error = clip(f"{type(error).__name__}: {error}".strip().splitlines()[0], 500) if str(error) else type(error).__name__
    text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    result.traceback = text[-MAX_TRACEBACK_CHARS:]
    try:
        from .doctor.errors import ErrorFacts, explain

        result.explanation = explain(error, _facts(recorder, ErrorFacts))
    except Exception:  # noqa: BLE001 - the raw error is still there
        result.explanation = None
    if result.explanation is not None:
        result.explanation = _at(result.explanation, recorder._now())


def _facts(recorder: Recorder, facts_type):
    x = recorder.watch.last_input if recorder.watch is not None else None
    batch = int(x.shape[0]) if x is not None and getattr(x, "dim", lambda: 0)() else None
    free = total = None
    if x is not None and x.device.type == "cuda":
        free, total = torch.cuda.mem_get_info(x.device)
    return facts_type(batch_size=batch, free_bytes=free, total_bytes=total, outputs=recorder.result.classes)


def _at(finding, now: dict):
    from dataclasses import replace

    return replace(finding, step=now["step"], epoch=now["epoch"])
