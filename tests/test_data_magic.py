"""%dldata through the IPython shell, its progress line, a learner's %%train loop over
load(...) with a DataLoader (no doctor finding), and %train_demo cnn|transfer --data."""

from __future__ import annotations

import numpy as np
import pytest
from IPython.core.error import UsageError
from PIL import Image

import data_making as make
from dlmagics.data.command import Progress
from dlmagics.testing import FakeDisplay
from dlmagics.train import frames

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def ip(shell):
    """The shell with dlmagics, and the names its cells define removed afterwards (the
    shell is shared: a learner's x and y left behind would change another test's namespace)."""
    before = set(shell.user_ns)
    shell.run_line_magic("load_ext", "dlmagics")
    yield shell
    for name in set(shell.user_ns) - before:
        del shell.user_ns[name]


def shapes_folder(root, classes=("dark", "bright", "red", "green"), per_class=24, side=8):
    """Classes a small net tells apart at once: dark, bright, red or green squares with noise."""
    colours = {"dark": (30, 30, 30), "bright": (220, 220, 220), "red": (220, 30, 30), "green": (30, 220, 30)}
    rng = np.random.default_rng(0)
    for name in classes:
        (root / name).mkdir(parents=True)
        for i in range(per_class):
            noise = rng.integers(-25, 26, (side, side, 3))
            pixels = np.clip(np.array(colours[name]) + noise, 0, 255).astype(np.uint8)
            Image.fromarray(pixels).save(root / name / f"{i}.png")
    return root


def test_dldata_shows_the_report_and_returns_the_dataset(ip, tmp_path, capsys):
    make.png_folder(tmp_path)
    ip.run_cell(f"ds = %dldata {tmp_path} --size 6")  # assigned, and the report is shown all the same
    ds = ip.user_ns["ds"]
    assert ds.classes == ["cat", "dog", "owl"] and ds.size == 6 and ds[0][0].shape == (3, 6, 6)
    shown = capsys.readouterr().out
    assert f"{tmp_path}: image folder, 13 images in 3 classes (train 9, test 4)" in shown
    assert "classes: cat 6, dog 4, owl 3" in shown
    assert repr(ds) == (f"<13 images in 3 classes from {tmp_path} (train 9, test 4); .report says what is in it, "
                        ".classes names them>")


def test_the_progress_line_says_how_far_and_is_cleared():
    display = FakeDisplay()
    progress = Progress(display)
    progress(0, 10_000)  # a read that ends within the first half second shows nothing
    assert display.drawn == []
    progress.throttle.next_at = 0  # the half second has passed
    progress(1_200, 10_000)
    assert display.drawn[0].startswith("%dldata: read 1,200 of 10,000 images (12%), about ")
    assert display.drawn[0].endswith("s left; interrupt to keep what was read")
    progress.close()
    assert display.drawn[-1] == ""


LEARNER = """
import torch
from torch import nn
from torch.utils.data import DataLoader
import dlmagics.data
torch.manual_seed(0)
ds = dlmagics.data.load({path!r})
loader = DataLoader(ds, batch_size=16, shuffle=True)
model = nn.Sequential(nn.Flatten(), nn.Linear(3 * 8 * 8, 32), nn.ReLU(), nn.Linear(32, len(ds.classes)))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
"""

LOOP = """
for epoch in range(6):
    for x, y in loader:
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
"""


def test_a_learners_dataloader_loop_over_load_trains_with_no_doctor_finding(ip, tmp_path):
    shapes_folder(tmp_path)
    ip.run_cell(LEARNER.format(path=str(tmp_path)))
    result = ip.run_cell_magic("train", "--no-live", LOOP)
    assert result.status == "finished" and result.error is None, result.error
    assert result.findings == [] and result.classes == 4
    assert result.history.epochs_planned == 6 and result.history.batches_per_epoch == 6
    assert result.final["train_accuracy"] > 0.8, result.final  # chance is 0.25


def test_train_demo_cnn_trains_on_a_folder_of_images(ip, tmp_path):
    shapes_folder(tmp_path)
    result = ip.run_line_magic("train_demo", f"cnn --quick --epochs 3 --no-live --data {tmp_path}")
    assert result.status == "finished", result.error
    data = result.plan.data
    assert data.x_train.shape[1:] == (3, 8, 8) and data.classes == 4  # 8 x 8 squares kept, 3 channels
    assert (len(data.x_train), len(data.x_test)) == (77, 19)  # 96 images, 20% held out
    assert f"data: {tmp_path.name}, 8 x 8: 77 training and 19 test images" in frames.summary_text(result)


def test_train_demo_resizes_larger_or_mixed_images_to_32(ip, tmp_path):
    shapes_folder(tmp_path, classes=("dark", "red"), per_class=5, side=40)
    result = ip.run_line_magic("train_demo", f"cnn --quick --epochs 1 --no-live --data {tmp_path}")
    assert result.status == "finished", result.error
    assert result.plan.data.x_train.shape[1:] == (3, 32, 32)


def test_train_demo_transfer_splits_the_classes_in_halves(ip, tmp_path):
    shapes_folder(tmp_path)
    result = ip.run_line_magic("train_demo", f"transfer --quick --epochs 2 --no-live --data {tmp_path}")
    assert result.status == "finished", result.error
    assert result.plan.data.classes == 2 and sorted(set(result.plan.data.y_train.tolist())) == [0, 1]
    assert len(result.plan.data.x_train) == 10  # 5 examples of each new class


def test_train_demo_says_in_one_line_what_data_will_not_do(ip, tmp_path):
    shapes_folder(tmp_path / "three", classes=("dark", "bright", "red"), per_class=3)
    shapes_folder(tmp_path / "one", classes=("red",), per_class=3)
    for line, says in ((f"transfer --data {tmp_path / 'three'}", "transfer needs at least 4 classes (the first half "
                        "to learn first, the second half to transfer to); it has 3"),
                       (f"vanishing --data {tmp_path / 'three'}", "cnn, transfer also take images, CIFAR-10 or an .npz"),
                       (f"cnn --data {tmp_path / 'none'}", "no such file or folder"),
                       (f"cnn --data {tmp_path / 'one'}", "needs at least 2 classes (a classifier tells "
                        "two or more apart); it has 1"),
                       (f"cnn --data {tmp_path / 'one' / 'red'}", "holds 3 images but no class folder: put each "
                        "class's images in a folder of its own"),
                       (f"cnn --data {tmp_path / 'three' / 'red' / '0.png'}", "is one image; give the folder")):
        with pytest.raises(UsageError) as caught:
            ip.run_line_magic("train_demo", line)
        assert says in str(caught.value) and "\n" not in str(caught.value)
