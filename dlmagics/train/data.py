"""The demos' data: nothing is downloaded.

- ``digits``: the 1797 8x8 handwritten digits of the UCI "Optical Recognition of Handwritten
  Digits" set (E. Alpaydin, C. Kaynak, 1998; CC BY 4.0), shipped in ``data/`` (see its README).
- ``xor`` and ``moons``: generated here, from a seed.
- ``mnist``: the real MNIST IDX files, for those who have them (``--data PATH``).
"""

from __future__ import annotations

import gzip
import os
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import torch

DIGITS_FILE = Path(__file__).parent / "data" / "digits.csv.gz"
MNIST_FILES = {"images": "train-images-idx3-ubyte", "labels": "train-labels-idx1-ubyte"}
MAX_IDX_BYTES = 256 << 20  # five times MNIST's training images


class DataError(ValueError):
    """Data that cannot be read; the message says which file and why, in one line."""


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


def read_idx(path: Path) -> np.ndarray:
    """One IDX file (MNIST's format), gzipped or not."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            raw = f.read(MAX_IDX_BYTES + 1)  # a bound, so a gzip bomb stops here
    except (OSError, EOFError, zlib.error, MemoryError) as error:
        raise DataError(f"cannot read {path}: {error}") from None
    if len(raw) > MAX_IDX_BYTES:
        raise DataError(f"{path} holds over {MAX_IDX_BYTES >> 20} MiB (unpacked); MNIST's largest file is 47 MiB")
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise DataError(f"{path} is not an IDX file of unsigned bytes (bad magic number)")
    dims = raw[3]
    header = 4 + 4 * dims
    shape = struct.unpack(f">{dims}I", raw[4:header]) if len(raw) >= header else ()
    if len(shape) != dims or len(raw) - header != int(np.prod(shape)):
        raise DataError(f"{path} is truncated or damaged: its header does not match its size")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def _find(folder: Path, stem: str) -> Path:
    for name in (stem, stem + ".gz", stem.replace("-idx", ".idx"), stem.replace("-idx", ".idx") + ".gz"):
        if (folder / name).is_file():
            return folder / name
    raise DataError(f"{folder} has no {stem}[.gz]: --data takes a folder with MNIST's IDX files")


def mnist(path: str | os.PathLike, seed: int = 0, limit: int | None = None) -> Dataset:
    """MNIST's training IDX files from a folder, split 80/20, images 1x28x28 in [0, 1]."""
    folder = Path(path).expanduser()
    if not folder.is_dir():
        raise DataError(f"--data {path}: no such folder (give the folder with MNIST's IDX files)")
    images = read_idx(_find(folder, MNIST_FILES["images"]))
    labels = read_idx(_find(folder, MNIST_FILES["labels"]))
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise DataError(f"{folder}: the image and label files do not match (shapes {images.shape}, {labels.shape})")
    if labels.size and int(labels.max()) > 9:
        raise DataError(f"{folder}: a label is {int(labels.max())}; MNIST's labels are the digits 0 to 9")
    if limit:
        images, labels = images[:limit], labels[:limit]
    return _split("mnist", images[:, None].astype(np.float32) / 255.0, labels.astype(np.int64), 0.2, seed, 10)
