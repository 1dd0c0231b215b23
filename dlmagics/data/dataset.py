"""``load(path)``: a dataset a PyTorch loop can use (``len``, ``ds[i]`` -> (a float tensor
C x H x W in [0, 1], the class number)), with its report, its class names and, when the
source has splits, ``.train`` and ``.test``.

A folder is read once for the report (each image decoded, its figures tallied, nothing kept
but a few thumbnails) and then decoded again, image by image, when the loop asks. Arrays
(CIFAR-10, MNIST, .npz) stay in memory as they came. Ctrl-C while reading keeps what was read:
the report says so and the dataset holds those images.
"""

from __future__ import annotations

import bisect
import os
from collections import Counter
import stat
import time
from pathlib import Path
from typing import Callable

import numpy as np
import torch
from torch.utils.data import Dataset

from . import cifar, idx, images, npz
from .errors import DataError
from .files import kind_of, read_bytes
from .result import DataReport, Problem
from .tally import Tally

ALLOWED = ("a folder of images in class folders (optionally under train/ and test/ or val/), CIFAR-10's "
           "python batches (a folder or one batch file), a folder with MNIST's IDX files, or an .npz with x and y")
MAX_SIZE = 1024


class ImageDataset(Dataset):
    """What every loaded dataset shares: its class names, report, splits and resizing."""

    def __init__(self, classes: list[str], report: DataReport, channels: int, size: int | None):
        self.classes, self.report, self.channels, self.size = classes, report, channels, size
        self.train: ImageDataset | None = None
        self.test: ImageDataset | None = None

    @property
    def targets(self) -> np.ndarray:
        raise NotImplementedError

    def __repr__(self) -> str:
        r = self.report
        splits = ", ".join(f"{name} {len(part):,}" for name, part in (("train", self.train), ("test", self.test))
                           if part is not None)
        return (f"<{len(self):,} images in {len(self.classes):,} classes from {r.source}"
                f"{' (' + splits + ')' if splits else ''}{', partial' if r.partial else ''}; "
                ".report says what is in it, .classes names them>")


class FolderImages(ImageDataset):
    """Image files, decoded when asked for."""

    def __init__(self, files: list[str], labels: list[int], **common):
        super().__init__(**common)
        self.files, self.labels = files, labels

    def __len__(self) -> int:
        return len(self.files)

    @property
    def targets(self) -> np.ndarray:
        return np.asarray(self.labels, dtype=np.int64)

    def __getitem__(self, i: int):
        path = self.files[i]
        try:
            image = images.decode(read_bytes(Path(path), images.MAX_FILE_BYTES))
        except images.Unreadable as error:
            raise DataError(f"{path}: {error.reason} (it was readable when the folder was loaded)") from None
        image = image.convert("L" if self.channels == 1 else "RGB")
        if self.size:
            image = image.resize((self.size, self.size), _bilinear())
        pixels = torch.from_numpy(np.array(image, dtype=np.uint8))
        pixels = pixels[None] if pixels.ndim == 2 else pixels.permute(2, 0, 1)
        return pixels.float().div_(255.0), self.labels[i]



class ArrayImages(ImageDataset):
    """Images held as arrays (N x C x H x W, uint8 or float32 in [0, 1]), one or more parts."""

    def __init__(self, parts: list[tuple[np.ndarray, np.ndarray]], **common):
        super().__init__(**common)
        self.parts = parts
        self.ends = list(np.cumsum([len(x) for x, _ in parts]))

    def __len__(self) -> int:
        return int(self.ends[-1]) if self.ends else 0

    @property
    def targets(self) -> np.ndarray:
        return np.concatenate([y for _, y in self.parts]) if self.parts else np.zeros(0, np.int64)

    def __getitem__(self, i: int):
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(f"index {i} is out of range for {len(self)} images")
        part = bisect.bisect_right(self.ends, i)
        x, y = self.parts[part]
        row = i - (int(self.ends[part - 1]) if part else 0)
        pixels = torch.from_numpy(np.array(x[row]))  # a copy: IDX arrays are read-only
        pixels = pixels.float().div_(255.0) if pixels.dtype == torch.uint8 else pixels.float()
        if pixels.shape[0] != self.channels:  # grey rows of a colour set
            pixels = pixels.expand(self.channels, -1, -1).clone()
        if self.size:
            pixels = torch.nn.functional.interpolate(pixels[None], size=(self.size, self.size), mode="bilinear",
                                                     antialias=True, align_corners=False)[0].clamp_(0, 1)
        return pixels, int(y[row])


def _bilinear():
    from PIL import Image

    return Image.Resampling.BILINEAR


def load(path, size: int | None = None, progress: Callable[[int, int], None] | None = None) -> ImageDataset:
    """The dataset at ``path`` (a folder of class folders, CIFAR-10's python batches, MNIST's IDX
    files, or an .npz), with its ``.report``. ``size``: resize every image to size x size (needed
    when sizes are mixed, for a DataLoader to stack them). ``progress(done, total)`` is called
    while a folder is read."""
    started = time.perf_counter()
    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_SIZE):
        raise DataError(f"size={size!r}: a whole number of pixels, 1 to {MAX_SIZE}")
    where = Path(os.fspath(path)).expanduser()
    try:
        info = os.stat(where)
    except (OSError, ValueError) as error:  # ValueError: a null byte in the path
        shown = str(path) if str(path).isprintable() else repr(str(path))
        raise DataError(f"{shown[:200]}: {getattr(error, 'strerror', None) or error}; give {ALLOWED}") from None
    if stat.S_ISDIR(info.st_mode):
        dataset = _folder(where, str(path), size, progress)
    elif stat.S_ISREG(info.st_mode):
        dataset = _file(where, str(path), size)
    else:
        raise DataError(f"{path} is {kind_of(info.st_mode)}, never opened; give {ALLOWED}")
    dataset.report.seconds = time.perf_counter() - started
    return dataset


def _file(path: Path, given: str, size) -> ImageDataset:
    if path.suffix.lower() == ".npz":
        return _arrays(given, ".npz arrays", *npz.read(path), size)
    if cifar.BATCH.match(path.name) or path.name == "batches.meta":
        if path.name == "batches.meta":
            raise DataError(f"{given} names CIFAR-10's classes only; give its folder or a batch file")
        return _arrays(given, "CIFAR-10 batch", *cifar.read(path), size)
    if path.suffix.lower() in images.SUFFIXES:
        raise DataError(f"{given} is one image; give the folder of class folders it belongs in")
    raise DataError(f"{given}: not a dataset file dlmagics reads; give {ALLOWED}")


def _folder(root: Path, given: str, size, progress) -> ImageDataset:
    if cifar.batch_files(root):
        return _arrays(given, "CIFAR-10 batches", *cifar.read(root), size)
    if idx.find_idx(root, idx.MNIST_FILES["images"]):
        splits = {"train": idx.mnist_arrays(root)}
        if idx.find_idx(root, idx.MNIST_TEST_FILES["images"]):
            splits["test"] = idx.mnist_arrays(root, idx.MNIST_TEST_FILES)
        splits = {k: (x[:, None], y.astype(np.int64)) for k, (x, y) in splits.items()}
        return _arrays(given, "MNIST IDX files", splits, [str(i) for i in range(10)], size)
    archives = [p for p in root.iterdir() if p.suffix.lower() == ".npz" and not images.hidden(p.name)]
    found = images.scan(root)
    if not found.files and len(archives) == 1:
        return _arrays(given, ".npz arrays", *npz.read(archives[0]), size)
    loose = sum(1 for reason, name in found.rejected if reason == images.OUTSIDE and Path(name).suffix.lower()
                in images.SUFFIXES)
    if not found.files and loose:
        raise DataError(f"{given} holds {loose:,} images but no class folder: put each class's images in a folder "
                        "of its own (cats/1.png, dogs/2.png) and give the folder above them")
    if not found.files:
        said = "; ".join(f"{reason}: {n}" for reason, n in Counter(r for r, _ in found.rejected).items()) or "it is empty"
        raise DataError(f"{given} holds no image in a class folder ({said}); give {ALLOWED}")
    return _read_folder(root, given, found, size, progress)


def _read_folder(root: Path, given: str, found: images.Found, size, progress) -> FolderImages:
    report = DataReport(given, "image folder", classes=found.classes, size=size, files_found=len(found.files),
                        empty_classes=found.empty_classes)
    for reason, name in found.rejected:
        report.problems.setdefault(reason, Problem()).add(name)
    for name in found.hidden:
        report.hidden.add(name)
    splits = sorted({split for _, split, _ in found.files}, key=["train", "test", "all"].index)
    tally = Tally(report, splits)
    number = {name: i for i, name in enumerate(found.classes)}
    kept: dict[str, tuple[list, list]] = {s: ([], []) for s in splits}
    total = len(found.files)
    try:
        for done, (path, split, name) in enumerate(found.files):
            report.files_read = done  # the files before this one (a file that failed was read too)
            if progress is not None:
                progress(done, total)
            shown = os.path.relpath(path, root)
            try:
                raw = read_bytes(Path(path), images.MAX_FILE_BYTES)
                image = images.decode(raw)
            except images.Unreadable as error:
                report.problems.setdefault(error.reason, Problem()).add(shown)
                continue
            except DataError:  # gone, swapped for a pipe, or unreadable since the scan
                report.problems.setdefault(images.UNREADABLE, Problem()).add(shown)
                continue
            tally.image(image, raw, split, number[name], shown)
            kept[split][0].append(path)
            kept[split][1].append(number[name])
        report.files_read = total
    except KeyboardInterrupt:
        report.partial = True
    tally.finish()
    common = dict(classes=found.classes, report=report, channels=report.channels, size=size)
    files = [f for s in splits for f in kept[s][0]]
    labels = [y for s in splits for y in kept[s][1]]
    dataset = FolderImages(files, labels, **common)
    if splits != ["all"]:
        dataset.train, dataset.test = (FolderImages(*kept[s], **common) if s in kept else None for s in ("train", "test"))
    _say_mixed(report)
    return dataset


def _arrays(given: str, kind: str, splits: dict, classes: list[str], size) -> ArrayImages:
    report = DataReport(given, kind, classes=classes, size=size)
    channels = max(x.shape[1] for x, _ in splits.values())
    tally = Tally(report, list(splits))
    for split, (x, y) in splits.items():
        report.files_found += len(x)
        tally.array(x, y, split)
    if any(x.dtype != np.uint8 for x, _ in splits.values()):
        report.notes.append("pixel values as floats from 0 to 1")
    tally.finish(channels)
    common = dict(classes=classes, report=report, channels=channels, size=size)
    dataset = ArrayImages(list(splits.values()), **common)
    if "all" not in splits:
        dataset.train, dataset.test = (ArrayImages([splits[s]], **common) if s in splits else None
                                       for s in ("train", "test"))
    _say_mixed(report)
    return dataset


def _say_mixed(report: DataReport) -> None:
    if report.mixed_sizes and report.size is None:
        report.notes.append(f"sizes are mixed: a DataLoader cannot stack them; pass size={report.suggested_size} "
                            f"(load(path, size={report.suggested_size}) or %dldata PATH --size "
                            f"{report.suggested_size}) to resize every image to that square")
    if report.size:
        report.notes.append(f"every image is resized to {report.size} x {report.size} when the dataset gives it "
                            "(the figures above are of the images as stored)")
