"""The report's figures, gathered image by image (a folder) or array by array (CIFAR-10,
MNIST, .npz): counts, sizes, modes, per-channel sums for the mean and std, content hashes for
duplicates across splits, and a few thumbnails per class. Nothing else of an image is kept."""

from __future__ import annotations

import hashlib
import io

import numpy as np

from .result import DataReport, Problem

THUMBNAILS = 4  # per class
THUMBNAIL_PX = 48  # the longer side
GREY_MODES = {"1", "L", "LA", "I", "I;16", "F"}
CHUNK = 1024  # array rows summed at a time (bounded memory for CIFAR's 60,000)
ROWS = 256  # rows of one image summed at a time


class Tally:
    def __init__(self, report: DataReport, splits: list[str]):
        self.report = report
        report.counts = {s: [0] * len(report.classes) for s in splits}
        self.sums, self.squares, self.pixels = np.zeros(3), np.zeros(3), 0
        self.seen: dict[str, dict[bytes, str]] = {s: {} for s in splits}  # split -> content hash -> name

    # -- one image of a folder ----------------------------------------------------------
    def image(self, image, raw: bytes, split: str, label: int, name: str) -> None:
        report = self.report
        report.modes[image.mode] = report.modes.get(image.mode, 0) + 1
        report.sizes[image.size] = report.sizes.get(image.size, 0) + 1
        rgb = np.asarray(image.convert("RGB"))
        for top in range(0, rgb.shape[0], ROWS):  # a photo's rows a few at a time: float64 of it all is large
            self._add_pixels(rgb[top:top + ROWS].reshape(-1, 3).astype(np.float64) / 255.0)
        self._count(split, label, hashlib.sha1(raw).digest(), name)
        self._thumbnail(label, image)

    # -- many images as one array, N x C x H x W, uint8 or float32 in [0, 1] ---------------
    def array(self, images: np.ndarray, labels: np.ndarray, split: str) -> None:
        report = self.report
        n, channels, height, width = images.shape
        report.sizes[(width, height)] = report.sizes.get((width, height), 0) + n
        mode = "L" if channels == 1 else "RGB"
        report.modes[mode] = report.modes.get(mode, 0) + n
        scale = 255.0 if images.dtype == np.uint8 else 1.0
        for start in range(0, n, CHUNK):
            block = images[start:start + CHUNK].astype(np.float64) / scale
            self._add(block.sum(axis=(0, 2, 3)), (block * block).sum(axis=(0, 2, 3)), block[:, 0].size)
        report.files_read += n
        for i in range(n):
            self._count(split, int(labels[i]), hashlib.sha1(images[i].tobytes()).digest(), f"{split} #{i}")
        for label in range(len(report.classes)):
            for i in np.flatnonzero(labels == label)[:THUMBNAILS]:
                self._thumbnail(label, _picture(images[i]))

    def _add_pixels(self, pixels: np.ndarray) -> None:
        """Pixels as rows of (red, green, blue) in [0, 1]."""
        self._add(pixels.sum(axis=0), (pixels * pixels).sum(axis=0), len(pixels))

    def _add(self, sums: np.ndarray, squares: np.ndarray, pixels: int) -> None:
        """Per channel sums of ``pixels`` pixels (one channel: grey, counted in all three)."""
        self.sums += sums
        self.squares += squares
        self.pixels += pixels

    def _count(self, split: str, label: int, digest: bytes, name: str) -> None:
        self.report.counts[split][label] += 1
        self.seen[split].setdefault(digest, name)

    def _thumbnail(self, label: int, image) -> None:
        shelf = self.report.thumbnails.setdefault(self.report.classes[label], [])
        if len(shelf) < THUMBNAILS:
            small = image.convert("RGBA" if "A" in image.mode or image.mode == "P" else "RGB")
            small.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
            out = io.BytesIO()
            small.save(out, format="PNG")
            shelf.append(out.getvalue())

    # -- the end -----------------------------------------------------------------------
    def finish(self, channels: int | None = None) -> DataReport:
        """Mean, std and duplicates; ``channels`` of the dataset (None: 1 if every image is grey)."""
        report = self.report
        if channels is None:
            channels = 1 if report.modes and set(report.modes) <= GREY_MODES else 3
        report.channels = channels
        if self.pixels:
            mean = self.sums / self.pixels
            std = np.sqrt(np.maximum(self.squares / self.pixels - mean * mean, 0.0))
            report.mean, report.std = [float(v) for v in mean[:channels]], [float(v) for v in std[:channels]]
        train, test = self.seen.get("train", {}), self.seen.get("test", {})
        report.duplicates = Problem()
        for digest, name in test.items():
            if digest in train:
                report.duplicates.add(f"{name} = {train[digest]}")
        return report


def _picture(pixels: np.ndarray):
    """A PIL image of one C x H x W array row."""
    from PIL import Image

    if pixels.dtype != np.uint8:
        pixels = np.clip(pixels * 255.0 + 0.5, 0, 255).astype(np.uint8)
    return Image.fromarray(pixels[0] if pixels.shape[0] == 1 else pixels.transpose(1, 2, 0))
