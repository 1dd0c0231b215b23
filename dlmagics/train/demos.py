"""The experiments that made deep learning work, each a race that shows its lesson.

Each demo builds a ``Plan`` (contenders, data, length) from the settings and states its
lesson as a claim in its docstring; ``check`` measures that claim on a finished run. The
test suite runs every demo at ``--quick`` size over three seeds and asserts the claim, so a
change that hides a lesson fails CI. The settings were tuned until each lesson is plain.
"""

from __future__ import annotations

import copy
import math
import statistics
from dataclasses import dataclass, replace
from typing import Callable

import torch

from ..hardware.devices import race_line_up
from . import data as datasets
from .defaults import SEED
from .engine import BatchStream, Contender, Controls, History, Plan, run_race
from .nets import RBM, conv_then_dense, deep_net, layer_prefixes, mlp, parameter_count, small_cnn


@dataclass(frozen=True)
class Settings:
    epochs: int
    lr: float
    batch_size: int
    seed: int = SEED
    device: str = "cpu"
    devices: tuple[str, ...] = ()  # hardware: the devices to race (labels as in %%gpubench)
    quick: bool = False
    data: str | None = None  # a folder with MNIST's IDX files, or (own_images demos) any dlmagics.data source


@dataclass(frozen=True)
class Lesson:
    holds: bool
    measured: str  # the numbers the claim was checked on, in words


@dataclass(frozen=True)
class Demo:
    name: str
    year: str
    title: str
    build: Callable[[Settings], Plan]
    check: Callable[["object"], Lesson]
    epochs: int
    lr: float
    batch_size: int
    quick_epochs: int
    panel: str | Callable = "curves"  # the third picture: boundary, gradients, filters... (pictures.py), or a function of the result
    uses_digits: bool = True  # takes --data (MNIST) in place of the shipped digits
    own_images: bool = False  # --data may also be a learner's images, CIFAR-10 or an .npz (dlmagics.data)
    min_classes: int = 2  # that --data must have, and why (said when it has fewer)
    classes_why: str = "a classifier tells two or more apart"
    metric: str = "accuracy"  # what the curves compare: accuracy, or an RBM's reconstruction error
    race: Callable | None = None  # how the plan trains: engine.run_race in this process, or parallel.race on ranks
    cannot_run: Callable[[Settings], str | None] | None = None  # why this machine cannot run it, in one line
    steerable: bool = True  # the learning-rate slider and Pause act on the run (not on ranks in other processes)

    @property
    def story(self) -> str:
        return " ".join((self.build.__doc__ or "").strip().split("\n\n")[0].split())

    @property
    def claim(self) -> str:
        doc = (self.build.__doc__ or "").strip()
        return " ".join(doc.split("Lesson: ", 1)[1].split()) if "Lesson: " in doc else ""

    def settings(self, quick: bool = False, **given) -> Settings:
        chosen = {k: v for k, v in given.items() if v is not None}
        chosen.setdefault("epochs", self.quick_epochs if quick else self.epochs)
        chosen.setdefault("lr", self.lr)
        chosen.setdefault("batch_size", self.batch_size)
        return Settings(quick=quick, **chosen)


DEMOS: dict[str, Demo] = {}


def demo(name: str, year: str, title: str, check, epochs: int, lr: float, batch_size: int, quick_epochs: int,
         **options):
    def register(build):
        DEMOS[name] = Demo(name, year, title, build, check, epochs, lr, batch_size, quick_epochs, **options)
        return build
    return register


# -- helpers ---------------------------------------------------------------------------

def _digits(s: Settings) -> datasets.Dataset:
    if s.data and datasets.is_mnist(s.data):
        return datasets.mnist(s.data, s.seed, limit=6000 if s.quick else 30000)
    if s.data:
        return datasets.own_images(s.data, s.seed, s.quick)
    return datasets.digits(s.seed)


def _steps(s: Settings, train_size: int) -> int:
    return max(1, s.epochs * math.ceil(train_size / s.batch_size))


def _seeded(seed: int, make):
    """Build a model from a fixed seed, so contenders of one shape start from the same weights."""
    torch.manual_seed(seed)
    return make()


def final(result, name: str, key: str = "test_accuracy") -> float:
    return result.history.evals[name][-1][key]


class NotReached(ValueError):
    """The run ended before the point its lesson is measured at."""


def at_quarter(result, name: str, key: str = "test_accuracy") -> float:
    """The metric at the first evaluation a quarter of the way into the planned steps
    (NotReached if the run was stopped before: another point would not be the claim's)."""
    h = result.history
    wanted = h.steps_planned / 4
    reached = next((e for e in h.evals[name] if e["step"] >= wanted), None)
    if reached is None:
        raise NotReached(f"the run ended at step {h.steps_done:,}, before a quarter of its {h.steps_planned:,} steps")
    return reached[key]


def _ratio_first_last(norms: list[list[float]]) -> float:
    """Median over the steps of |grad| of the first layer / |grad| of the last."""
    return statistics.median(n[0] / n[-1] if n[-1] > 0 else math.inf for n in norms)


# -- 1. XOR ----------------------------------------------------------------------------

def _check_xor(r) -> Lesson:
    p, m = final(r, "perceptron"), final(r, "MLP 2-8-2")
    return Lesson(p <= 0.75 and m >= 0.99, f"perceptron {p:.0%}, MLP {m:.0%} test accuracy")


@demo("xor", "1969 / 1986", "XOR: the perceptron vs a hidden layer", _check_xor,
      epochs=300, lr=0.5, batch_size=200, quick_epochs=150, panel="boundary", uses_digits=False)
def build_xor(s: Settings) -> Plan:
    """Minsky and Papert (1969) showed that a perceptron, one layer of weights, cannot tell
    XOR apart: no straight line separates the corners. Backpropagation (1986) trains a hidden
    layer that bends the boundary.

    Lesson: the perceptron's test accuracy stays at or below 75%; the MLP with one hidden
    layer of 8 reaches at least 99%.
    """
    data = datasets.xor(s.seed)
    contenders = [
        Contender("perceptron", _seeded(s.seed, lambda: mlp([2, 2])), device=s.device),
        Contender("MLP 2-8-2", _seeded(s.seed, lambda: mlp([2, 8, 2], "tanh")), device=s.device),
    ]
    return Plan(contenders, data, _steps(s, len(data.x_train)), s.batch_size)


# -- 2. vanishing gradients -------------------------------------------------------------

def _check_vanishing(r) -> Lesson:
    sig = _ratio_first_last(r.history.grad_norms["sigmoid"])
    relu = _ratio_first_last(r.history.grad_norms["ReLU + He init"])
    return Lesson(sig < 1e-3 and relu > 1e-1,
                  f"first/last layer gradient norm: sigmoid {sig:.1e}, ReLU {relu:.2f} (median over steps)")


@demo("vanishing", "1991 / 2010", "Vanishing gradients: sigmoid vs ReLU", _check_vanishing,
      epochs=6, lr=0.05, batch_size=32, quick_epochs=1, panel="gradients")
def build_vanishing(s: Settings) -> Plan:
    """Hochreiter (1991) found why deep sigmoid nets do not learn: each layer multiplies the
    gradient by the sigmoid's slope, at most 1/4, and by its weights, so with weights that are
    not large the first layers get almost none. ReLU (Nair and Hinton 2010, Glorot et al.
    2011) with He initialisation (2015) passes the gradient through intact.

    Lesson: in a net of 10 hidden layers, the sigmoid net's first-layer gradient norm is
    below 1e-3 of its last layer's; the ReLU net's stays above 1e-1.
    """
    data = _digits(s)
    sizes = [data.features] + [64] * 10 + [data.classes]
    contenders = [
        Contender("sigmoid", _seeded(s.seed, lambda: mlp(sizes, "sigmoid")), "momentum", grad_norms=True,
                  device=s.device),
        Contender("ReLU + He init", _seeded(s.seed, lambda: mlp(sizes, "relu", init="he")), "momentum",
                  grad_norms=True, device=s.device),
    ]
    return Plan(contenders, data, _steps(s, len(data.x_train)), s.batch_size)


# -- 3. dropout ------------------------------------------------------------------------

def _climb(evals: list[dict]) -> float:
    """How far the test loss ends above its lowest point: overfitting's signature."""
    losses = [e["test_loss"] for e in evals]
    return losses[-1] - min(losses)


def _check_dropout(r) -> Lesson:
    plain, dropped = (_climb(r.history.evals[n]) for n in r.history.names)
    return Lesson(plain >= 1.5 * max(dropped, 1e-3),
                  f"test loss climbs {plain:.2f} above its best without dropout, {dropped:.2f} with")


@demo("dropout", "2012", "Dropout against overfitting", _check_dropout,
      epochs=150, lr=1e-3, batch_size=32, quick_epochs=100)
def build_dropout(s: Settings) -> Plan:
    """A big net trained on few examples memorises them: its training accuracy reaches 100%
    while its test loss climbs. Dropout (Hinton et al. 2012; Srivastava et al. 2014) switches
    off a random half of the units at each step, so no unit can rely on another.

    Lesson: trained on 200 digits with 30% of their labels wrong, the net without dropout
    ends with its test loss at least 1.5 times as far above its best as the dropout net's.
    """
    data = _noisy_labels(_digits(s).subset(200), 0.3, s.seed)
    sizes = [data.features, 512, 512, data.classes]
    contenders = [
        Contender("no dropout", _seeded(s.seed, lambda: mlp(sizes)), "adam", device=s.device),
        Contender("dropout 0.5", _seeded(s.seed, lambda: mlp(sizes, dropout=0.5)), "adam", device=s.device),
    ]
    return Plan(contenders, data, _steps(s, len(data.x_train)), s.batch_size)


def _noisy_labels(data: datasets.Dataset, fraction: float, seed: int) -> datasets.Dataset:
    """Give ``fraction`` of the training examples a wrong label: small, noisy data to memorise."""
    generator = torch.Generator().manual_seed(seed)
    y = data.y_train.clone()
    wrong = torch.randperm(len(y), generator=generator)[:int(len(y) * fraction)]
    y[wrong] = (y[wrong] + torch.randint(1, data.classes, (len(wrong),), generator=generator)) % data.classes
    return replace(data, y_train=y)


# -- 4. batch norm ---------------------------------------------------------------------

def _check_batchnorm(r) -> Lesson:
    names = r.history.names
    plain, bn = (final(r, n) for n in names)
    words = f"test accuracy {plain:.0%} without batch norm, {bn:.0%} with"
    blew_up = r.diverged(names[0])
    if blew_up:
        words += f"; without batch norm the net {blew_up}: this learning rate is too high for it"
    return Lesson(bn >= 0.8 and plain <= 0.3, words)


@demo("batchnorm", "2015", "Batch norm at a high learning rate", _check_batchnorm,
      epochs=8, lr=1.0, batch_size=64, quick_epochs=3)
def build_batchnorm(s: Settings) -> Plan:
    """Ioffe and Szegedy (2015) normalised each layer's inputs over the batch, so a deep net
    keeps training at learning rates that would blow up a plain one.

    Lesson: a net of 10 ReLU layers (He initialisation) at learning rate 1 stays at or below
    30% test accuracy without batch norm and reaches at least 80% with it.
    """
    data = _digits(s)
    sizes = [data.features] + [64] * 10 + [data.classes]
    contenders = [
        Contender("plain", _seeded(s.seed, lambda: mlp(sizes, "relu", init="he")), device=s.device),
        Contender("batch norm", _seeded(s.seed, lambda: mlp(sizes, "relu", init="he", batchnorm=True)),
                  device=s.device),
    ]
    return Plan(contenders, data, _steps(s, len(data.x_train)), s.batch_size)


# -- 5. optimizers ---------------------------------------------------------------------

def _check_optimizers(r) -> Lesson:
    first = {n: at_quarter(r, n) for n in r.history.names}
    sgd = first["SGD"]
    best = min(first["Adam"], first["AdamW"], first["SGD + momentum"])
    return Lesson(best >= sgd + 0.2, "test accuracy a quarter of the way: " +
                  ", ".join(f"{n} {v:.0%}" for n, v in first.items()))


@demo("optimizers", "1964 / 2014 / 2017", "SGD, momentum, Adam, AdamW", _check_optimizers,
      epochs=10, lr=0.01, batch_size=32, quick_epochs=4)
def build_optimizers(s: Settings) -> Plan:
    """The same net from the same start, with four ways to follow the gradient: plain SGD,
    SGD with momentum (Polyak 1964), Adam (Kingma and Ba 2014), which scales each weight's
    step by its gradient's history, and AdamW (Loshchilov and Hutter 2017), Adam with
    decoupled weight decay. The course's advice is to swap SGD for AdamW.

    Lesson: at the same learning rate, a quarter of the way in, momentum, Adam and AdamW
    are each at least 20 points of test accuracy ahead of plain SGD.
    """
    data = _digits(s)
    sizes = [data.features, 128, 128, data.classes]
    contenders = [Contender(label, _seeded(s.seed, lambda: mlp(sizes)), optimizer, device=s.device)
                  for label, optimizer in (("SGD", "sgd"), ("SGD + momentum", "momentum"), ("Adam", "adam"),
                                           ("AdamW", "adamw"))]
    return Plan(contenders, data, _steps(s, len(data.x_train)), s.batch_size)


# -- 6. ResNet -------------------------------------------------------------------------

def _check_resnet(r) -> Lesson:
    plain, residual = (final(r, n) for n in r.history.names)
    return Lesson(residual - plain >= 0.5, f"test accuracy {plain:.0%} plain, {residual:.0%} residual")


@demo("resnet", "2015", "Skip connections: plain vs residual", _check_resnet,
      epochs=5, lr=0.01, batch_size=32, quick_epochs=2)
def build_resnet(s: Settings) -> Plan:
    """He et al. (2015) saw deeper plain nets train worse than shallower ones, even on their
    training data. Adding each block's input to its output (a skip connection) lets the
    gradient flow straight through, and made 152 layers trainable.

    Lesson: with 20 blocks of the same layers, the residual net's test accuracy is at least
    50 points above the plain net's.
    """
    data = _digits(s)
    contenders = [
        Contender(name, _seeded(s.seed, lambda: deep_net(data.features, 64, 20, data.classes, residual)),
                  "momentum", device=s.device)
        for name, residual in (("plain, 20 blocks", False), ("residual, 20 blocks", True))
    ]
    return Plan(contenders, data, _steps(s, len(data.x_train)), s.batch_size)


# -- 7. RBMs and deep belief nets ------------------------------------------------------

def _binary(data: datasets.Dataset) -> datasets.Dataset:
    """Pixels as on/off, as an RBM with binary visible units expects."""
    return replace(data, x_train=(data.x_train > 0.5).float(), x_test=(data.x_test > 0.5).float())


def _check_rbm(r) -> Lesson:
    base = r.notes["baseline_error"]
    small, big = (final(r, n, "test_loss") for n in r.history.names)
    return Lesson(big <= 0.5 * base and big < small,
                  f"reconstruction error {small:.3f} (16 hidden), {big:.3f} (64 hidden); "
                  f"the average digit gives {base:.3f}")


@demo("rbm", "2002 / 2006", "A restricted Boltzmann machine learns strokes", _check_rbm,
      epochs=100, lr=0.1, batch_size=32, quick_epochs=30, panel="filters", metric="reconstruction")
def build_rbm(s: Settings) -> Plan:
    """A restricted Boltzmann machine (Smolensky's "harmonium", 1986) learns, without labels,
    hidden features that can rebuild its input; Hinton's contrastive divergence (CD-1, 2002)
    made it fast to train. Stacked, they started the 2006 deep-learning revival. The filters
    it learns look like pen strokes.

    Lesson: an RBM with 64 hidden units rebuilds test digits with at most half the error of
    always guessing the average digit, and better than one with 16 hidden units.
    """
    data = _binary(_digits(s))
    mean = data.x_train.flatten(1).mean(0)
    baseline = float(((data.x_test.flatten(1) - mean) ** 2).mean())
    contenders = [Contender(f"RBM, {h} hidden", _seeded(s.seed, lambda: RBM(data.features, h)), device=s.device)
                  for h in (16, 64)]
    return Plan(contenders, data, _steps(s, len(data.x_train)), s.batch_size, notes={"baseline_error": baseline})


def _pretrain_stack(data: datasets.Dataset, sizes: list[int], epochs: int, lr: float, batch_size: int,
                    seed: int) -> tuple[list[RBM], list[float]]:
    """Greedy layer-wise pre-training (Hinton, Osindero and Teh 2006): each RBM learns from the
    hidden units of the one below. Returns the RBMs and each one's final reconstruction error."""
    rbms, errors = [], []
    x = data.x_train.flatten(1)
    for fan_in, fan_out in zip(sizes, sizes[1:]):
        rbm = _seeded(seed, lambda: RBM(fan_in, fan_out))
        stream = BatchStream(x, data.y_train, batch_size, seed)
        for _ in range(epochs * math.ceil(len(x) / batch_size)):
            error = rbm.contrastive_divergence(stream.next()[0], lr)
        rbms.append(rbm)
        errors.append(error)
        x = rbm.hidden_probs(x).detach()
    return rbms, errors


def _check_dbn(r) -> Lesson:
    quarter = {n: at_quarter(r, n) for n in r.history.names}
    pre, rand = quarter["pre-trained"], quarter["random init"]
    return Lesson(pre >= rand + 0.2, f"test accuracy a quarter of the way: pre-trained {pre:.0%}, random {rand:.0%}")


@demo("dbn", "2006", "Pre-training a deep belief net, then fine-tuning", _check_dbn,
      epochs=10, lr=0.5, batch_size=32, quick_epochs=4)
def build_dbn(s: Settings) -> Plan:
    """In 2006 Hinton, Osindero and Teh trained a deep net one layer at a time, each layer an
    RBM fed by the one below, then fine-tuned the whole stack with labels. Starting from those
    weights, a deep sigmoid net learned where the same net from random weights barely moved.

    Lesson: a quarter of the way into fine-tuning, the pre-trained net's test accuracy is at
    least 20 points above the randomly initialised one's.
    """
    data = _binary(_digits(s))
    sizes = [data.features, 128, 64, 32]
    rbms, errors = _pretrain_stack(data, sizes, 20, 0.1, s.batch_size, s.seed)
    pretrained = _seeded(s.seed, lambda: mlp(sizes + [data.classes], "sigmoid"))
    for layer, rbm in zip([m for m in pretrained if isinstance(m, torch.nn.Linear)], rbms):
        with torch.no_grad():
            layer.weight.copy_(rbm.weight.t())
            layer.bias.copy_(rbm.hidden_bias)
    contenders = [
        Contender("pre-trained", pretrained, device=s.device),
        Contender("random init", _seeded(s.seed, lambda: mlp(sizes + [data.classes], "sigmoid")), device=s.device),
    ]
    return Plan(contenders, data, _steps(s, len(data.x_train)), s.batch_size,
                notes={"pretraining_errors": errors})


# -- 8. the course's dense net on digits -----------------------------------------------

def _dense(data: datasets.Dataset) -> torch.nn.Module:
    return mlp([data.features, 512, 512, data.classes], dropout=0.2)


def _check_mnist(r) -> Lesson:
    dense, linear = (final(r, n) for n in r.history.names)
    return Lesson(dense >= 0.95 and (1 - dense) <= 0.8 * (1 - linear),
                  f"test accuracy {dense:.1%} dense, {linear:.1%} linear")


@demo("mnist", "1998 / 2015", "Handwritten digits: the course's dense net", _check_mnist,
      epochs=15, lr=1e-3, batch_size=32, quick_epochs=5, panel="confusion")
def build_mnist(s: Settings) -> Plan:
    """The course's first network, from Keras's MNIST example (examples/mnist_mlp.py, in this
    form since November 2015): two hidden layers of 512 ReLU units with dropout, trained here
    with Adam, reads handwritten digits (LeCun's MNIST, 1998, or here the UCI 8x8 digits;
    ``--data`` takes MNIST's IDX files). Beside it, a linear classifier with no hidden layer.

    Lesson: the dense net reaches at least 95% test accuracy and makes at most 80% of the
    linear classifier's errors.
    """
    data = _digits(s)
    contenders = [
        Contender("dense 512-512", _seeded(s.seed, lambda: _dense(data)), "adam", device=s.device),
        Contender("linear", _seeded(s.seed, lambda: mlp([data.features, data.classes])), "adam", device=s.device),
    ]
    return Plan(contenders, data, _steps(s, len(data.x_train)), s.batch_size)


# -- 9. convolutions -------------------------------------------------------------------

def random_shift(x: torch.Tensor, generator: torch.Generator, pixels: int = 1) -> torch.Tensor:
    """Move each image by up to ``pixels`` in x and y (AlexNet's random crops, at 8x8).

    Digits are not flipped: a mirrored 2 is not a 2, so flips would teach the wrong thing.
    """
    padded = torch.nn.functional.pad(x, (pixels,) * 4)
    dx, dy = torch.randint(0, 2 * pixels + 1, (2,), generator=generator).tolist()
    return padded[..., dy:dy + x.shape[-2], dx:dx + x.shape[-1]]


def _check_cnn(r) -> Lesson:
    cnn, dense = (final(r, n) for n in r.history.names)
    params = r.notes["parameters"]
    share = params[r.history.names[0]] / params[r.history.names[1]]
    return Lesson(cnn >= dense - 0.01 and share <= 0.1,
                  f"test accuracy {cnn:.1%} CNN, {dense:.1%} dense; the CNN has {share:.0%} of the parameters")


@demo("cnn", "1989 / 2012", "Convolutions see images", _check_cnn,
      epochs=20, lr=1e-3, batch_size=32, quick_epochs=10, panel="gradcam", own_images=True)
def build_cnn(s: Settings) -> Plan:
    """A convolution slides one small filter over the whole image, so what it learns in one
    place works everywhere (LeCun 1989). AlexNet (2012) added ReLU, dropout and shifted and
    flipped crops; here the CNN gets ReLU, dropout and random one-pixel shifts.

    Lesson: the CNN matches the dense net's test accuracy (within 1 point) with at most a
    tenth of its parameters.
    """
    data = _digits(s)
    side = data.x_train.shape[-1]
    cnn = _seeded(s.seed, lambda: small_cnn(data.classes, side, in_channels=data.x_train.shape[1]))
    dense = _seeded(s.seed, lambda: _dense(data))
    contenders = [
        Contender("CNN", cnn, "adam", augment=random_shift, device=s.device),
        Contender("dense 512-512", dense, "adam", device=s.device),
    ]
    return Plan(contenders, data, _steps(s, len(data.x_train)), s.batch_size,
                notes={"parameters": {c.name: parameter_count(c.model) for c in contenders}})


# -- 10. data scale --------------------------------------------------------------------

def _check_datascale(r) -> Lesson:
    sizes = r.notes["train_sizes"]
    acc = [final(r, n) for n in r.history.names]
    rising = all(b >= a - 0.03 for a, b in zip(acc, acc[1:]))
    return Lesson(acc[-1] >= acc[0] + 0.1 and rising,
                  "test accuracy by training examples: " + ", ".join(f"{n} {a:.0%}" for n, a in zip(sizes, acc)))


@demo("datascale", "2009", "More data keeps helping", _check_datascale,
      epochs=15, lr=1e-3, batch_size=32, quick_epochs=5, panel="datascale")
def build_datascale(s: Settings) -> Plan:
    """ImageNet (Deng et al. 2009) bet that data, not cleverer features, was what vision
    lacked. The same net, trained for the same number of steps on 1/64 up to all of the
    training set: test accuracy climbs as the data grows.

    Lesson: the net trained on all the data is at least 10 points more accurate than the one
    trained on 1/64 of it, and no doubling loses more than 3 points.
    """
    data = _digits(s)
    fractions = (64, 32, 16, 8, 4, 2, 1)
    sizes = [len(data.x_train) // f for f in fractions]
    contenders = [Contender(f"{n} examples", _seeded(s.seed, lambda: mlp([data.features, 256, data.classes])), "adam",
                            data=data.subset(n), device=s.device) for n in sizes]
    return Plan(contenders, data, _steps(s, len(data.x_train)), s.batch_size, notes={"train_sizes": sizes})


# -- 11. hardware ----------------------------------------------------------------------

def _check_hardware(r) -> Lesson:
    measured = {n: r.samples_per_second(n) for n in r.history.names}
    speed = {n: v for n, v in measured.items() if v is not None}  # a diverged or untimed device has none
    untimed = "".join(f"; {n}: {r.diverged(n) or 'not timed'}" for n, v in measured.items() if v is None)
    if not speed:
        return Lesson(False, "no device was timed" + untimed)
    slowest = min(speed.values())
    fastest_name = max(speed, key=speed.get)
    text = ", ".join(f"{n} {v:,.0f}" for n, v in speed.items()) + " samples/s" + untimed
    if len(speed) < 2:
        return Lesson(len(measured) < 2, text + " (one device: nothing to race)")
    return Lesson(speed[fastest_name] >= 1.2 * slowest, text + f"; {fastest_name} is {speed[fastest_name] / slowest:.1f}x "
                  "the slowest")


@demo("hardware", "2007 / 2012", "The same training on each device", _check_hardware,
      epochs=40, lr=1e-3, batch_size=256, quick_epochs=8, panel="throughput")
def build_hardware(s: Settings) -> Plan:
    """CUDA (2007) let a graphics card run any arithmetic, and AlexNet (2012) trained on two
    GPUs in five to six days (the paper gives no CPU time to compare; the course's "months on
    CPUs" is its own estimate). The same net and batches on one CPU thread, on all of them,
    and on each GPU: the training speed in samples per second.

    Lesson: the fastest device trains at least 1.2 times as many samples per second as the
    slowest (all CPU threads against one, on a machine with two or more cores).
    """
    data = _digits(s)
    sizes = [data.features, 1024, 1024, data.classes]
    contenders = [Contender(label, _seeded(s.seed, lambda: mlp(sizes)), "adam", device=device, threads=threads)
                  for label, device, threads in race_line_up(s.devices)]
    return Plan(contenders, data, _steps(s, len(data.x_train)), s.batch_size)


# -- 12. transfer learning -------------------------------------------------------------

def _check_transfer(r) -> Lesson:
    acc = {n: final(r, n) for n in r.history.names}
    conv, both, tuned = acc["frozen conv"], acc["frozen conv + dense"], acc["fine-tuned"]
    return Lesson(conv >= tuned - 0.03 and both <= tuned - 0.15,
                  "test accuracy on the new classes: " + ", ".join(f"{n} {a:.0%}" for n, a in acc.items()))


@demo("transfer", "2014", "Transfer learning: which layers to freeze", _check_transfer,
      epochs=150, lr=1e-3, batch_size=25, quick_epochs=60, panel="gradcam", own_images=True, min_classes=4,
      classes_why="the first half to learn first, the second half to transfer to")
def build_transfer(s: Settings) -> Plan:
    """Features learned on one task can serve another; the course asks "which layers would you
    freeze?". A net of two convolutions of 16 and 32 filters and two dense hidden layers of 256
    first learns the digits 0-4; it then meets the digits 5-9, with only 5 examples of each. Its
    copies learn them with the convolutions frozen, with the dense hidden layers frozen as well
    (only a new last layer learns), or with every layer fine-tuned; a net of the same shape
    learns them from random weights. Yosinski et al. (2014) found that low layers learn features
    that hold for any image and high layers features of their own task: freeze the high ones
    and the new task suffers. The Grad-CAM panel shows where the net with frozen convolutions
    looks.

    Lesson: freezing the convolutions costs at most 3 points of test accuracy on the new digits
    against fine-tuning every layer; freezing the dense hidden layers as well costs at least 15
    points.
    """
    full = _digits(s)
    first = full.classes // 2  # the digits: 0-4 first, then 5-9; a learner's classes the same way
    source = full.only(list(range(first)))
    target = full.only(list(range(first, full.classes)))
    new = full.classes - first
    few = torch.cat([torch.nonzero(target.y_train == k).flatten()[:5] for k in range(new)])
    target = replace(target, x_train=target.x_train[few], y_train=target.y_train[few])
    side, channels = full.x_train.shape[-1], full.x_train.shape[1]
    base = _seeded(s.seed, lambda: conv_then_dense(first, side, channels))
    pretrain = Contender("source", base, "adam")
    run_race(Plan([pretrain], source, 4 * math.ceil(len(source.x_train) / 32), 32), Controls(1e-3), s.seed,
             History(["source"], 0))

    def reuse():
        model = copy.deepcopy(base)
        model[-1] = torch.nn.Linear(model[-1].in_features, new)
        return model

    convolutions = layer_prefixes(base, torch.nn.Conv2d)
    below_the_last = convolutions + layer_prefixes(base, torch.nn.Linear)[:-1]
    contenders = [
        Contender("frozen conv", _seeded(s.seed, reuse), "adam", frozen=convolutions, device=s.device),
        Contender("frozen conv + dense", _seeded(s.seed, reuse), "adam", frozen=below_the_last, device=s.device),
        Contender("fine-tuned", _seeded(s.seed, reuse), "adam", device=s.device),
        Contender("from scratch", _seeded(s.seed, lambda: conv_then_dense(new, side, channels)), "adam",
                  device=s.device),
    ]
    return Plan(contenders, target, _steps(s, len(target.x_train)), s.batch_size,
                notes={"source_accuracy": pretrain.evaluate(source.x_test, source.y_test)["accuracy"],
                       "source_classes": list(range(first)), "target_classes": list(range(first, full.classes))})


# -- 13. beyond one device -------------------------------------------------------------

def _parallel_plan(s: Settings, kind: str, phases: list[dict]) -> Plan:
    """The phases as contenders (one process, then each rank: the one-device net they all
    build from the seed, ranks.net), trained on ranks by parallel.race."""
    from .ranks import net

    data = datasets.digits(s.seed)
    contenders = [Contender(name, _seeded(s.seed, lambda: net(kind, p, data)), "adam")
                  for p in phases for name in (p["one"], *p["ranks"])]
    return Plan(contenders, data, sum(2 * p["steps"] for p in phases), s.batch_size,
                notes={"kind": kind, "phases": phases, "backend": "nccl" if s.device.startswith("cuda") else "gloo",
                       "batch_sizes": {name: p["batch"] for p in phases for name in (p["one"], *p["ranks"])}})


def _split_steps(s: Settings, train_size: int, batch: int) -> int:
    return s.epochs * math.ceil(train_size / batch)


def _check_split(r) -> Lesson:
    from .parallel import figures

    try:
        small, wide = figures(r)
    except ValueError as early:  # stopped before a phase's end: its figures would not be the claim's
        raise NotReached(str(early)) from None
    same = all(abs(f.accuracy_ranks - f.accuracy_one) <= 0.02 for f in (small, wide))
    return Lesson(wide.speedup > small.speedup and same, f"{small.words()}; {wide.words()}")


def _parallel_demo(name: str, year: str, title: str, epochs: int, **options):
    from .parallel import cannot_run, panel, race

    return demo(name, year, title, _check_split, epochs=epochs, lr=1e-3, batch_size=32, quick_epochs=1,
                panel=panel, uses_digits=False, race=race, cannot_run=cannot_run, steerable=False, **options)


@_parallel_demo("parallel", "2012 / 2020", "Data parallelism: two ranks share each batch", epochs=10)
def build_parallel(s: Settings) -> Plan:
    """Since DistBelief (Dean et al. 2012), large nets train on many devices at once. With
    PyTorch's DistributedDataParallel (DDP, Li et al. 2020), each of two ranks (processes, here
    one CPU core each) holds a copy of the net and takes half of each batch, and DDP sums their
    gradients with an all_reduce at each step, so
    both copies take the step one process would take on the whole batch. Splitting halves the
    computing and adds the communication: it pays only when a step computes more than it
    sends. A net with two hidden layers of 32 units on small batches, then one with two hidden
    layers of 256 units on big batches, each trained by one process and by two ranks.

    Lesson: two ranks gain more samples per second over one process with the wide net on big
    batches than with the small net on small batches, and end within 2 points of the one
    process's test accuracy.
    """
    from .parallel import phase

    train = len(datasets.digits(s.seed).x_train)
    phases = [phase("small net", _split_steps(s, train, s.batch_size), s.batch_size, width=32),
              phase("wide net", _split_steps(s, train, 1024), 1024, width=256)]
    return _parallel_plan(s, "parallel", phases)


@_parallel_demo("alexnet2", "2012", "AlexNet's two-GPU split, in small", epochs=10)
def build_alexnet2(s: Settings) -> Plan:
    """AlexNet (Krizhevsky, Sutskever and Hinton 2012) did not fit on one GPU of its day, so
    it was cut in two: each GPU held half of the filters of every layer, and the halves
    exchanged activations only into the third convolution and into the fully connected layers.
    The same cut in small, on two ranks: each holds its half of the weights, and the halves
    meet by all_gather where the paper's did. Beside it, the whole net on one device (its
    second convolution grouped, so it computes the same function). A narrow net on small
    batches, then a wide one on big batches.

    Lesson: two ranks gain more samples per second over one device with the wide net on big
    batches than with the narrow net on small batches, and end within 2 points of the one
    device's test accuracy.
    """
    from .parallel import phase

    train = len(datasets.digits(s.seed).x_train)
    phases = [phase("narrow net", _split_steps(s, train, s.batch_size), s.batch_size, "one device", width=4,
                    hidden=16),
              phase("wide net", _split_steps(s, train, 256), 256, "one device", width=32, hidden=128)]
    return _parallel_plan(s, "alexnet2", phases)
