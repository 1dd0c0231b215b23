"""NumPy ``.npz`` files: images in ``x`` (or ``x_train``/``x_test``), labels in ``y`` (or
``y_train``/``y_test``), class names in ``classes`` if given. Read with allow_pickle=False, so
an object array (a pickle) is refused, and the unpacked size is bounded before any is read."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from .errors import DataError
from .files import regular

MAX_UNPACKED = 4 << 30  # all arrays together, as the zip's directory says
PAIRS = {"all": ("x", "y"), "train": ("x_train", "y_train"), "test": ("x_test", "y_test")}
ALLOWED = "x and y, or x_train, y_train, x_test and y_test"


def _unpacked_size(path: Path) -> int:
    try:
        with zipfile.ZipFile(path) as z:
            return sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise DataError(f"{path}: not a readable .npz ({error})") from None


def images_of(x: np.ndarray, where: str) -> np.ndarray:
    """N x C x H x W, uint8 or float32 in [0, 1], from N x H x W, N x H x W x C or N x C x H x W."""
    if x.ndim == 3:
        x = x[:, None]
    elif x.ndim == 4 and x.shape[-1] in (1, 3) and x.shape[1] not in (1, 3):
        x = np.moveaxis(x, -1, 1)
    if x.ndim != 4 or x.shape[1] not in (1, 3):
        raise DataError(f"{where} has shape {x.shape}; images are N x H x W (grey), N x H x W x C or N x C x H x W "
                        "with C 1 (grey) or 3 (RGB)")
    if x.dtype == np.uint8:
        return x
    if not (np.issubdtype(x.dtype, np.floating) or np.issubdtype(x.dtype, np.integer) or x.dtype == bool):
        raise DataError(f"{where} holds {x.dtype}; images are numbers (uint8 0-255, or floats 0-1)")
    x = x.astype(np.float32)
    low, high = (float(x.min()), float(x.max())) if x.size else (0.0, 1.0)
    if not (np.isfinite(low) and np.isfinite(high)) or low < 0 or high > 255:
        raise DataError(f"{where} runs from {low:g} to {high:g}; pixel values are 0-1 or 0-255")
    return x / 255.0 if high > 1 else x


def labels_of(y: np.ndarray, count: int, where: str) -> np.ndarray:
    if y.ndim == 2 and y.shape == (count, 1):  # Keras's datasets (cifar10.load_data()) give N x 1
        y = y.ravel()
    if y.ndim != 1 or len(y) != count:
        raise DataError(f"{where} has shape {y.shape}; labels are one whole number per image ({count})")
    if not (np.issubdtype(y.dtype, np.integer) or (np.issubdtype(y.dtype, np.floating) and np.all(y == np.round(y)))):
        raise DataError(f"{where} holds {y.dtype}; labels are whole numbers 0, 1, 2...")
    if y.size and y.min() < 0:
        raise DataError(f"{where} has a label {int(y.min())}; labels are whole numbers 0, 1, 2...")
    return y.astype(np.int64)


def read(path: Path) -> tuple[dict, list[str]]:
    regular(path)
    if _unpacked_size(path) > MAX_UNPACKED:
        raise DataError(f"{path} unpacks to over {MAX_UNPACKED >> 30} GiB; split it or give fewer images")
    try:
        with np.load(path, allow_pickle=False) as found:
            keys = set(found.files)
            splits = {}
            for split, (xk, yk) in PAIRS.items():
                if xk in keys and yk in keys:
                    x = images_of(found[xk], f"{path.name}: {xk}")
                    splits[split] = (x, labels_of(found[yk], len(x), f"{path.name}: {yk}"))
            given = [str(n) for n in found["classes"]] if "classes" in keys else None
    except DataError:
        raise
    except ValueError as error:  # an object array needs pickle: refused
        raise DataError(f"{path}: {error}"[:300]) from None
    except (OSError, zipfile.BadZipFile, EOFError) as error:
        raise DataError(f"{path}: not a readable .npz ({error})"[:300]) from None
    if not splits:
        raise DataError(f"{path} holds {', '.join(sorted(keys)) or 'nothing'}; a dataset .npz holds {ALLOWED}")
    if "all" in splits and len(splits) > 1:
        del splits["all"]  # the named splits say more
    top = max((int(y.max()) for _, y in splits.values() if y.size), default=-1)
    if given is not None and len(given) <= top:
        raise DataError(f"{path}: classes names {len(given)} classes but a label is {top}")
    return splits, given or [str(i) for i in range(top + 1)]
