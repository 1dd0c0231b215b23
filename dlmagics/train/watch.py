"""How %%train sees a learner's own loop, with no change to their code: PyTorch's own hooks,
installed while the cell runs and removed after it, however it ends.

- The loss functions of ``torch.nn.functional`` are wrapped (``nn.CrossEntropyLoss()``
  calls ``F.cross_entropy`` too, so both spellings are seen). A loss computed with
  gradients on a model in ``train()`` mode is a training batch; one under ``no_grad()`` is
  evaluation; one with gradients on a model in ``eval()`` is training if an optimizer step
  follows it (batch norm kept frozen, or ``model.train()`` forgotten), else evaluation.
- The global optimizer step hooks (``register_optimizer_step_pre_hook``) mark the steps: the
  controls act there (the learning rate set on the param groups, Pause, Stop).
- Global module hooks find the models (modules with parameters called outside any other)
  during the first few steps only; then one pre-hook on each model keeps its latest input.
- ``Optimizer.zero_grad`` and ``Module.zero_grad`` are wrapped to see that gradients are reset.

Values that live on a GPU are kept as tensors and read in one go when a frame is drawn, so a
CUDA loop is not synchronised at each step; on the CPU they are read at each step (free).
Everything the watch does in a step is timed, so the run can say what the doctor cost.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import torch
from torch import nn
from torch.nn import functional as F

from ..protocol import log
from . import cost

# The losses watched, and what their input is: logits of classes, probabilities, or values.
LOSSES = {
    "cross_entropy": "classes", "nll_loss": "classes",
    "binary_cross_entropy_with_logits": "binary", "binary_cross_entropy": "binary",
    "mse_loss": "values", "l1_loss": "values", "smooth_l1_loss": "values", "huber_loss": "values",
}


FINDING_STEPS = 4  # the global module hooks look for models during the first steps of any optimizer


class StopTraining(BaseException):
    """Raised in the learner's loop at a step boundary when Stop is pressed. A BaseException,
    so that their own ``except Exception`` does not swallow it."""


@dataclass(slots=True)
class Batch:
    """What a training batch's loss call saw. Tensors stay where they are, detached, until
    the run reads a group of batches at once (the accuracy is computed then too)."""

    loss: torch.Tensor
    size: int
    model: nn.Module | None
    outputs: torch.Tensor | None = None  # the loss's input, for a classification with labels
    target: torch.Tensor | None = None
    name: str = ""
    classes: int | None = None  # the outputs' width, when the targets are class labels

    @property
    def labelled(self) -> bool:
        return self.outputs is not None


class Watch:
    """The hooks of one %%train cell. ``record`` receives what they see (own.py's Recorder)."""

    def __init__(self, record):
        self.record = record
        self._undo: list = []
        self.models: list[nn.Module] = []  # the models found, in the order first trained
        self.last_model: nn.Module | None = None
        self.last_input = None  # the model's latest input (for the doctor's layer search)
        self._depth = 0
        self._finding_models = True
        self.spent_s = 0.0  # time spent in the hooks (cost.py: GPU waits apart)
        self.zeroed = False  # zero_grad ran since the last step
        self._steps = 0  # optimizer steps, of any optimizer

    # -- install and remove ----------------------------------------------------------
    def __enter__(self):
        from torch.optim.optimizer import register_optimizer_step_post_hook, register_optimizer_step_pre_hook

        for name, kind in LOSSES.items():
            self._patch(F, name, self._loss_wrapper(getattr(F, name), name, kind))
        self._patch(torch.optim.Optimizer, "zero_grad", self._zero_wrapper(torch.optim.Optimizer.zero_grad))
        self._patch(nn.Module, "zero_grad", self._zero_wrapper(nn.Module.zero_grad))
        self._undo.append(register_optimizer_step_pre_hook(self._before_step).remove)
        self._undo.append(register_optimizer_step_post_hook(self._after_step).remove)
        self._find_models(True)
        return self

    def __exit__(self, *exc):
        self._find_models(False)
        while self._undo:
            try:
                self._undo.pop()()
            except Exception:  # noqa: BLE001 - the rest must be undone whatever happens
                log.exception("dlmagics: could not remove a %%train hook")
        return False

    def _patch(self, owner, name: str, replacement) -> None:
        original = owner.__dict__[name]
        setattr(owner, name, replacement)
        self._undo.append(lambda: setattr(owner, name, original))

    def _find_models(self, on: bool) -> None:
        """Global module hooks while the models are looked for (they cost a little on every
        module's call, so they go after the first few steps)."""
        from torch.nn.modules.module import register_module_forward_hook, register_module_forward_pre_hook

        if on and not hasattr(self, "_finders"):
            self._finders = [register_module_forward_pre_hook(self._enter_module),
                             register_module_forward_hook(self._leave_module)]
        elif not on and getattr(self, "_finders", None):
            for handle in self._finders:
                handle.remove()
            self._finders = []
            self._finding_models = False

    # -- hooks -----------------------------------------------------------------------
    def _enter_module(self, module, args):
        if self._depth == 0 and module not in self.models and _has_parameters(module):
            self.models.append(module)
            self._undo.append(module.register_forward_pre_hook(self._model_input).remove)
            self._model_input(module, args)
        self._depth += 1

    def _leave_module(self, module, args, output):
        self._depth = max(0, self._depth - 1)

    def _model_input(self, module, args):
        self.last_model = module
        if args and isinstance(args[0], torch.Tensor):
            if self.last_input is None and torch.is_grad_enabled() and module.training:
                self._guarded(self.record.first_input, module, args[0])
            self.last_input = args[0]

    def _zero_wrapper(self, original):
        watch = self

        def zero_grad(self, *args, **kwargs):
            watch.zeroed = True
            return original(self, *args, **kwargs)

        zero_grad.__wrapped__ = original
        return zero_grad

    def _loss_wrapper(self, original, name: str, kind: str):
        watch = self

        def loss_function(input, target, *args, **kwargs):
            if kind == "values" and isinstance(target, torch.Tensor) and getattr(input, "shape", None) != target.shape:
                loss = _warning_at_the_caller(original, input, target, *args, **kwargs)
            else:
                loss = original(input, target, *args, **kwargs)
            started = cost.mark()
            try:
                watch._seen_loss(name, kind, input, target, loss, kwargs.get("reduction", "mean"))
            except StopTraining:
                raise
            except Exception:  # noqa: BLE001 - a watch that fails must never break the learner's loop
                log.exception("dlmagics: %%train could not read a loss")
            finally:
                watch.spent_s += cost.since(started)
            return loss

        loss_function.__wrapped__ = original
        loss_function.__name__ = name
        return loss_function

    def _seen_loss(self, name, kind, input, target, loss, reduction) -> None:
        if not isinstance(loss, torch.Tensor) or loss.dim() != 0 or not isinstance(input, torch.Tensor):
            return  # reduction="none" or a summed loss: not the batch's mean, left alone
        model = self.last_model
        size = int(input.shape[0]) if input.dim() else 1
        mean_loss = loss.detach() / size if reduction == "sum" else loss.detach()
        scored = kind in ("classes", "binary") and _scorable(kind, input, target)
        classes = int(input.shape[1]) if scored and kind == "classes" else None
        batch = Batch(mean_loss, size, model, input.detach() if scored else None, target if scored else None, name,
                      classes)
        if not loss.requires_grad:
            self.record.evaluation_batch(batch)
        elif model is None or model.training:
            self.record.training_batch(batch, kind, input, target)
        else:  # gradients on a model in eval(): training (frozen batch norm) if a step follows, else a validation
            self.record.undecided_batch(batch, kind, input, target)

    def _before_step(self, optimizer, args, kwargs):
        self._guarded(self.record.before_step, optimizer)

    def _after_step(self, optimizer, args, kwargs):
        self._steps += 1
        if self._finding_models and self.models and self._steps >= FINDING_STEPS:
            self._find_models(False)
        self._guarded(self.record.after_step, optimizer)
        self.zeroed = False

    def _guarded(self, function, *args) -> None:
        """Call the run's side, timed; whatever fails there never breaks the learner's loop
        (Stop, and Ctrl-C, still end it)."""
        started = cost.mark()
        try:
            function(*args)
        except StopTraining:
            raise
        except Exception:  # noqa: BLE001 - logged: the loop must go on
            log.exception("dlmagics: %%train's watch failed at a step")
        finally:
            self.spent_s += cost.since(started)


def _warning_at_the_caller(original, *args, **kwargs):
    """Call a loss, its warnings (PyTorch's "Using a target size ... different to the input
    size") pointing at the learner's line as they would without the wrapper, not at it."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loss = original(*args, **kwargs)
    for warning in caught:
        warnings.warn(warning.message, warning.category, stacklevel=3)
    return loss


def _has_parameters(module: nn.Module) -> bool:
    return next(module.parameters(), None) is not None


def _scorable(kind: str, input: torch.Tensor, target) -> bool:
    """Whether the batch's accuracy can be read: class labels for an (examples x classes)
    output, or 0/1 targets of the output's shape."""
    if not isinstance(target, torch.Tensor):
        return False
    if kind == "classes":
        return input.dim() == 2 and target.dim() == 1 and not target.is_floating_point() and not target.is_complex()
    return input.shape == target.shape and 1 <= input.dim() <= 2


def _labelled(b: Batch, classes: int | None) -> bool:
    """A classification's batch with labels, of the run's number of classes (a second head of
    another width is left out)."""
    return b.classes is not None and (classes is None or b.classes == classes)


def predictions(batches: list[Batch], classes: int | None) -> tuple[torch.Tensor, torch.Tensor] | None:
    """The classes predicted and the labels of a group of batches (classifications with labels)."""
    group = [b for b in batches if _labelled(b, classes)]
    if not group:
        return None
    return torch.cat([b.outputs for b in group]).argmax(1), torch.cat([b.target for b in group])


def right_answers(batches: list[Batch], classes: int | None, predicted=None) -> list[float]:
    """Each batch's share of right answers (NaN where it cannot be read), computed for the
    whole group at once: reading costs a few operations, not a few per batch. ``predicted``:
    ``predictions(batches)``, when the caller has it already."""
    shares = [math.nan] * len(batches)
    labelled = [i for i, b in enumerate(batches) if _labelled(b, classes)]
    scored = set(labelled)
    if labelled:
        chosen, target = predicted if predicted is not None else predictions(batches, classes)
        right = (chosen == target).float()
        sizes = torch.tensor([batches[i].size for i in labelled], device=right.device)
        ids = torch.repeat_interleave(torch.arange(len(labelled), device=right.device), sizes)
        sums = torch.zeros(len(labelled), device=right.device).index_add_(0, ids, right) / sizes
        for i, value in zip(labelled, sums.tolist()):
            shares[i] = value
    for i, b in enumerate(batches):
        if b.labelled and i not in scored and b.outputs.shape == b.target.shape:  # binary: 0/1 targets
            threshold = 0.0 if b.name.endswith("logits") else 0.5
            shares[i] = float(((b.outputs > threshold) == (b.target > 0.5)).float().mean())
    return shares


def is_finite(value: float) -> bool:
    return isinstance(value, float) and math.isfinite(value)
