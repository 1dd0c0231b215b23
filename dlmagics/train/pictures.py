"""What a demo's pictures show, as plain data: the curves and the demo's own panel.

The live view draws these as SVG ten times a second; ``DemoResult.plot()`` draws the same
data with matplotlib for the saved notebook. Nothing here draws.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field

import numpy as np
import torch

MAX_POINTS = 300  # per curve: a frame costs the same at step 100 and at step 100,000
# Mid-tone colours: each line has at least 3:1 contrast on a white page and on a dark one.
COLORS = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#d9730d", "#a0665a", "#d45fae", "#1a9bab"]
# A dash pattern per line too, so two runs that train alike (cpu:1 and cpu:2) stay apart.
DASHES = ["", "7 3", "2 2", "9 3 2 3"]
# The heat maps' colours, dark blue (low) through teal to yellow (high), and the gaps between maps.
HEAT = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]]
GAP = 128


@dataclass
class Chart:
    title: str
    ylabel: str
    series: dict[str, tuple[np.ndarray, np.ndarray]]  # name -> (x, y)
    log_y: bool = False
    log_x: bool = False
    marks: list[float] = field(default_factory=list)  # x of learning-rate changes
    xlabel: str = "step"
    bars: bool = False
    x_span: tuple[float, float] | None = None  # the x axis's ends, when charts side by side share them


@dataclass
class Image:
    title: str
    pixels: np.ndarray  # H x W x 3, uint8
    caption: str = ""
    scale: tuple[str, str] | None = None  # the labels of a heat map's low and high ends
    # Labelled axes (a confusion matrix's digits): (pixel position along the axis, label) and a title.
    x_ticks: list[tuple[float, str]] = field(default_factory=list)
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    x_title: str = ""
    y_title: str = ""


def color(i: int) -> str:
    return COLORS[i % len(COLORS)]


def dash(i: int) -> str:
    """The SVG dash pattern of line i ("" is solid)."""
    return DASHES[i % len(DASHES)]


def downsample(values: list[float], limit: int = MAX_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """(step, mean) over equal buckets of the steps, so a curve has at most ``limit`` points."""
    y = np.asarray(values, dtype=float)
    if len(y) <= limit:
        return np.arange(1, len(y) + 1, dtype=float), y
    edges = np.linspace(0, len(y), limit + 1).astype(int)
    with np.errstate(invalid="ignore"):
        means = np.add.reduceat(y, edges[:-1]) / np.diff(edges)
    return (edges[:-1] + edges[1:]) / 2.0, means


def legend_names(result) -> list[str]:
    """Each contender's name for the legend, with where it diverged."""
    return [f"{n} ({result.diverged(n)})" if result.diverged(n) else n for n in result.history.names]


def curves(result) -> list[Chart]:
    """Training loss per step, and the test metric at each evaluation."""
    h = result.history
    names = list(h.names)
    marks = [c["step"] for c in h.lr_changes]
    span = (1.0, float(max(h.steps_done, 2)))  # both charts over the same steps, so they line up
    rbm = result.demo.metric == "reconstruction"
    loss = Chart("training loss" if not rbm else "reconstruction error (training batches)",
                 "loss" if not rbm else "mean squared error",
                 {n: downsample(h.loss[n][: h.steps_done]) for n in names}, log_y=not rbm, marks=marks, x_span=span)
    key = "test_loss" if rbm else "test_accuracy"
    evaluated = {n: (np.array([e["step"] for e in h.evals[n]], float), np.array([e.get(key, math.nan) for e in h.evals[n]]))
                 for n in names}
    metric = Chart("test reconstruction error" if rbm else "test accuracy", "mean squared error" if rbm else "accuracy",
                   evaluated, marks=marks, x_span=span)
    return [loss, metric]


# -- panels ----------------------------------------------------------------------------

def panel(result):
    """The demo's own picture (a Chart or an Image), or None. A demo names one of the panels
    here, or gives its own function of the result (a new demo's picture needs no edit here)."""
    kind = result.demo.panel
    if callable(kind):
        return kind(result)
    plan = getattr(result, "plan", None)
    if kind == "gradients" and result.history.grad_norms:
        return gradient_heatmap(result)
    if kind == "datascale" and any(result.history.evals.values()):
        sizes = result.notes["train_sizes"]
        acc = [e[-1]["test_accuracy"] if e else math.nan for e in (result.history.evals[n] for n in result.history.names)]
        return Chart("test accuracy by data size", "accuracy", {"final": (np.array(sizes, float), np.array(acc))},
                     log_x=True, xlabel="training examples (log scale)")
    if kind == "throughput" and result.history.steps_done:
        names = result.history.names
        return Chart("training speed", "samples / s",
                     {n: (np.array([i], float), np.array([result.samples_per_second(n) or 0.0])) for i, n in enumerate(names)},
                     bars=True, xlabel="")
    if plan is None:
        return None
    if kind == "boundary":
        return decision_boundary(plan)
    if kind == "filters":
        return filters(plan)
    if kind == "confusion" and result.done and result.history.steps_done:
        return confusion(plan)
    if kind == "gradcam":
        return gradcam_panel(plan, sanity=result.done)
    return None


def gradient_heatmap(result) -> Image:
    """log10 of each layer's gradient norm (rows: layers, input side at the bottom) over steps."""
    blocks = []
    for name, norms in result.history.grad_norms.items():
        grid = np.log10(np.maximum(np.asarray(norms, dtype=float), 1e-12)).T[::-1]  # layers x steps
        if grid.shape[1] > 200:
            edges = np.linspace(0, grid.shape[1], 201).astype(int)
            grid = np.add.reduceat(grid, edges[:-1], axis=1) / np.diff(edges)
        blocks.append(grid)
    low, high = -10.0, 1.0
    pictures = [colormap((np.clip(b, low, high) - low) / (high - low)) for b in blocks]
    pictures = [np.repeat(np.repeat(p, 12, axis=0), max(1, 200 // p.shape[1]), axis=1) for p in pictures]
    gap = np.full((8, pictures[0].shape[1], 3), GAP, np.uint8)
    width = max(p.shape[1] for p in pictures)
    stacked = np.concatenate(sum(([_pad(p, width), gap] for p in pictures), [])[:-1])
    names = list(result.history.grad_norms)
    return Image("gradient norm per layer, log scale", stacked,
                 f"top: {names[0]}; bottom: {names[-1]}; in each, the first layer is the lowest row",
                 scale=("1e-10 or less", "10"))


def _pad(picture: np.ndarray, width: int) -> np.ndarray:
    if picture.shape[1] == width:
        return picture
    return np.concatenate([picture, np.full((picture.shape[0], width - picture.shape[1], 3), GAP, np.uint8)], axis=1)


def colormap(t: np.ndarray) -> np.ndarray:
    """Dark blue (0) through teal to yellow (1)."""
    stops = np.array(HEAT, float)
    t = np.nan_to_num(np.clip(t, 0, 1)) * (len(stops) - 1)
    i = np.minimum(t.astype(int), len(stops) - 2)
    f = (t - i)[..., None]
    return (stops[i] * (1 - f) + stops[i + 1] * f).astype(np.uint8)


@torch.no_grad()
def decision_boundary(plan, size: int = 72) -> Image:
    """Each contender's P(class 1) over the plane, with the test points on top."""
    span = np.linspace(-2.0, 2.0, size, dtype=np.float32)
    gx, gy = np.meshgrid(span, -span)
    grid = torch.from_numpy(np.stack([gx.ravel(), gy.ravel()], 1))
    x_test, y_test = plan.data.x_test.numpy(), plan.data.y_test.numpy()
    maps = []
    for c in plan.contenders:
        c.model.eval()
        prob = torch.softmax(c.model(grid.to(c.device)), 1)[:, 1].cpu().numpy().reshape(size, size)
        rgb = (np.stack([0.2 + 0.8 * prob, 0.45 + 0.2 * np.zeros_like(prob), 1.0 - 0.8 * prob], -1) * 255)
        rgb = (0.55 * rgb + 0.45 * 255).astype(np.uint8)  # pale, so the points stand out
        cols = np.clip(((x_test[:, 0] + 2) / 4 * (size - 1)).round().astype(int), 0, size - 1)
        rows = np.clip(((2 - x_test[:, 1]) / 4 * (size - 1)).round().astype(int), 0, size - 1)
        rgb[rows, cols] = np.where(y_test[:, None] == 1, [200, 30, 30], [30, 60, 200])
        maps.append(np.repeat(np.repeat(rgb, 3, axis=0), 3, axis=1))
    gap = np.full((maps[0].shape[0], 10, 3), GAP, np.uint8)
    return Image("decision boundary: P(class 1)", np.concatenate(sum(([m, gap] for m in maps), [])[:-1], axis=1),
                 "  |  ".join(c.name for c in plan.contenders) + " (red: class 1, blue: class 0; dots: test points)")


def filters(plan) -> Image | None:
    """What the first layer learned: an RBM's or a conv layer's filters, as tiles."""
    from .nets import RBM

    for c in plan.contenders:
        if isinstance(c.model, RBM):
            side = int(round(math.sqrt(c.model.weight.shape[0])))
            tiles = c.model.weight.detach().cpu().t().reshape(-1, side, side).numpy()
            return Image(f"filters of {c.name}", _tile(tiles), "each tile: one hidden unit's weights (light: positive)")
        conv = next((m for m in c.model.modules() if isinstance(m, torch.nn.Conv2d)), None)
        if conv is not None:
            tiles = conv.weight.detach().cpu()[:, 0].numpy()
            return Image(f"first-layer filters of the {c.name}", _tile(tiles),
                         "each tile: one 3x3 filter (light: positive)")
    return None


TILES_PX = 300  # a sheet of filters is enlarged to about this width, each pixel a square


def _tile(tiles: np.ndarray) -> np.ndarray:
    """The filters as a near-square sheet of tiles, enlarged pixel by pixel (nearest
    neighbour) to about TILES_PX wide, so each tile is big enough to see its strokes."""
    n, h, w = tiles.shape
    cols = math.ceil(math.sqrt(n))
    rows = math.ceil(n / cols)
    sheet = np.full((rows * (h + 1) + 1, cols * (w + 1) + 1), 0.5)
    for k, tile in enumerate(tiles):
        spread = np.abs(tile).max() or 1.0
        r, col = divmod(k, cols)
        sheet[1 + r * (h + 1):1 + r * (h + 1) + h, 1 + col * (w + 1):1 + col * (w + 1) + w] = 0.5 + 0.5 * tile / spread
    gray = (sheet * 255).astype(np.uint8)
    scale = max(1, TILES_PX // sheet.shape[1])
    return np.repeat(np.repeat(np.stack([gray] * 3, -1), scale, axis=0), scale, axis=1)


@torch.no_grad()
def confusion(plan) -> Image:
    """The first contender's test confusion matrix (rows: true digit, columns: predicted)."""
    c = plan.contenders[0]
    c.model.eval()
    predicted = c.model(plan.data.x_test.to(c.device)).argmax(1).cpu()
    k = plan.data.classes
    matrix = torch.bincount(plan.data.y_test * k + predicted, minlength=k * k).reshape(k, k).float()
    share = (matrix / matrix.sum(1, keepdim=True).clamp(min=1)).numpy()
    cell = 24  # pixels per entry
    picture = colormap(np.sqrt(share))
    digits = [((i + 0.5) * cell, str(i)) for i in range(k)]
    return Image(f"confusion matrix of the {c.name} net", np.repeat(np.repeat(picture, cell, axis=0), cell, axis=1),
                 "each row: the test images of one digit, by what the net predicted; off the diagonal: mistakes",
                 scale=("0% of the row", "100%"), x_ticks=digits, y_ticks=digits,
                 x_title="predicted digit", y_title="true digit")


# -- Grad-CAM --------------------------------------------------------------------------

TILE_PX = 64  # a Grad-CAM tile is enlarged pixel by pixel to about this size


def overlay(image: np.ndarray, heat: np.ndarray | None = None, px: int = TILE_PX) -> np.ndarray:
    """One image (C x H x W, any range) as RGB, with a Grad-CAM map (H x W, 0..1) over it."""
    grey = image.mean(0) if image.shape[0] != 3 else None
    base = image.transpose(1, 2, 0) if grey is None else np.stack([grey] * 3, -1)
    low, high = float(base.min()), float(base.max())
    base = (base - low) / (high - low) * 255 if high > low else np.zeros_like(base)
    picture = base if heat is None else 0.4 * base + 0.6 * colormap(heat)
    scale = max(1, px // image.shape[-1])
    return np.repeat(np.repeat(picture.astype(np.uint8), scale, 0), scale, 1)


def gradcam_image(cam, limit: int = 6, title: str = "Grad-CAM: where the net looks") -> Image:
    """Columns: up to ``limit`` images; rows: the image, the map of the class the net gives,
    and the map of that class rather than the runner-up ("why 3 and not 8")."""
    shown = range(min(limit, len(cam.maps)))
    rows = [[overlay(cam.images[i]) for i in shown], [overlay(cam.images[i], cam.maps[i]) for i in shown],
            [overlay(cam.images[i], cam.contrast_maps[i]) for i in shown]]
    tile = rows[0][0].shape[1]
    vertical = np.full((tile, 6, 3), GAP, np.uint8)
    lines = [np.concatenate(sum(([t, vertical] for t in row), [])[:-1], 1) for row in rows]
    across = np.full((6, lines[0].shape[1], 3), GAP, np.uint8)
    ticks = [((tile + 6) * i + tile / 2, f"{cam.name(cam.explained[i])[:6]}/{cam.name(cam.rival[i])[:6]}")
             for i in shown]
    verdict = f"; {cam.sanity.verdict()}" if cam.sanity else ""
    return Image(title, np.concatenate([lines[0], across, lines[1], across, lines[2]]),
                 f"rows: the images; where the net finds the class it gives (Grad-CAM at {cam.where()}); "
                 f"what makes it that class rather than the runner-up. Under each: the class given / the "
                 f"runner-up{verdict}",
                 scale=("no evidence", "the most"), x_ticks=ticks)


GRADCAM_IMAGES = 5  # the demo panel's test images: the first of each class, in the test set's order


def gradcam_panel(plan, sanity: bool = False) -> Image | None:
    """The first convolutional contender's Grad-CAM of a few fixed test images, redrawn as it
    trains. It runs on a copy of the model: the panel may be drawn while the race trains it."""
    from .gradcam import gradcam

    contender = next((c for c in plan.contenders if any(isinstance(m, torch.nn.Conv2d) for m in c.model.modules())),
                     None)
    if contender is None:
        return None
    first: dict[int, int] = {}  # class -> its first test image
    for i, k in enumerate(plan.data.y_test.tolist()):
        first.setdefault(k, i)
    picks = list(first.values())[:GRADCAM_IMAGES]
    cam = gradcam(copy.deepcopy(contender.model), plan.data.x_test[picks], sanity=sanity)
    return gradcam_image(cam, title=f"Grad-CAM of the {contender.name}: where it looks")
