"""Grad-CAM (Selvaraju et al. 2017): where a CNN looks when it answers, for a learner's own
model and the demos' CNNs. captum's LayerGradCam computes the maps; this module adds what a
learner needs around it: the last convolutional layer found, a frozen backbone that still
gets a map (pytorch-grad-cam#95), the model left exactly as it was (mode, requires_grad, no
hook), the top class against the runner-up, and the sanity check of Adebayo et al. (2018):
randomise the weights top-down on a copy and see whether the map changes.

Its picture is drawn by gradcam_view.py (registered in ../views.py): no view is imported here.
"""

from __future__ import annotations

import copy
import math
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from .. import views

SANITY_SEED = 0  # the random weights of the sanity check, the same at each call
SANITY_STEPS = 5  # maps computed along the cascade at most (the last: every layer randomised)
UNTRUSTED_AT = 0.5  # rank correlation with the trained map after full randomisation: at or above it, the map
# "barely changes" (Adebayo et al. 2018: Grad-CAM falls to about 0 on a real net; Guided Backprop stays high)


class GradCamError(ValueError):
    """Grad-CAM cannot run on this model or these images; the message says what is allowed."""


@dataclass
class Sanity:
    """The cascading randomisation: after each step, the layers randomised so far (from the
    output down, the lowest named) and the mean Spearman rank correlation of the map with the
    trained model's."""

    steps: list[tuple[str, float]]
    layers: int  # how many layers with weights were randomised in all

    @property
    def similarity(self) -> float:
        """The rank correlation once every layer is random."""
        return self.steps[-1][1]

    @property
    def trusted(self) -> bool:
        return self.similarity < UNTRUSTED_AT

    def verdict(self) -> str:
        every = "its one layer's" if self.layers == 1 else f"all {self.layers} layers'"
        if self.trusted:
            return (f"sanity check passed: with {every} weights randomised, the map's rank "
                    f"correlation with this one is {self.similarity:.2f}, so it depends on what the network learned")
        return (f"sanity check failed: with {every} weights randomised, the map barely changes "
                f"(rank correlation {self.similarity:.2f}): this map does not depend on what the network learned; "
                "do not trust it")


@dataclass
class GradCam:
    """Grad-CAM maps of some images: for each, the class explained (the top class unless a
    target was given), the runner-up, and three maps at the images' size, each scaled to 0..1:
    ``maps`` (evidence for the class explained), ``rival_maps`` (for the runner-up) and
    ``contrast_maps`` (for the class rather than the runner-up: Grad-CAM of the difference of
    their scores)."""

    images: np.ndarray  # N x C x H x W, as given
    maps: np.ndarray  # N x H x W
    rival_maps: np.ndarray
    contrast_maps: np.ndarray
    explained: list[int]
    rival: list[int]
    predicted: list[int]
    probabilities: np.ndarray  # N x classes
    layer: str  # the convolutional layer's dotted name
    read_at: str  # the module whose output is the feature map: the layer, or the activation right after it
    class_names: list[str] | None = None
    sanity: Sanity | None = None
    sanity_note: str | None = None  # why there is no sanity check, when there is none
    empty: list[bool] = field(default_factory=list)  # no positive evidence anywhere at this layer
    kinds: tuple[str, str] = ("Conv2d", "Conv2d")  # the layer's and read_at's module types, for the words

    def name(self, k: int) -> str:
        return self.class_names[k] if self.class_names and k < len(self.class_names) else str(k)

    def line(self, i: int) -> str:
        """One image in words: "3 (92%), not 8 (5%)"."""
        p = self.probabilities[i]
        k, r = self.explained[i], self.rival[i]
        said = "" if k == self.predicted[i] else f" (the model says {self.name(self.predicted[i])})"
        return f"{self.name(k)} ({p[k]:.0%}){said}, not {self.name(r)} ({p[r]:.0%})"

    def where(self) -> str:
        layer, read = self.kinds
        return f"layer {self.layer} ({layer})" + (f", read after {self.read_at} ({read})" if self.read_at != self.layer else "")

    def lines(self) -> list[str]:
        out = [f"Grad-CAM of {len(self.maps)} image{'s' if len(self.maps) != 1 else ''} at {self.where()}"]
        for i in range(len(self.maps)):
            note = "; the map is empty: nothing at this layer speaks for this class" if self.empty[i] else ""
            out.append(f"  image {i}: {self.line(i)}{note}")
        out.append(self.sanity.verdict() if self.sanity else f"no sanity check: {self.sanity_note}")
        return out

    def __repr__(self) -> str:
        return "\n".join(self.lines())

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {"text/plain": repr(self)}
        drawn = views.render(self, "text/html")
        if drawn is not None:
            bundle["text/html"] = drawn
        return bundle

    def to_dict(self) -> dict:
        return {
            "layer": self.layer, "read_at": self.read_at, "explained": self.explained, "rival": self.rival,
            "predicted": self.predicted, "probabilities": self.probabilities.tolist(), "class_names": self.class_names,
            "sanity": None if self.sanity is None else {"steps": self.sanity.steps, "trusted": self.sanity.trusted},
        }


def gradcam(model: nn.Module, images, target=None, layer=None, classes=None, sanity: bool = True) -> GradCam:
    """Where ``model`` looks in ``images`` (a tensor or array, N x C x H x W or one C x H x W).

    ``target``: the class to explain (an int, or one per image); by default each image's top
    class. ``layer``: the convolutional layer, a module of the model or its dotted name; by
    default the last ``nn.Conv2d``. ``classes``: the class names. ``sanity``: run the
    sanity check (one more map per randomisation step, on a copy of the model).
    """
    name, conv = find_layer(model, layer)
    x = _batch(images, model)
    read_at, module = after_activation(model, name, conv) if layer is None else (name, conv)
    with kept_as_it_was(model):
        model.eval()
        logits = _forward(model, x)
        probabilities = torch.softmax(logits.detach().float(), 1).cpu()
        explained = _targets(target, probabilities)
        rival = _rivals(probabilities, explained)
        raw, rival_raw = (_raw_maps(model, module, read_at, x, t) for t in (explained, rival))
    # Grad-CAM is linear in the score before its ReLU: the difference's map is the maps' difference.
    maps, rival_maps, contrast = (_shown(m, x.shape[-2:]) for m in (raw, rival_raw, raw - rival_raw))
    result = GradCam(x.detach().cpu().numpy(), maps, rival_maps, contrast, explained, rival,
                     probabilities.argmax(1).tolist(), probabilities.numpy(), name, read_at,
                     list(classes) if classes is not None else None,
                     empty=[bool(m.max() <= 0) for m in raw.clamp(min=0).flatten(1)],
                     kinds=(type(conv).__name__, type(module).__name__))
    if sanity:
        result.sanity, result.sanity_note = sanity_check(model, read_at, x, explained, maps)
    else:
        result.sanity_note = "not asked for"
    return result


def find_layer(model: nn.Module, layer=None) -> tuple[str, nn.Module]:
    """(dotted name, module) of the layer to explain: the one given, or the last nn.Conv2d."""
    if not isinstance(model, nn.Module):
        raise GradCamError(f"Grad-CAM needs a torch.nn.Module; got {type(model).__name__}")
    named = list(model.named_modules())
    if layer is None:
        convs = [(n, m) for n, m in named if isinstance(m, nn.Conv2d)]
        if not convs:
            raise GradCamError(f"Grad-CAM needs a convolutional layer (nn.Conv2d) and {type(model).__name__} has "
                               "none; pass layer= a module whose output is a feature map (N x C x H x W)")
        return convs[-1]
    if isinstance(layer, str):
        found = dict(named).get(layer)
        if found is None or not layer:
            convs = [n for n, m in named if isinstance(m, nn.Conv2d)]
            raise GradCamError(f"layer {layer!r} is not in the model; its convolutional layers: "
                               f"{', '.join(convs) or 'none'}")
        return layer, found
    for n, m in named:
        if m is layer:
            return n, m
    raise GradCamError("layer= must be a module of the model or its dotted name (as in model.named_modules())")


# What may follow a convolution before its feature map is complete.
ACTIVATIONS = (nn.BatchNorm2d, nn.ReLU, nn.ReLU6, nn.LeakyReLU, nn.ELU, nn.GELU, nn.SiLU, nn.Mish, nn.Hardswish)


def after_activation(model: nn.Module, name: str, module: nn.Module) -> tuple[str, nn.Module]:
    """The feature map Grad-CAM was made for is a convolution's output after its activation
    (a ResNet block's output): before it, negative values the network discards would weigh in.
    When the convolution sits in an nn.Sequential, the last of the batch norm and activation
    right after it; otherwise the convolution itself."""
    parent_name, _, own = name.rpartition(".")
    parent = model.get_submodule(parent_name) if parent_name else model
    if not isinstance(parent, nn.Sequential):
        return name, module
    children = list(parent.named_children())
    at = next(i for i, (n, _) in enumerate(children) if n == own)
    for child_name, child in children[at + 1:]:
        if not isinstance(child, ACTIVATIONS):
            break
        name, module = f"{parent_name}.{child_name}" if parent_name else child_name, child
    return name, module


@contextmanager
def kept_as_it_was(model: nn.Module):
    """Restores every module's train/eval mode and every parameter's requires_grad on exit,
    and runs the body with gradients on (a caller inside torch.no_grad() still gets maps)."""
    modes = [(m, m.training) for m in model.modules()]
    flags = [(p, p.requires_grad) for p in model.parameters()]
    try:
        with torch.enable_grad():
            yield model
    finally:
        for m, training in modes:
            m.training = training
        for p, flag in flags:
            p.requires_grad_(flag)


def sanity_check(model: nn.Module, name: str, x: torch.Tensor, explained: list[int],
                 trained: np.ndarray) -> tuple[Sanity | None, str | None]:
    """Adebayo et al. (2018), cascading: on a copy, randomise the layers' weights from the
    output down and compare each new map with the trained one (Spearman rank correlation)."""
    try:
        twin = copy.deepcopy(model)
    except Exception as error:  # a model holding a lock, a file, a generator...
        return None, f"the model could not be copied ({type(error).__name__}: {error})"
    twin.eval()
    layers = [(n, m) for n, m in twin.named_modules() if any(True for _ in m.parameters(recurse=False))][::-1]
    if not layers:
        return None, "the model has no weights to randomise"
    module = twin.get_submodule(name)
    measured = set(np.linspace(0, len(layers) - 1, min(len(layers), SANITY_STEPS)).round().astype(int).tolist())
    steps = []
    device = next(twin.parameters()).device
    with torch.random.fork_rng(devices=[device.index or 0] if device.type == "cuda" else []), torch.enable_grad():
        torch.manual_seed(SANITY_SEED)
        for i, (layer_name, layer) in enumerate(layers):
            _randomise(layer)
            if i in measured:
                maps = _shown(_raw_maps(twin, module, name, x, explained), x.shape[-2:])
                steps.append((layer_name or type(layer).__name__, _mean_spearman(trained, maps)))
    return Sanity(steps, len(layers)), None


def _randomise(layer: nn.Module) -> None:
    if hasattr(layer, "reset_parameters"):
        layer.reset_parameters()
        return
    with torch.no_grad():
        for p in layer.parameters(recurse=False):
            p.normal_(0.0, float(p.std()) if p.numel() > 1 and float(p.std()) > 0 else 0.02)


def _mean_spearman(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean([spearman(x.ravel(), y.ravel()) for x, y in zip(a, b)]))


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman's rank correlation, ties given their mean rank (ReLU maps have many zeros).
    Two flat maps are the same map (1); one flat map has no order to compare (0)."""
    ra, rb = _ranks(a), _ranks(b)
    sa, sb = ra.std(), rb.std()
    if sa == 0 or sb == 0:
        return 1.0 if sa == sb else 0.0
    return float(np.mean((ra - ra.mean()) * (rb - rb.mean())) / (sa * sb))


def _ranks(values: np.ndarray) -> np.ndarray:
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    return (ends - (counts - 1) / 2.0)[inverse.ravel()]


# -- the pieces ----------------------------------------------------------------------------

def _batch(images, model: nn.Module) -> torch.Tensor:
    x = torch.as_tensor(np.asarray(images) if not isinstance(images, torch.Tensor) else images)
    if x.dim() == 3:
        x = x.unsqueeze(0)
    if x.dim() != 4 or 0 in x.shape:
        raise GradCamError(f"images must be N x C x H x W or one C x H x W; got shape {tuple(x.shape)}")
    weight = next((p for p in model.parameters() if p.is_floating_point()), None)
    # NumPy's float64 (np.random.rand, img / 255) meets float32 weights: given the weights' dtype
    dtype = weight.dtype if weight is not None else torch.float32
    if x.dtype == torch.uint8:  # raw pixels 0..255: as dlmagics.data.load gives them, in 0..1
        x = x.to(dtype) / 255.0
    elif not x.is_floating_point() or x.dtype != dtype:
        x = x.to(dtype)
    device = next((p.device for p in model.parameters()), x.device)
    # A copy that asks for its gradient: the map's gradients reach the layer even when every
    # weight below it is frozen (a transfer net's backbone), and the learner's tensor is untouched.
    return x.detach().to(device).clone().requires_grad_(True)


def _forward(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    try:
        out = model(x)
    except Exception as error:
        raise GradCamError(f"the model failed on these images ({type(error).__name__}: {error})") from error
    if not isinstance(out, torch.Tensor) or out.dim() != 2 or out.shape[1] < 2:
        shape = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
        raise GradCamError(f"Grad-CAM explains a classifier: the model must return N x classes scores; got {shape}")
    return out


def _targets(target, probabilities: torch.Tensor) -> list[int]:
    n, k = probabilities.shape
    if target is None:
        return probabilities.argmax(1).tolist()
    try:
        given = [target] * n if np.ndim(target) == 0 else list(np.asarray(target).ravel())
        chosen = [int(t) for t in given]
        if any(c != t for c, t in zip(chosen, given)):  # 1.7 is no class: not cut to 1
            chosen = []
    except (TypeError, ValueError):  # a class name, None in a list...
        chosen = []
    if len(chosen) != n or not all(0 <= t < k for t in chosen):
        raise GradCamError(f"target must be a class from 0 to {k - 1}, or one per image ({n}); got {target!r}")
    return chosen


def _rivals(probabilities: torch.Tensor, explained: list[int]) -> list[int]:
    """For each image, the most probable class other than the one explained."""
    others = probabilities.clone()
    others[torch.arange(len(explained)), torch.tensor(explained)] = -math.inf
    return others.argmax(1).tolist()


def _raw_maps(model: nn.Module, module: nn.Module, name: str, x: torch.Tensor, classes: list[int]) -> torch.Tensor:
    """Grad-CAM before its ReLU, at the layer's resolution: N x h x w (captum's LayerGradCam)."""
    from captum.attr import LayerGradCam

    try:
        attributed = LayerGradCam(model, module).attribute(x, target=classes, relu_attributions=False)
    except RuntimeError as error:
        if "does not require grad" in str(error) or "One of the differentiated Tensors" in str(error):
            raise GradCamError(f"no gradient reaches layer {name}: is it computed under torch.no_grad() or "
                               "detached in the model's forward?") from error
        raise
    if attributed.dim() != 4:
        raise GradCamError(f"layer {name}'s output is not a feature map (N x C x H x W): Grad-CAM needs one")
    return attributed.detach()[:, 0].float()


def _shown(raw: torch.Tensor, size) -> np.ndarray:
    """The ReLU'd map, resized to the images (bilinear), each scaled so its peak is 1."""
    up = torch.nn.functional.interpolate(raw.clamp(min=0)[:, None], size=tuple(size), mode="bilinear",
                                         align_corners=False)[:, 0]
    peak = up.flatten(1).amax(1).clamp(min=1e-12)[:, None, None]
    return (up / peak).cpu().numpy()
