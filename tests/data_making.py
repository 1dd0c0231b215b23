"""Datasets the data tests make for themselves in a temporary folder, written the way their
owners write them: PNG class folders (with what learners' folders hold besides images),
CIFAR-10's python batches (a protocol-2 pickle of a dict of bytes keys, as the real files),
an .npz."""

from __future__ import annotations

import pickle
import shutil
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

CIFAR_NAMES = [b"airplane", b"automobile", b"bird", b"cat", b"deer", b"dog", b"frog", b"horse", b"ship", b"truck"]


def pixels(seed: int, shape) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)


def png_folder(root: Path) -> dict:
    """train/ and test/ with cat (RGB), dog (RGBA) and owl (grey) 8x8 PNGs; a damaged PNG, an
    empty file, a text file, a .ipynb_checkpoints folder with an image in it, a .DS_Store, and
    one test image that is a copy of a training one. Returns what the report must say."""
    made = {"train": {"cat": 4, "dog": 3, "owl": 2}, "test": {"cat": 1, "dog": 1, "owl": 1}}
    modes = {"cat": "RGB", "dog": "RGBA", "owl": "L"}
    arrays = []  # every image as the dataset gives it: RGB, alpha dropped, grey repeated
    seed = 0
    for split, classes in made.items():
        for name, count in classes.items():
            folder = root / split / name
            folder.mkdir(parents=True)
            for i in range(count):
                seed += 1
                mode = modes[name]
                a = pixels(seed, (8, 8) if mode == "L" else (8, 8, len(mode)))
                Image.fromarray(a, mode).save(folder / f"{i}.png")
                arrays.append(np.repeat(a[..., None], 3, axis=2) if mode == "L" else a[..., :3])
    shutil.copy(root / "train" / "cat" / "0.png", root / "test" / "cat" / "copy.png")
    arrays.append(arrays[0])
    (root / "train" / "cat" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    (root / "train" / "dog" / "empty.png").write_bytes(b"")
    (root / "train" / "owl" / "notes.txt").write_text("owls at dusk")
    (root / "train" / ".ipynb_checkpoints").mkdir()
    Image.fromarray(pixels(99, (8, 8, 3))).save(root / "train" / ".ipynb_checkpoints" / "x.png")
    (root / "train" / "cat" / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    return {"counts": {"train": [4, 3, 2], "test": [2, 1, 1]}, "arrays": np.stack(arrays)}


def cifar_batch(path: Path, data: np.ndarray, labels: list[int], label: bytes) -> None:
    batch = {b"batch_label": label, b"labels": labels, b"data": data,
             b"filenames": [f"img_{i}.png".encode() for i in range(len(labels))]}
    path.write_bytes(pickle.dumps(batch, protocol=2))


def cifar_folder(root: Path, per_batch: int = 20, batches: int = 2) -> dict:
    """data_batch_1..N and test_batch of random images, and batches.meta, in CIFAR-10's format."""
    root.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(7)
    parts = {}
    for i in range(1, batches + 1):
        data, labels = rng.integers(0, 256, (per_batch, 3072), dtype=np.uint8), list(rng.integers(0, 10, per_batch))
        cifar_batch(root / f"data_batch_{i}", data, [int(v) for v in labels], f"training batch {i} of {batches}".encode())
        parts[f"data_batch_{i}"] = (data, labels)
    data, labels = rng.integers(0, 256, (per_batch, 3072), dtype=np.uint8), list(rng.integers(0, 10, per_batch))
    data[0] = parts["data_batch_1"][0][3]  # one test image is a training image
    cifar_batch(root / "test_batch", data, [int(v) for v in labels], b"testing batch 1 of 1")
    parts["test_batch"] = (data, labels)
    meta = {b"num_cases_per_batch": per_batch, b"label_names": CIFAR_NAMES, b"num_vis": 3072}
    (root / "batches.meta").write_bytes(pickle.dumps(meta, protocol=2))
    return parts


def bomb_png(path: Path, side: int = 100_000) -> None:
    """A tiny PNG whose header says side x side pixels (a decompression bomb's header)."""
    out = path.with_suffix(".tmp.png")
    Image.fromarray(pixels(1, (4, 4, 3))).save(out)
    raw = bytearray(out.read_bytes())
    out.unlink()
    ihdr = raw.index(b"IHDR")
    raw[ihdr + 4:ihdr + 12] = struct.pack(">II", side, side)
    raw[ihdr + 17:ihdr + 21] = struct.pack(">I", zlib.crc32(bytes(raw[ihdr:ihdr + 17])))
    path.write_bytes(bytes(raw))
