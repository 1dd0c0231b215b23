"""What the demos' panels show a learner: filters big enough to see, a confusion matrix whose
rows and columns are named (issue 35), in the live view (SVG) and in the saved figure alike."""

from __future__ import annotations

import math

import pytest
import torch
from matplotlib.figure import Figure

from dlmagics.train import plot, svg
from dlmagics.train.demos import DEMOS
from dlmagics.train.pictures import confusion, filters


def plan(name: str):
    demo = DEMOS[name]
    return demo.build(demo.settings(quick=True))


@pytest.mark.parametrize("name, least_px", [("rbm", 48), ("cnn", 30)])
def test_filters_are_a_square_sheet_of_tiles_big_enough_to_see(name, least_px):
    p = plan(name)
    picture = filters(p)
    model = p.contenders[0].model
    if name == "rbm":
        count, side = model.weight.shape[1], 8
    else:
        conv = next(m for m in model.modules() if isinstance(m, torch.nn.Conv2d))
        count, side = conv.out_channels, conv.kernel_size[0]
    cols = math.ceil(math.sqrt(count))
    rows = math.ceil(count / cols)
    height, width = picture.pixels.shape[:2]
    enlarged = width / (cols * (side + 1) + 1)  # each pixel of a filter became enlarged x enlarged
    assert enlarged == int(enlarged) and height == enlarged * (rows * (side + 1) + 1)
    shown = min(1.0, 420 / width)  # the live view's width limit
    assert side * enlarged * shown >= least_px, f"a tile is {side * enlarged * shown:.0f} px across"


def test_the_confusion_matrix_names_its_digits_and_axes_in_both_views():
    p = plan("mnist")
    picture = confusion(p)
    digits = [str(d) for d in range(10)]
    assert [label for _, label in picture.x_ticks] == digits == [label for _, label in picture.y_ticks]
    assert (picture.x_title, picture.y_title) == ("predicted digit", "true digit")
    cell = picture.pixels.shape[1] / 10
    assert [x for x, _ in picture.x_ticks] == [(d + 0.5) * cell for d in range(10)]  # each at its column's centre

    live = svg.image(picture)
    for label in digits + ["predicted digit", "true digit"]:
        assert f">{label}</text>" in live, label

    ax = Figure().subplots()
    plot.draw_image(ax, picture)
    assert [t.get_text() for t in ax.get_xticklabels()] == digits == [t.get_text() for t in ax.get_yticklabels()]
    assert ax.get_ylabel() == "true digit" and ax.get_xlabel().startswith("predicted digit")
