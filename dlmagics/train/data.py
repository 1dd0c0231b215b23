"""The demos' data: nothing is downloaded.

- ``digits``: the 1797 8x8 handwritten digits of the UCI "Optical Recognition of Handwritten
  Digits" set (E. Alpaydin, C. Kaynak, 1998; CC BY 4.0), shipped in ``data/`` (see its README).
- ``xor`` and ``moons``: generated here, from a seed.
- ``mnist``: the real MNIST IDX files, for those who have them (``--data PATH``).
- ``own_images``: a learner's images, CIFAR-10 batches or .npz (``dlmagics.data.load``),
  resized to a small square and cut to a quick size (``--data PATH`` of cnn and transfer).
"""

from __future__ import annotations

import gzip
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..data.errors import DataError
from ..data.idx import MNIST_FILES, find_idx, mnist_arrays
from .defaults import OWN_SIDE, OWN_TEST, OWN_TRAIN

if TYPE_CHECKING:
    import torch

DIGITS_FILE = Path(__file__).parent / "data" / "digits.csv.gz"


@dataclass
class Dataset:
    """A split classification set as float32 / int64 tensors; images keep their shape."""

    name: str
    x_train: "torch.Tensor"
    y_train: "torch.Tensor"
    x_test: "torch.Tensor"
    y_test: "torch.Tensor"
    classes: int

    @property
    def features(self) -> int:
        return int(np.prod(self.x_train.shape[1:]))

    def subset(self, train: int) -> "Dataset":
        """The first ``train`` training examples (the split is already shuffled)."""
        return Dataset(self.name, self.x_train[:train], self.y_train[:train], self.x_test, self.y_test, self.classes)

    def only(self, labels: list[int], relabel: bool = True) -> "Dataset":
        """The examples of some classes, numbered 0.. in the order given when ``relabel``."""
        import torch

        def pick(x, y):
            keep = torch.isin(y, torch.tensor(labels))
            y = y[keep]
            if relabel:
                y = torch.tensor([labels.index(int(v)) for v in y], dtype=torch.int64)
            return x[keep], y

        x_train, y_train = pick(self.x_train, self.y_train)
        x_test, y_test = pick(self.x_test, self.y_test)
        return Dataset(self.name, x_train, y_train, x_test, y_test, len(labels) if relabel else self.classes)


def _split(name: str, x: np.ndarray, y: np.ndarray, test_fraction: float, seed: int, classes: int) -> Dataset:
    import torch

    order = np.random.default_rng(seed).permutation(len(x))
    x, y = x[order], y[order]
    n_test = int(round(len(x) * test_fraction))
    as_x = lambda a: torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32))  # noqa: E731
    as_y = lambda a: torch.from_numpy(np.ascontiguousarray(a, dtype=np.int64))  # noqa: E731
    return Dataset(name, as_x(x[n_test:]), as_y(y[n_test:]), as_x(x[:n_test]), as_y(y[:n_test]), classes)


_digits_cache: tuple[np.ndarray, np.ndarray] | None = None


def digits_arrays() -> tuple[np.ndarray, np.ndarray]:
    """The digits as (images 1797x8x8 in [0, 1], labels)."""
    global _digits_cache
    if _digits_cache is None:
        with gzip.open(DIGITS_FILE, "rt") as f:
            table = np.loadtxt(f, delimiter=",", dtype=np.float32)
        _digits_cache = (table[:, :64].reshape(-1, 8, 8) / 16.0, table[:, 64].astype(np.int64))
    return _digits_cache


def digits(seed: int = 0, test_fraction: float = 0.3) -> Dataset:
    """The UCI digits, shuffled by ``seed``, 30% held out; images 1x8x8 in [0, 1]."""
    images, labels = digits_arrays()
    return _split("digits", images[:, None], labels, test_fraction, seed, 10)


def xor(seed: int = 0, n: int = 200, noise: float = 0.15) -> Dataset:
    """Points around the four corners of a square; the class is x XOR y (the 1969 problem)."""
    rng = np.random.default_rng(seed)
    corners = rng.integers(0, 2, size=(2 * n, 2))
    points = corners * 2.0 - 1.0 + rng.normal(0, noise, size=(2 * n, 2))
    return _split("xor", points, corners[:, 0] ^ corners[:, 1], 0.5, seed, 2)


def moons(seed: int = 0, n: int = 400, noise: float = 0.15) -> Dataset:
    """Two interleaving half circles, as in scikit-learn's make_moons."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, size=n)
    angle = rng.uniform(0, np.pi, size=n)
    points = np.stack([np.cos(angle), np.sin(angle)], axis=1)
    points[labels == 1] = 1.0 - points[labels == 1] + [0.0, 0.5]
    points += rng.normal(0, noise, size=points.shape)
    return _split("moons", points, labels, 0.5, seed, 2)


def mnist(path: str | os.PathLike, seed: int = 0, limit: int | None = None) -> Dataset:
    """MNIST's training IDX files from a folder, split 80/20, images 1x28x28 in [0, 1]."""
    folder = Path(path).expanduser()
    if not folder.is_dir():
        raise DataError(f"--data {path}: no such folder (give the folder with MNIST's IDX files)")
    images, labels = mnist_arrays(folder)
    if limit:
        images, labels = images[:limit], labels[:limit]
    return _split("mnist", images[:, None].astype(np.float32) / 255.0, labels.astype(np.int64), 0.2, seed, 10)


def is_mnist(path: str | os.PathLike) -> bool:
    """A folder with MNIST's training images file (the digits demos read it as before)."""
    folder = Path(path).expanduser()
    return folder.is_dir() and find_idx(folder, MNIST_FILES["images"]) is not None


_own_kept: dict = {}  # what the magic read to check --data, for its demo to use (at most one)


def own_images(path: str | os.PathLike, seed: int = 0, quick: bool = False, keep: bool = False) -> Dataset:
    """A learner's dataset (``dlmagics.data.load``) as the demos' tensors: square images of at
    most OWN_SIDE pixels, at most OWN_TRAIN training and OWN_TEST test images picked by
    ``seed``; its own train/test split when it has one, else 20% held out. ``keep``: the next
    call with the same arguments takes this one rather than reading the files again."""
    key = (str(Path(path).expanduser().resolve()), seed, quick)
    found = _own_kept.pop(key, None) or _own_images(path, seed, quick)
    _own_kept.clear()
    if keep:
        _own_kept[key] = found
    return found


def _own_images(path, seed: int, quick: bool) -> Dataset:
    import torch

    from ..data import load

    loaded = load(path)
    sizes = loaded.report.sizes
    only = next(iter(sizes)) if len(sizes) == 1 else None  # (width, height) of every image
    side = only[0] if only and only[0] == only[1] and only[0] <= OWN_SIDE else OWN_SIDE
    loaded.size = None if only == (side, side) else side
    rng = np.random.default_rng(seed)
    if loaded.train is not None and loaded.test is not None:
        train, test = loaded.train, loaded.test
        train_rows, test_rows = rng.permutation(len(train)), rng.permutation(len(test))
    else:
        train = test = loaded
        order = rng.permutation(len(loaded))
        n_test = int(round(len(order) * 0.2))
        train_rows, test_rows = order[n_test:], order[:n_test]
    train.size = test.size = loaded.size
    limit = OWN_TRAIN["quick" if quick else "full"]

    def tensors(ds, rows):
        pairs = [ds[int(i)] for i in rows]
        if not pairs:
            raise DataError(f"--data {path}: no images to train or test on ({len(loaded)} in all)")
        return torch.stack([x for x, _ in pairs]), torch.tensor([y for _, y in pairs], dtype=torch.int64)

    x_train, y_train = tensors(train, train_rows[:limit])
    x_test, y_test = tensors(test, test_rows[:OWN_TEST])
    name = f"{Path(path).expanduser().name or path}, {side} x {side}"
    return Dataset(name, x_train, y_train, x_test, y_test, len(loaded.classes))
