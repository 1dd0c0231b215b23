"""dlmagics.data.load on data the suite makes (tests/data_making.py): each report figure
checked against what was written (counts, modes, sizes, reasons, hidden, duplicates, mean and
std against NumPy), and the dataset against the pixels."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch
from PIL import Image

import data_making as make
from dlmagics.data import DataError, images, load
from dlmagics.views import render

pytestmark = pytest.mark.timeout(60)


def test_a_png_folder_with_splits_is_reported_figure_by_figure(tmp_path):
    made = make.png_folder(tmp_path)
    ds = load(tmp_path)
    r = ds.report
    assert ds.classes == r.classes == ["cat", "dog", "owl"]  # .ipynb_checkpoints is not a class
    assert r.counts == made["counts"] and r.per_class == [6, 4, 3] and r.kind == "image folder"
    assert (len(ds), len(ds.train), len(ds.test)) == (13, 9, 4)
    assert r.modes == {"RGB": 6, "RGBA": 4, "L": 3} and r.sizes == {(8, 8): 13} and r.channels == 3
    assert {k: (p.count, p.examples) for k, p in r.problems.items()} == {
        images.DAMAGED: (1, ["train/cat/broken.png"]), images.EMPTY: (1, ["train/dog/empty.png"]),
        images.NOT_IMAGE: (1, ["train/owl/notes.txt"])}
    assert (r.hidden.count, sorted(r.hidden.examples)) == (2, ["train/.ipynb_checkpoints", "train/cat/.DS_Store"])
    assert (r.duplicates.count, r.duplicates.examples) == (1, ["test/cat/copy.png = train/cat/0.png"])
    pixels = made["arrays"].astype(np.float64) / 255.0
    assert r.mean == pytest.approx(pixels.mean(axis=(0, 1, 2)), abs=1e-9)
    assert r.std == pytest.approx(pixels.std(axis=(0, 1, 2)), abs=1e-9)
    assert (r.files_found, r.files_read, r.partial) == (14, 14, False)
    assert [len(v) for v in r.thumbnails.values()] == [4, 4, 3]


def test_the_dataset_gives_the_pixels_as_float_tensors_and_a_dataloader_batches_them(tmp_path):
    made = make.png_folder(tmp_path)
    ds = load(tmp_path)
    x, y = ds.train[0]  # train/cat/0.png
    assert x.dtype == torch.float32 and x.shape == (3, 8, 8) and y == 0
    assert torch.equal(x, torch.from_numpy(made["arrays"][0]).permute(2, 0, 1).float() / 255)
    owl, label = ds.train[len(ds.train) - 1]  # grey, given as three equal channels
    assert label == 2 and torch.equal(owl[0], owl[1]) and torch.equal(owl[1], owl[2])
    batches = list(torch.utils.data.DataLoader(ds, batch_size=4, shuffle=True))
    assert [len(b[1]) for b in batches] == [4, 4, 4, 1] and sorted(torch.cat([b[1] for b in batches]).tolist()) == \
        sorted(ds.targets.tolist())


def test_the_report_reads_as_text_and_as_html_with_thumbnails(tmp_path):
    make.png_folder(tmp_path)
    r = load(tmp_path).report
    text = render(r, "text/plain")
    assert text.splitlines()[0] == f"{tmp_path}: image folder, 13 images in 3 classes (train 9, test 4)"
    assert "classes: cat 6, dog 4, owl 3" in text
    assert "not used, empty file (0 bytes): 1 file (train/dog/empty.png)" in text
    assert "skipped, hidden: 2" in text and "duplicates: 1 test image also in train" in text
    assert f"Normalize(mean=({r.mean[0]:.4f}, {r.mean[1]:.4f}, {r.mean[2]:.4f})" in text
    page = r._repr_html_()
    assert page.count("src='data:image/png;base64,") == 11 and "dlm-data-report" in page
    assert "<th scope='row' style='text-align:left;padding:2px 8px'>.ipynb_checkpoints" not in page
    assert r.to_dict()["counts"] == {"train": [4, 3, 2], "test": [2, 1, 1]}


def test_grey_images_give_one_channel_and_imbalance_is_named(tmp_path):
    for name, count in (("cats", 6), ("dogs", 2)):
        (tmp_path / name).mkdir()
        for i in range(count):
            Image.fromarray(make.pixels(i + 10 * count, (5, 5))).save(tmp_path / name / f"{i}.png")
    ds = load(tmp_path)
    r = ds.report
    assert ds[0][0].shape == (1, 5, 5) and r.channels == 1 and len(r.mean) == 1
    assert r.imbalance == 3.0 and r.imbalanced and r.majority_share == 0.75 and list(r.counts) == ["all"]
    text = repr(ds.report)
    assert "imbalanced: cats has 3.0 times as many images as dogs; always answering cats would score 75%" in text
    assert ds.train is None and ds.test is None and "duplicates" not in text


def test_mixed_sizes_are_said_with_the_size_to_pass_and_size_resizes(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    Image.fromarray(make.pixels(1, (8, 8, 3))).save(tmp_path / "a" / "1.png")
    Image.fromarray(make.pixels(2, (8, 8, 3))).save(tmp_path / "a" / "2.png")
    Image.fromarray(make.pixels(3, (6, 10, 3))).save(tmp_path / "b" / "1.jpg", quality=90)  # 10 wide, 6 high
    r = load(tmp_path).report
    assert r.sizes == {(8, 8): 2, (10, 6): 1} and r.mixed_sizes and r.suggested_size == 8
    assert "sizes mixed: 2 sizes from 8 x 8 to 10 x 6; most common 8 x 8 (67%)" in repr(r)
    assert "pass size=8" in repr(r)
    resized = load(tmp_path, size=8)
    x, _ = next(iter(torch.utils.data.DataLoader(resized, batch_size=3)))
    assert x.shape == (3, 3, 8, 8) and "resized to 8 x 8" in repr(resized.report)


def test_cifar10_batches_in_the_real_format(tmp_path):
    parts = make.cifar_folder(tmp_path / "cifar-10-batches-py")
    ds = load(tmp_path / "cifar-10-batches-py")
    r = ds.report
    assert r.kind == "CIFAR-10 batches" and ds.classes[:3] == ["airplane", "automobile", "bird"]
    assert (len(ds), len(ds.train), len(ds.test)) == (60, 40, 20)
    train_labels = parts["data_batch_1"][1] + parts["data_batch_2"][1]
    assert r.counts["train"] == np.bincount(train_labels, minlength=10).tolist()
    assert r.sizes == {(32, 32): 60} and r.modes == {"RGB": 60}
    every = np.concatenate([parts[k][0] for k in ("data_batch_1", "data_batch_2", "test_batch")])
    channels = every.reshape(-1, 3, 1024).transpose(1, 0, 2).reshape(3, -1) / 255.0
    assert r.mean == pytest.approx(channels.mean(axis=1), abs=1e-9)
    assert r.std == pytest.approx(channels.std(axis=1), abs=1e-9)
    assert r.duplicates.count == 1
    x, y = ds.test[0]
    assert torch.equal(x, torch.from_numpy(parts["test_batch"][0][0].reshape(3, 32, 32)).float() / 255)
    assert y == parts["test_batch"][1][0]
    one = load(tmp_path / "cifar-10-batches-py" / "test_batch")  # one batch file, its names from beside it
    assert len(one) == 20 and one.train is None and one.classes[9] == "truck"


def test_an_npz_with_x_and_y_and_one_with_splits(tmp_path):
    x = make.pixels(5, (12, 6, 6, 3))
    y = np.arange(12) % 3
    np.savez(tmp_path / "small.npz", x=x, y=y)
    ds = load(tmp_path / "small.npz")
    assert ds.report.kind == ".npz arrays" and ds.classes == ["0", "1", "2"] and ds.report.counts == {"all": [4, 4, 4]}
    assert torch.equal(ds[1][0], torch.from_numpy(x[1]).permute(2, 0, 1).float() / 255) and ds[1][1] == 1
    assert ds.report.mean == pytest.approx((x / 255.0).mean(axis=(0, 1, 2)), abs=1e-9)
    floats = make.pixels(6, (10, 1, 4, 4)).astype(np.float32) / 255
    np.savez(tmp_path / "split.npz", x_train=floats[:8], y_train=np.arange(8) % 2, x_test=floats[8:],
             y_test=np.array([0, 1]), classes=np.array(["no", "yes"]))
    split = load(tmp_path / "split.npz")
    assert split.classes == ["no", "yes"] and (len(split.train), len(split.test)) == (8, 2)
    assert split[9][0].shape == (1, 4, 4) and torch.allclose(split[9][0], torch.from_numpy(floats[9]))
    np.savez(tmp_path / "keras.npz", x=x, y=y.reshape(-1, 1))  # Keras's cifar10.load_data() gives y as N x 1
    assert load(tmp_path / "keras.npz").report.counts == {"all": [4, 4, 4]}


def test_mnist_idx_files_load_with_their_test_files(tmp_path):
    from test_train_magic import write_idx

    images_, labels = make.pixels(3, (30, 28, 28)), np.arange(30) % 10
    write_idx(tmp_path / "train-images-idx3-ubyte.gz", images_[:20], gz=True)
    write_idx(tmp_path / "train-labels-idx1-ubyte", labels[:20], gz=False)
    write_idx(tmp_path / "t10k-images-idx3-ubyte", images_[20:], gz=False)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", labels[20:], gz=False)
    ds = load(tmp_path)
    assert ds.report.kind == "MNIST IDX files" and (len(ds.train), len(ds.test)) == (20, 10) and ds.report.channels == 1
    assert torch.equal(ds.test[0][0][0], torch.from_numpy(images_[20]).float() / 255)


@pytest.mark.parametrize("make_it, says", [
    (lambda p: p / "nothing", "No such file or directory"),
    (lambda p: (p / "one.png").write_bytes(b"x") and p / "one.png", "is one image; give the folder"),
    (lambda p: (p / "notes.txt").write_text("hi") and p / "notes.txt", "not a dataset file dlmagics reads"),
    (lambda p: (p / "empty").mkdir() or p / "empty", "holds no image in a class folder (it is empty)"),
])
def test_bad_paths_are_one_line_that_says_what_is_allowed(tmp_path, make_it, says):
    with pytest.raises(DataError) as caught:
        load(make_it(tmp_path))
    assert says in str(caught.value) and "\n" not in str(caught.value)


def test_a_bad_size_is_refused(tmp_path):
    for size in (0, 5000, 2.5, True):
        with pytest.raises(DataError, match="a whole number of pixels, 1 to 1024"):
            load(tmp_path, size=size)


def test_a_16_bit_grey_png_is_scaled_not_clipped_white(tmp_path):
    """A 16-bit PNG (scientific and medical tools write them): its values 0..65535 become 0..1,
    where a plain conversion to 8 bits clipped every pixel above 255 to white."""
    ramp = np.linspace(0, 65535, 16 * 16).round().astype(np.uint16).reshape(16, 16)
    for i in range(2):
        folder = tmp_path / "scans" / f"class{i}"
        folder.mkdir(parents=True)
        Image.fromarray(ramp).save(folder / "scan.png")
    ds = load(tmp_path / "scans")
    x, _ = ds[0]
    assert x.shape == (1, 16, 16)
    assert float(x.min()) == 0.0 and float(x.max()) == 1.0
    assert abs(float(x.mean()) - 0.5) < 0.01
    assert abs(ds.report.mean[0] - 0.5) < 0.01


def test_a_symlink_back_up_the_tree_is_walked_once_not_forty_times(tmp_path):
    for name in ("cat", "dog"):
        (tmp_path / name).mkdir()
        Image.new("RGB", (8, 8), (9, 9, 9)).save(tmp_path / name / "1.png")
    os.symlink("..", tmp_path / "dog" / "up")
    ds = load(tmp_path)
    assert sorted(os.path.relpath(f, tmp_path) for f in ds.files) == ["cat/1.png", "dog/1.png"]
