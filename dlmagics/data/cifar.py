"""CIFAR-10's python batches (Krizhevsky 2009): each file a pickled dict with b'data' (N x 3072
uint8: 1024 red, 1024 green, 1024 blue, row by row) and b'labels'; batches.meta names the
classes (b'label_names').

A pickle can run any code it names, so it is read with an unpickler that builds nothing but
NumPy arrays, lists, dicts and bytes: any other name is refused before anything runs.
"""

from __future__ import annotations

import io
import pickle
import re
from pathlib import Path

import numpy as np

from .errors import DataError
from .files import read_bytes

MAX_BATCH_BYTES = 256 << 20  # a real batch is 30 MiB
BATCH = re.compile(r"^(data_batch_\d+|test_batch)$")
SIDE = 32


def _latin1(text: str, encoding: str = "latin1") -> bytes:
    """What Python 3 writes for bytes in a protocol-2 pickle (_codecs.encode), and nothing else."""
    return text.encode("latin1")


def _reconstruct():
    try:
        from numpy._core.multiarray import _reconstruct
    except ImportError:  # NumPy 1
        from numpy.core.multiarray import _reconstruct
    return _reconstruct


ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct,  # NumPy 1 wrote this name, NumPy 2 reads it
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
    ("numpy", "ndarray"): lambda: np.ndarray,
    ("numpy", "dtype"): lambda: np.dtype,
    ("_codecs", "encode"): lambda: _latin1,
}


class _ArraysOnly(pickle.Unpickler):
    def __init__(self, raw: bytes, name: str):
        super().__init__(io.BytesIO(raw), encoding="bytes")
        self.name = name

    def find_class(self, module, name):
        make = ALLOWED.get((module, name))
        if make is None:
            raise DataError(f"{self.name}: the pickle asks for {module}.{name}, which could run code; a CIFAR-10 "
                            "batch holds only arrays and lists: refused, nothing was run")
        return make()

    def persistent_load(self, pid):
        raise DataError(f"{self.name}: the pickle refers to outside objects; a CIFAR-10 batch does not")


def unpickle(path: Path) -> dict:
    raw = read_bytes(path, MAX_BATCH_BYTES)
    try:
        found = _ArraysOnly(raw, path.name).load()
    except DataError:
        raise
    except Exception as error:  # a damaged pickle fails in many ways, all the same here
        raise DataError(f"{path}: not a readable CIFAR-10 batch ({type(error).__name__}: {error})"[:300]) from None
    if not isinstance(found, dict):
        raise DataError(f"{path}: holds a {type(found).__name__}; a CIFAR-10 batch is a dict")
    return found


def batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """(images N x 3 x 32 x 32 uint8, labels N) of one batch file."""
    found = unpickle(path)
    data, labels = found.get(b"data", found.get("data")), found.get(b"labels", found.get("labels"))
    if not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 2 or data.shape[1] != 3 * SIDE * SIDE:
        raise DataError(f"{path}: b'data' must be an N x 3072 uint8 array (CIFAR-10's python batches)")
    try:
        labels = np.asarray(labels, dtype=np.int64)
    except (TypeError, ValueError):
        raise DataError(f"{path}: b'labels' must be a list of whole numbers") from None
    if labels.shape != (len(data),) or (labels.size and labels.min() < 0):
        raise DataError(f"{path}: b'labels' must give one class number (0 or more) per image")
    return data.reshape(-1, 3, SIDE, SIDE), labels


def names(folder: Path, count: int) -> list[str]:
    """The class names from batches.meta, else the numbers."""
    meta = folder / "batches.meta"
    if meta.is_file():
        found = unpickle(meta).get(b"label_names")
        if isinstance(found, list) and len(found) >= count:
            return [n.decode("utf-8", "replace") if isinstance(n, bytes) else str(n) for n in found]
    return [str(i) for i in range(count)]


def batch_files(folder: Path) -> list[Path]:
    """The batch files in a folder (the training batches in order, then the test batch)."""
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if BATCH.match(p.name)]
    return sorted(found, key=lambda p: (p.name == "test_batch", len(p.name), p.name))


def read(path: Path) -> tuple[dict, list[str]]:
    """{"train": (images, labels), "test": ...} of a folder of batches, or {"all": ...} of one file."""
    if path.is_file():
        images, labels = batch(path)
        return {"all": (images, labels)}, names(path.parent, int(labels.max(initial=-1)) + 1)
    parts: dict[str, list] = {"train": [], "test": []}
    for file in batch_files(path):
        parts["test" if file.name == "test_batch" else "train"].append(batch(file))
    splits = {k: (np.concatenate([p[0] for p in v]), np.concatenate([p[1] for p in v])) for k, v in parts.items() if v}
    top = max(int(labels.max(initial=-1)) for _, labels in splits.values())
    return splits, names(path, top + 1)
