"""The doctor's rules, checked while a learner's loop trains (docs/doctor.md says each with
its threshold and why). The watch calls the Doctor at a few moments; each check is cheap, and
the heavier ones (gradients per layer, dead units, update sizes) run at sampled steps only,
within a budget of the run's time. Each finding is made once, and only on evidence a healthy
loop does not show: a false alarm teaches a learner to ignore the doctor.
"""

from __future__ import annotations

import math
import statistics
import time

import torch
from torch import nn

from .. import cost
from .findings import Finding

# Thresholds (docs/doctor.md gives the measurements behind each).
UNSCALED_MAX = 20.0  # whole-number inputs up to at least this: raw pixel values or counts
INITIAL_LOSS_FACTOR = 2.0  # a first loss above 2 ln(C) + 1 is far from an even guess
EXPLODING_FACTOR = 100.0  # the loss 100x its first value (and ln C)
ZERO_GRAD_STEPS = 3  # steps in a row with .grad piling up
ZERO_GRAD_WATCH = 60  # watched over the first steps only
NO_STEP_BATCHES = 20
CHANCE_MARGIN = 0.05  # accuracy within chance + 5 points after two epochs
FLAT_LOSS = 0.03  # and the loss fell less than 3% from its start
TOO_LOW_UPDATE = 1e-5  # |dW| / |W| per step (about 1e-3 is typical: cs231n)
TOO_LOW_LOSS_CHANGE = 0.02
VANISHING_RATIO = 1e-3  # first layer's relative gradient / last layer's
DEAD_SHARE = 0.9  # of a ReLU layer's units zero for every example of a batch
DOCTOR_SHARE = 0.005  # past the early sampled steps, the next waits while the doctor has spent more
PROBE_GAP = 25  # steps at least between two sampled steps
PROBE_STEPS = (5, 10, 20, 35, 50)  # the first sampled steps, then as the budget allows
OVERFIT_RISE = 1.2  # validation loss 20% above its best, rising two evaluations in a row
SETTLE_STEPS = 15  # steps before judging learning speed, dead units, vanishing gradients


class Doctor:
    def __init__(self, result):
        self.result = result
        self.watch = None
        self.spent_s = 0.0  # all its time (its budget)
        self.outside_s = 0.0  # of which called by the learner's forward and backward, not by the watch
        self.on_finding = None  # called with each new Finding (a headless run prints it)
        self.read = None  # reads the batches' values not read yet (the recorder's)
        self._keys: set[str] = set()
        self._loss_calls = 0
        self._stepping = False  # an optimizer step has begun
        self._sample = None  # [parameter, its .grad as the last step left it, that grad's version]
        self._grad_hook = None
        self._checked = True
        self._piling = 0
        self._next_probe_step = PROBE_STEPS[0]
        self._probe = None  # the sampled step's pending measurements
        self._probes: list[dict] = []
        self._dead: dict[str, list[float]] = {}  # ReLU layer -> share of dead units, at each sampled step
        self._relu_hooks: dict = {}
        self._relu_original = None  # F.relu, while a sampled step watches it
        self._last_layer = "the input"
        self._run_started = time.perf_counter()

    # -- the record ------------------------------------------------------------------------
    def found(self, key: str, title: str, evidence: str, fix: str, now: dict) -> None:
        if key in self._keys or "nonfinite_loss" in self._keys:  # after a NaN, nothing else means anything
            return
        self._keys.add(key)
        finding = Finding(key, title, evidence, fix, now["step"], now["epoch"])
        self.result.findings.append(finding)
        if self.on_finding is not None:
            self.on_finding(finding)

    def has(self, *keys: str) -> bool:
        return any(k in self._keys for k in keys)

    # -- what a step needs: most steps, nothing (the recorder then skips the call) --------
    def wants_loss(self) -> bool:
        """training_loss checks the first NO_STEP_BATCHES losses only."""
        return self._loss_calls < NO_STEP_BATCHES

    def wants_before_step(self, steps: int) -> bool:
        """before_step has work: the first step, the zero_grad watch, a sampled step due."""
        return not self._stepping or self._sample is not False or steps + 1 >= self._next_probe_step

    def wants_after_step(self) -> bool:
        """after_step finishes a sampled step's measurements."""
        return self._probe is not None

    def _timed(method):  # noqa: N805 - a decorator of the class's own methods
        def timed(self, *args):
            started = cost.mark()
            try:
                return method(self, *args)
            except Exception:  # noqa: BLE001 - a rule that fails must not break the loop
                from ...protocol import log

                log.exception("dlmagics: a doctor's rule failed")
            finally:
                self.spent_s += cost.since(started)
        return timed

    # -- first steps -------------------------------------------------------------------------
    @_timed
    def first_input(self, model, x: torch.Tensor, now: dict) -> None:
        if not x.is_floating_point() or not x.numel():
            return
        cost.settle(x)
        sample = x.detach()[:64].reshape(-1)[:4096].float()  # a few examples: an expanded batch is never copied
        low, high = (float(v) for v in torch.aminmax(sample))
        whole = float((sample == sample.round()).float().mean())
        if low >= 0 and high >= UNSCALED_MAX and whole > 0.99:
            self.found("input_unscaled", "the inputs are not scaled",
                       f"the first batch's values are whole numbers from {low:g} to {high:g} ({_dtype(x)}), raw "
                       "pixel values: the first layer's outputs start huge and its gradients with them",
                       f"divide by the largest value so they lie in 0..1 (x = x.float() / {_round_up(high):g}), or "
                       "normalise with the data's mean and std", now)

    @_timed
    def training_loss(self, name: str, kind: str, input, target, loss, now: dict) -> None:
        self._loss_calls += 1
        if self._loss_calls == 1 and self.watch is not None and self.watch.last_model is not None:
            self._first_weights = _versions(self.watch.last_model)
        if self._loss_calls == NO_STEP_BATCHES and not self._stepping and self._unchanged():
            self._no_step(now)
        if self._loss_calls == 1 and kind == "values":
            self._broadcast(name, input, target, now)
        if self._loss_calls > 1 or kind != "classes" or input.dim() != 2 or input.shape[1] < 2:
            return
        cost.settle(input)
        out = input.detach().float()
        classes = out.shape[1]
        rows = out.sum(1)
        probabilities = bool(out.min() >= 0) and bool(out.max() <= 1) and bool(((rows - 1).abs() < 1e-3).all())
        loss_name = "CrossEntropyLoss" if name == "cross_entropy" else "NLLLoss"
        if name == "cross_entropy" and probabilities:
            self.found("softmax_before_loss", "a softmax before CrossEntropyLoss",
                       "the model's outputs are probabilities (each row is at least 0 and sums to 1), and "
                       "cross_entropy applies its own softmax again: the gradients shrink and learning crawls",
                       "remove the last nn.Softmax (or F.softmax) from the model: CrossEntropyLoss takes the raw "
                       "scores (logits); use softmax only to read probabilities", now)
        elif name == "nll_loss" and float(out.max()) > 1e-6:
            what = "probabilities (softmax)" if probabilities else "raw scores (logits)"
            self.found("softmax_before_loss", f"{what} into NLLLoss",
                       f"NLLLoss expects log-probabilities (all at most 0), and the model's outputs reach "
                       f"{float(out.max()):.3g}: the loss can fall below 0 without learning anything",
                       "end the model with nn.LogSoftmax(dim=1) (or F.log_softmax(out, dim=1)), or use "
                       "nn.CrossEntropyLoss on the raw scores", now)
        first = float(loss.float())
        chance = math.log(classes)
        if math.isfinite(first) and first > INITIAL_LOSS_FACTOR * chance + 1 and not self.has("input_unscaled"):
            self.found("initial_loss", "the first loss is far above an even guess",
                       f"the first batch's loss is {first:.3g}; a network that starts by guessing evenly among "
                       f"{classes} classes has ln({classes}) = {chance:.2f}: its outputs start large and confident",
                       "check the inputs' scale, and start the last layer small (PyTorch's default initialisation "
                       "gives about ln(classes)); a first loss near ln(classes) is the sign of a sound start", now)

    def _broadcast(self, name: str, input, target, now: dict) -> None:
        if not isinstance(target, torch.Tensor) or input.shape == target.shape:
            return
        try:
            both = torch.broadcast_shapes(input.shape, target.shape)
        except RuntimeError:
            return  # PyTorch raises on its own
        if both.numel() > max(input.numel(), target.numel()):
            self.found("loss_broadcast", "the loss compares outputs and targets of different shapes",
                       f"the model's outputs are {list(input.shape)} and the targets {list(target.shape)}: {name} "
                       f"broadcasts them to {list(both)}, comparing every output with every target",
                       "give them one shape: loss_fn(out.squeeze(1), y), or y.view(-1, 1) for the targets", now)

    def _unchanged(self) -> bool:
        """No weight of the model changed in place since the first loss (a hand-written update,
        `p -= lr * p.grad`, changes them without an optimizer)."""
        model = self.watch.last_model if self.watch else None
        return model is not None and _versions(model) == getattr(self, "_first_weights", None)

    def _no_step(self, now: dict) -> None:
        model = self.watch.last_model if self.watch else None
        grads = model is not None and any(p.grad is not None for p in model.parameters())
        self.found("no_step", "the weights never change: no optimizer step",
                   f"{NO_STEP_BATCHES} batches computed a loss and no optimizer took a step"
                   + ("; loss.backward() ran, so the gradients are there unused" if grads else
                      ", and no gradients were computed either"),
                   ("call optimizer.step() after loss.backward() in each step" if grads else
                    "in each step: optimizer.zero_grad(), loss.backward(), optimizer.step()"), now)

    # -- each step -------------------------------------------------------------------------
    @_timed
    def before_step(self, optimizer, watch, now: dict) -> None:
        self._stepping = True  # (L-BFGS computes its losses inside step())
        steps = self.result.history.steps
        if steps == 0:
            self._other_params(optimizer, watch, now)
        self._zero_grad(optimizer, watch, now)
        if steps + 1 >= self._next_probe_step and (steps + 1 in PROBE_STEPS or self._within_budget()):
            self._start_probe(optimizer, watch, steps + 1)

    def _other_params(self, optimizer, watch, now: dict) -> None:
        held = {id(p) for group in optimizer.param_groups for p in group["params"]}
        models = watch.models if watch else []
        if not models or any(id(p) in held for m in models for p in m.parameters()):
            return
        model = watch.last_model or models[0]
        name = self.result.model_name or type(model).__name__
        self.found("optimizer_other_params", "the optimizer holds another model's parameters",
                   f"the optimizer's {len(held)} parameter tensors are none of {name}'s "
                   f"{sum(1 for _ in model.parameters())}, and {name} computed the loss: its weights never change",
                   f"create the optimizer after the model, from its parameters (optimizer = "
                   f"torch.optim.{type(optimizer).__name__}({name}.parameters(), ...)); running again the cell that "
                   "makes the model makes a new one the old optimizer does not know", now)

    def _zero_grad(self, optimizer, watch, now: dict) -> None:
        """Before each step, one parameter's gradient as the step leaves it; the parameter's
        gradient hook then sees, at the next backward and before it adds anything, whether that
        gradient is still there untouched (no zero_grad(), no zero_() nor None by hand)."""
        if self._sample is False:
            return
        if self._sample is None:
            param = next((p for g in optimizer.param_groups for p in g["params"] if p.grad is not None), None)
            if param is None:
                return
            self._grad_hook = param.register_hook(self._incoming)
            self._sample = [param, None, None]
        if self.result.history.steps >= ZERO_GRAD_WATCH and self._piling == 0:
            self._grad_hook.remove()  # a loop that zeroes its gradients from the start goes on doing so
            self._grad_hook, self._sample = None, False
            return
        grad = self._sample[0].grad
        self._sample[1:] = [grad, None if grad is None else grad._version]
        self._checked, self._now = False, now

    def _incoming(self, grad):
        """The sampled parameter's gradient hook (in the learner's backward): timed apart."""
        started = cost.mark()
        try:
            self._check_incoming()
        except Exception:  # noqa: BLE001 - never into the learner's backward
            from ...protocol import log

            log.exception("dlmagics: a doctor's rule failed")
        spent = cost.since(started)
        self.spent_s += spent
        self.outside_s += spent
        return None

    def _check_incoming(self) -> None:
        """The first backward after a step: is the .grad that step left still there untouched?"""
        if self._checked or not self._sample:
            return None
        self._checked = True
        param, held, version = self._sample
        piling = held is not None and param.grad is held and held._version == version and not self.watch.zeroed
        if not piling:
            self._piling = 0
            return None
        self._piling += 1
        cost.settle(held)
        if self._piling == 1:
            self._grown = (float(held.norm()), self._now["step"])
        if self._piling >= ZERO_GRAD_STEPS:
            norm, since = self._grown
            self.found("missing_zero_grad", "the gradients pile up: zero_grad() is never called",
                       f"between steps nothing reset .grad, so each loss.backward() adds to the last: one "
                       f"weight's gradient grew from {norm:.3g} at batch {since:,} to {float(held.norm()):.3g} at "
                       f"batch {self._now['step']:,}",
                       "call optimizer.zero_grad() once in each step, before loss.backward()", self._now)
        return None

    @_timed
    def after_step(self, optimizer, watch, now: dict) -> None:
        probe = self._probe
        if probe is None or probe["step"] != self.result.history.steps:
            return
        if "weight" in probe:
            weight, before = probe["weight"], probe.pop("before")
            cost.settle(weight)
            size = float(before.norm())
            if size > 0:
                probe["update"] = float((weight.detach() - before).norm()) / size
        self._finish_probe(now)

    # -- sampled steps ---------------------------------------------------------------------
    def _start_probe(self, optimizer, watch, step: int) -> None:
        model = watch.last_model if watch else None
        if model is None:
            return
        # weight matrices with a gradient; an embedding's only in the rows a batch used, so not those
        layers = [(n, m) for n, m in model.named_modules() if isinstance(getattr(m, "weight", None), nn.Parameter)
                  and m.weight.grad is not None and m.weight.dim() > 1
                  and not isinstance(m, (nn.Embedding, nn.EmbeddingBag))]
        probe = {"step": step}
        if layers:
            cost.settle(layers[0][1].weight)
        if len(layers) >= 2:
            def relative(m):
                w = float(m.weight.detach().norm())
                return float(m.weight.grad.detach().norm()) / w if w > 0 else math.nan
            probe["first"], probe["last"] = (layers[0][0], relative(layers[0][1])), (layers[-1][0], relative(layers[-1][1]))
        if layers:  # the update's size, on the smallest weight matrix (a cheap copy)
            weight = min((m.weight for _, m in layers), key=lambda w: w.numel())
            probe["weight"], probe["before"] = weight, weight.detach().clone()
        self._remove_hooks()  # the last sampled step's, if its batch never came
        modules = list(model.named_modules())
        relus = [(name, m) for name, m in modules if isinstance(m, nn.ReLU)]
        for name, module in relus:  # measured on the next training batch's forward
            self._relu_hooks[name] = module.register_forward_hook(self._relu_hook(name))
        if not relus:  # F.relu in a forward() is no module: seen through the function (nn.ReLU calls it too)
            for name, module in modules:
                if not list(module.children()) and _has_weight(module):
                    self._relu_hooks[name] = module.register_forward_hook(self._leaf_hook(name))
            self._functional_relu(True)
        self._probe = probe

    def _relu_hook(self, name: str):
        def hook(module, args, output):
            if not torch.is_grad_enabled() or not module.training or not isinstance(output, torch.Tensor) \
                    or output.dim() < 2:
                return
            self._relu_hooks.pop(name).remove()
            self._record_dead(name, output)
        return hook

    def _leaf_hook(self, name: str):
        def hook(module, args, output):
            self._last_layer = name
        return hook

    def _functional_relu(self, on: bool) -> None:
        from torch.nn import functional as F

        if on and self._relu_original is None:
            original = self._relu_original = F.relu

            def relu(input, *args, **kwargs):
                output = original(input, *args, **kwargs)
                if torch.is_grad_enabled() and isinstance(output, torch.Tensor) and output.dim() >= 2:
                    self._record_dead(f"{self._last_layer} (F.relu)", output)
                    self._functional_relu(False)  # one batch is enough
                return output

            F.relu = relu
        elif not on and self._relu_original is not None:
            F.relu, self._relu_original = self._relu_original, None

    def _record_dead(self, name: str, output) -> None:
        started = cost.mark()  # called from a forward hook: counted here
        cost.settle(output)
        alive = (output.detach() > 0).flatten(2).any(-1) if output.dim() > 2 else output.detach() > 0
        self._dead.setdefault(name, []).append(1.0 - float(alive.any(0).float().mean()))
        spent = cost.since(started)
        self.spent_s += spent
        self.outside_s += spent

    def _remove_hooks(self) -> None:
        for handle in self._relu_hooks.values():
            handle.remove()
        self._relu_hooks.clear()
        self._functional_relu(False)

    def _remove_all_hooks(self) -> None:
        self._remove_hooks()
        if self._grad_hook is not None:
            self._grad_hook.remove()
            self._grad_hook = None

    def _finish_probe(self, now: dict) -> None:
        probe, self._probe = self._probe, None
        self._probes.append(probe)
        self.result.sampled_steps.append(probe["step"])
        steps = probe["step"]
        if steps >= SETTLE_STEPS:
            self._judge_probes(now)
        later = [s for s in PROBE_STEPS if s > steps]  # the early sampled steps, then as the budget allows
        self._next_probe_step = later[0] if later else steps + PROBE_GAP

    def _within_budget(self) -> bool:
        """The doctor has spent less than its share of the run's time so far."""
        return self.spent_s < DOCTOR_SHARE * (time.perf_counter() - self._run_started)

    def _judge_probes(self, now: dict) -> None:
        recent = [p for p in self._probes if p["step"] >= SETTLE_STEPS][-2:]
        ratios = [p["first"][1] / p["last"][1] for p in recent if "first" in p and p["last"][1] > 0]
        vanishing = len(ratios) >= 2 and all(r < VANISHING_RATIO for r in ratios)
        dead = next(((name, shares[-2:]) for name, shares in self._dead.items()
                     if len(shares) >= 2 and all(s >= DEAD_SHARE for s in shares[-2:])), None)
        if dead and self.has("input_unscaled"):
            dead = None  # its consequence
        if (vanishing or dead) and self.read is not None:
            self.read()  # the values so far first: a NaN among them is the finding, not what follows it
        if vanishing:
            p = recent[-1]
            self.found("vanishing_gradients", "the gradients vanish before the first layers",
                       f"relative to its weights, the first layer ({p['first'][0]}) gets a gradient "
                       f"{statistics.median(ratios):.1e} times the last layer's ({p['last'][0]}): the layers near the "
                       "input barely learn",
                       "use ReLU in place of sigmoid or tanh, fewer layers, batch normalisation or residual connections, "
                       "and a fitting initialisation (nn.init.kaiming_normal_ for ReLU)", now)
        if dead:
            name, late = dead
            self.found("dead_relu", "most ReLU units are dead",
                       f"{statistics.median(late):.0%} of the units after layer {name} output 0 for every example "
                       f"of a batch, in each of the last {len(late)} checks: they pass no gradient and never recover",
                       "lower the learning rate, start biases at 0 (not negative), or use nn.LeakyReLU", now)

    def _latest_ratio(self) -> float:
        """The first layer's relative gradient over the last layer's, at the latest sampled step."""
        return _ratio(self._probes[-1]) if self._probes else math.inf

    # -- values read from the device --------------------------------------------------------
    @_timed
    def losses_read(self, first: int, losses: list[float], accuracy: list[float], now: dict) -> None:
        """The batches' losses as read, in order: a loss that explodes, then one that is not a
        number, each named at its own batch whatever the reads' grouping."""
        history = self.result.history
        start = history.loss[0] if history.loss else math.nan
        classes = self.result.classes
        ceiling = EXPLODING_FACTOR * max(start, math.log(classes) if classes else 0.0)
        for i, value in enumerate(losses):
            if self.has("nonfinite_loss"):
                return
            if not math.isfinite(value):
                self._nonfinite(first + i, value, self._at(first + i))
            elif value > ceiling and math.isfinite(start) and start > 0 and not self.has("exploding_loss"):
                self.found("exploding_loss", "the loss explodes",
                           f"the loss jumped from {start:.3g} at the first batch to {value:.3g} at batch {first + i + 1:,}",
                           f"lower the learning rate (it is {history.lr[first + i]:.3g}): ten times smaller at a time "
                           "until the loss falls; clipping the gradients (torch.nn.utils.clip_grad_norm_) also helps",
                           self._at(first + i))

    def _at(self, index: int) -> dict:
        """Batch ``index`` (from 0) as a finding's place: its number and its epoch."""
        starts = self.result.history.epoch_starts
        return {"step": index + 1, "epoch": sum(1 for s in starts if s <= index) or None}

    def _nonfinite(self, index: int, value: float, now: dict) -> None:
        history = self.result.history
        before = next((v for v in reversed(history.loss[:index]) if math.isfinite(v)), None)
        evidence = f"the loss became {'NaN' if math.isnan(value) else 'infinite'} at batch {index + 1:,}"
        if before is not None:
            evidence += f" (it was {before:.3g} before)"
        where, data_bad = self._first_bad_layer()
        if data_bad:
            self.found("nonfinite_loss", "the data holds NaN or infinite values", evidence + "; " + where,
                       "clean the data before training: find the bad rows with ~torch.isfinite(x).all(1)", now)
            return
        lr = history.lr[index] if index < len(history.lr) else math.nan
        self.found("nonfinite_loss", "the loss is no longer a number", evidence + (f"; {where}" if where else ""),
                   f"lower the learning rate (it is {lr:.3g}), ten times smaller at a time; clip the gradients "
                   "(torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)); a NaN never recovers, so start the "
                   "model again", now)

    def _first_bad_layer(self) -> tuple[str, bool]:
        """Where the model's output stops being finite, on its latest input (looked for only now)."""
        watch = self.watch
        model, x = (watch.last_model, watch.last_input) if watch else (None, None)
        if model is None or x is None:
            return "", False
        if x.is_floating_point() and not bool(torch.isfinite(x).all()):
            return "the model's input batch itself holds NaN or infinite values", True
        bad_weights = [n for n, p in model.named_parameters() if not bool(torch.isfinite(p).all())]
        if bad_weights:
            return (f"the weights are not finite any more, first in {bad_weights[0]}: an earlier step with too large "
                    "an update blew them up"), False
        seen: list[str] = []
        leaves = [(n, m) for n, m in model.named_modules() if n and not list(m.children())]

        def hook_for(name):
            def hook(module, args, output):
                if not seen and isinstance(output, torch.Tensor) and output.is_floating_point() \
                        and not bool(torch.isfinite(output).all()):
                    seen.append(f"{name} ({type(module).__name__})")
            return hook

        handles = [m.register_forward_hook(hook_for(n)) for n, m in leaves]
        try:
            with torch.no_grad():
                model(x)
        except Exception:  # noqa: BLE001 - only looking
            pass
        finally:
            for h in handles:
                h.remove()
        return (f"the first layer whose output is not finite: {seen[0]}" if seen else
                "the model's outputs are finite on its latest batch: the loss itself overflowed (outputs too large)"), False

    # -- epochs and evaluations --------------------------------------------------------------
    @_timed
    def epoch_ended(self, now: dict, start: int, end: int) -> None:
        """An epoch (batches ``start`` to ``end``) is over and its values are read."""
        self._judge_learning(now, start, end, complete=self.result.history.epoch_starts.index(start) + 1)

    @_timed
    def evaluated(self, record: dict, now: dict) -> None:
        evals = self.result.history.evals
        if len(evals) < 3 or self.has("overfitting"):
            return
        losses = [e["loss"] for e in evals]
        best = min(range(len(losses)), key=losses.__getitem__)
        if best >= len(losses) - 2:
            return
        rising = losses[-1] > losses[-2] > losses[best] and losses[-1] > OVERFIT_RISE * losses[best]
        train = self.result.history.loss
        at_best = _mean(train[max(0, evals[best]["batch"] - 20):evals[best]["batch"]])
        now_train = _mean(train[-20:])
        if rising and at_best is not None and now_train is not None and now_train < at_best:
            when = f"epoch {evals[best]['epoch']}" if evals[best].get("epoch") else f"batch {evals[best]['batch']:,}"
            self.found("overfitting", f"training and validation part ways: overfitting from {when}",
                       f"the validation loss was lowest at {when} ({losses[best]:.3g}) and is {losses[-1]:.3g} now, "
                       f"while the training loss kept falling ({at_best:.3g} to {now_train:.3g})",
                       f"keep the model of {when} (stop there), or add data, augmentation, dropout or weight decay, "
                       "or use a smaller model", now)

    @_timed
    def finished(self, now: dict) -> None:
        self._remove_all_hooks()
        h = self.result.history
        starts = h.epoch_starts
        if not starts:
            self._judge_learning(now, max(0, h.batches_done - 100), h.batches_done, complete=0)
            return
        # the last epoch, if the loop ran it whole (not one stopped a batch in)
        whole = starts[-1] - starts[-2] if len(starts) >= 2 else h.batches_per_epoch
        if whole and h.batches_done - starts[-1] < whole:
            if len(starts) >= 2:
                self._judge_learning(now, starts[-2], starts[-1], complete=len(starts) - 1)
            return
        self._judge_learning(now, starts[-1], h.batches_done, complete=len(starts))

    def _judge_learning(self, now: dict, first: int, end: int, complete: int) -> None:
        """Learning speed and progress, on the last whole epoch (its batches ``first`` to ``end``;
        ``complete``: the epochs done)."""
        h = self.result.history
        epoch_losses = [v for v in h.loss[first:end] if math.isfinite(v)]
        enough = h.steps >= SETTLE_STEPS and (complete >= 2 or h.batches_done >= 300) and epoch_losses
        if not enough or self.has("nonfinite_loss", "exploding_loss", "no_step", "optimizer_other_params"):
            return
        classes = self.result.classes
        loss_now = _mean(epoch_losses)
        start = _mean([v for v in h.loss[:5] if math.isfinite(v)])
        if not start or not classes:  # a classification's losses have a scale to judge them by (ln C)
            return
        fell = (start - loss_now) / start
        far_from_done = loss_now > 0.5 * math.log(classes)
        updates = [p["update"] for p in self._probes if "update" in p]
        vanishing = self.has("vanishing_gradients") or self._latest_ratio() < VANISHING_RATIO
        if vanishing or self.has("lr_too_low", "not_learning"):
            return
        if updates and far_from_done and statistics.median(updates) < TOO_LOW_UPDATE and fell < TOO_LOW_LOSS_CHANGE:
            moved = f"fell {fell:.1%}" if fell >= 0 else f"rose {-fell:.1%}"
            self.found("lr_too_low", "the learning rate is too low to move the loss",
                       f"over {h.batches_done:,} batches the loss went from {start:.4g} to {loss_now:.4g} (it {moved}); "
                       f"each step changes the weights by about {statistics.median(updates):.0e} of their size, where "
                       "about 1e-3 is typical",
                       f"raise the learning rate (it is {h.lr[-1]:.3g}) ten times at a time (the slider does it "
                       "live): Adam's usual start is 1e-3, SGD's 0.01 to 0.1", now)
            return
        accuracy = [a for a in h.accuracy[first:end] if not math.isnan(a)]
        if not accuracy:
            return
        mean_accuracy = sum(accuracy) / len(accuracy)
        flat = fell < FLAT_LOSS  # a slow learner's loss falls, if only a little
        if mean_accuracy <= 1 / classes + CHANCE_MARGIN and loss_now >= 0.9 * math.log(classes) and flat:
            self.found("not_learning", "the network learns nothing: it stays at chance",
                       f"after {complete} epoch{'s' if complete > 1 else ''} the training accuracy is "
                       f"{mean_accuracy:.1%} (chance: {1 / classes:.1%}) and the loss {loss_now:.3g}, about ln({classes}) "
                       f"= {math.log(classes):.2f}, where it started",
                       "check that each input keeps its own label (shuffle them together), that the labels are "
                       "the right ones, and that the learning rate moves the loss", now)


def _versions(model) -> list[int]:
    return [p._version for p in model.parameters()]


def _has_weight(module) -> bool:
    return isinstance(getattr(module, "weight", None), nn.Parameter)


def _ratio(probe: dict) -> float:
    return probe["first"][1] / probe["last"][1] if "first" in probe and probe["last"][1] > 0 else math.inf


def _mean(values):
    values = [v for v in values if math.isfinite(v)]
    return sum(values) / len(values) if values else None


def _dtype(x) -> str:
    return str(x.dtype).replace("torch.", "")


def _round_up(value: float) -> float:
    for limit in (1, 16, 100, 255, 1000, 4095, 65535):
        if value <= limit:
            return limit
    return value
