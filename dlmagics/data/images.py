"""A folder of images in class subfolders (``cats/1.png``), optionally under split folders
(``train/cats/1.png``, ``test/...`` or ``val/...``): finding the files (stat only, nothing
opened) and decoding one (Pillow, with its pixels bounded before it is decoded).

Hidden files and folders (``.ipynb_checkpoints``, ``.DS_Store``, ``__MACOSX``) are skipped,
never taken for a class (torchvision's ImageFolder does: pytorch/vision#2831).
"""

from __future__ import annotations

import io
import os
import stat
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff"}
SPLITS = {"train": "train", "training": "train", "test": "test", "testing": "test", "val": "test",
          "valid": "test", "validation": "test"}
MAX_PIXELS = 1 << 26  # 67 million: an 8192 x 8192 photo; more is a decompression bomb, or not for training
MAX_FILE_BYTES = 64 << 20

# Why a file is not used, each a fixed phrase so that 50,000 of them are one line.
EMPTY = "empty file (0 bytes)"
NOT_IMAGE = "not an image file (by its name)"
NOT_REGULAR = "not a regular file (a pipe, socket or device), never opened"
OUTSIDE = "not inside a class folder"
UNREADABLE = "could not be opened (permissions?)"
TOO_LARGE = f"too large (over {MAX_PIXELS:,} pixels, or over {MAX_FILE_BYTES >> 20} MiB): a decompression bomb?"
NOT_DECODED = "not an image Pillow can read"
DAMAGED = "damaged or truncated image"


def hidden(name: str) -> bool:
    return name.startswith(".") or name == "__MACOSX"


@dataclass
class Found:
    """What a scan found: the usable files with their class and split, and what it passed over."""

    files: list[tuple[str, str, str]] = field(default_factory=list)  # (path, split, class name)
    classes: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (reason, path)
    hidden: list[str] = field(default_factory=list)
    empty_classes: list[str] = field(default_factory=list)
    seen: set = field(default_factory=set)  # (device, inode) of every folder walked or to be walked


def scan(root: Path) -> Found:
    """Every file under ``root`` placed in its split and class, by stat alone."""
    found = Found()
    dirs, loose = _children(root, found, root)
    split_dirs = {d: SPLITS[d.name.lower()] for d in dirs if d.name.lower() in SPLITS}
    if split_dirs and len(split_dirs) == len(dirs):
        layout = []
        for d, split in sorted(split_dirs.items()):
            class_dirs, more = _children(d, found, root)
            loose += more
            layout += [(split, c) for c in class_dirs]
    else:
        layout = [("all", d) for d in dirs]
    found.rejected += [(OUTSIDE, _rel(p, root)) for p in loose]
    found.seen = {_place(d) for d in [root, *split_dirs, *(c for _, c in layout)]}
    names = set()
    for split, class_dir in layout:
        files = _walk(class_dir, found, root)
        if files:
            names.add(class_dir.name)
            found.files += [(f, split, class_dir.name) for f in files]
        else:
            found.empty_classes.append(_rel(class_dir, root))
    found.classes = sorted(names)
    return found


def _rel(path, root: Path) -> str:
    return os.path.relpath(path, root)


def _children(folder: Path, found: Found, root: Path) -> tuple[list[Path], list[Path]]:
    """(sub-folders, files) of ``folder``, hidden ones noted and left out."""
    dirs, files = [], []
    with os.scandir(folder) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            if hidden(entry.name):
                found.hidden.append(_rel(entry.path, root))
            elif _is_dir(entry):
                dirs.append(Path(entry.path))
            else:
                files.append(Path(entry.path))
    return dirs, files


def _place(folder: Path) -> tuple[int, int]:
    info = os.stat(folder)
    return info.st_dev, info.st_ino


def _is_dir(entry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _walk(folder: Path, found: Found, root: Path) -> list[str]:
    """The usable image files under a class folder (sub-folders included), in name order."""
    usable, stack = [], [folder]
    while stack:
        here = stack.pop()
        try:
            if here is not folder:  # a symlink back up the tree, or to another class: walked once, not again
                place = _place(here)
                if place in found.seen:
                    continue
                found.seen.add(place)
            dirs, files = _children(here, found, root)
        except OSError:
            found.rejected.append((UNREADABLE, _rel(here, root)))
            continue
        stack += reversed(dirs)
        for path in files:
            reason = _refuse(path)
            if reason:
                found.rejected.append((reason, _rel(path, root)))
            else:
                usable.append(str(path))
    return usable


def _refuse(path: Path) -> str | None:
    """Why a file cannot be an image, from its name and stat alone; None if it may be."""
    try:
        info = os.stat(path)
    except OSError:
        return UNREADABLE
    if not stat.S_ISREG(info.st_mode):
        return NOT_REGULAR
    if path.suffix.lower() not in SUFFIXES:
        return NOT_IMAGE
    if info.st_size == 0:
        return EMPTY
    if info.st_size > MAX_FILE_BYTES:
        return TOO_LARGE
    return None


class Unreadable(Exception):
    """An image file that cannot be used; ``reason`` is one of the phrases above."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _eight_bit(image):
    """16-bit and 32-bit grey images (PNGs from scientific and medical tools) as 8-bit grey,
    scaled: Pillow's own conversion to RGB clips them at 255, so every pixel came out white."""
    if image.mode not in ("I", "I;16", "I;16B", "I;16L", "I;16N"):
        return image
    from PIL import Image

    pixels = np.asarray(image, dtype=np.float64)
    return Image.fromarray(np.clip(np.rint(pixels / 257.0), 0, 255).astype(np.uint8))


def decode(raw: bytes):
    """The image in ``raw`` as a loaded PIL image (EXIF rotation applied), or Unreadable.
    Its size is checked from the header before any pixel is decoded."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(raw))
            width, height = image.size
            if width * height > MAX_PIXELS or width <= 0 or height <= 0:
                raise Unreadable(TOO_LARGE)
            image.load()
            return _eight_bit(ImageOps.exif_transpose(image))
    except Unreadable:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning, MemoryError):
        raise Unreadable(TOO_LARGE) from None
    except UnidentifiedImageError:
        raise Unreadable(NOT_DECODED) from None
    except Exception:  # Pillow's decoders raise OSError, SyntaxError, ValueError, struct.error...
        raise Unreadable(DAMAGED) from None
