"""MNIST's IDX files (LeCun et al.): a magic number, the dimensions, then unsigned bytes;
gzipped or not. Bounded, so a gzip bomb stops at MAX_IDX_BYTES."""

from __future__ import annotations

import gzip
import struct
import zlib
from pathlib import Path

import numpy as np

from .errors import DataError
from .files import regular

# stem of each file -> what it holds; training files first, then the held-out (t10k) ones
MNIST_FILES = {"images": "train-images-idx3-ubyte", "labels": "train-labels-idx1-ubyte"}
MNIST_TEST_FILES = {"images": "t10k-images-idx3-ubyte", "labels": "t10k-labels-idx1-ubyte"}
MAX_IDX_BYTES = 256 << 20  # five times MNIST's training images


def read_idx(path: Path) -> np.ndarray:
    """One IDX file (MNIST's format), gzipped or not."""
    regular(path)
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


def find_idx(folder: Path, stem: str) -> Path | None:
    """The file of ``stem`` in ``folder`` under any of the names it ships with, or None."""
    for name in (stem, stem + ".gz", stem.replace("-idx", ".idx"), stem.replace("-idx", ".idx") + ".gz"):
        if (folder / name).is_file():
            return folder / name
    return None


def need_idx(folder: Path, stem: str) -> Path:
    found = find_idx(folder, stem)
    if found is None:
        raise DataError(f"{folder} has no {stem}[.gz]: --data takes a folder with MNIST's IDX files")
    return found


def mnist_arrays(folder: Path, files: dict = MNIST_FILES) -> tuple[np.ndarray, np.ndarray]:
    """(images N x 28 x 28 uint8, labels N) of one pair of files, checked against each other."""
    images = read_idx(need_idx(folder, files["images"]))
    labels = read_idx(need_idx(folder, files["labels"]))
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise DataError(f"{folder}: the image and label files do not match (shapes {images.shape}, {labels.shape})")
    if labels.size and int(labels.max()) > 9:
        raise DataError(f"{folder}: a label is {int(labels.max())}; MNIST's labels are the digits 0 to 9")
    return images, labels
