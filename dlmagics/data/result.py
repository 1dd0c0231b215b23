"""What %dldata found in a dataset: the report (classes and counts, sizes and modes, files it
could not use and why, hidden ones skipped, duplicates across splits, mean and std per
channel, thumbnails). Data only: view.py draws it (registered in ../views.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import views

EXAMPLES = 3  # names shown for each reason
IMBALANCED = 1.5  # largest class / smallest at which the report calls the classes imbalanced


@dataclass
class Problem:
    """A group of files with one reason: how many, and the first few names."""

    count: int = 0
    examples: list[str] = field(default_factory=list)

    def add(self, name: str) -> None:
        self.count += 1
        if len(self.examples) < EXAMPLES:
            self.examples.append(name)


@dataclass
class DataReport:
    source: str  # the path as given
    kind: str  # "image folder", "CIFAR-10 batches", "MNIST IDX files", ".npz arrays"
    classes: list[str] = field(default_factory=list)
    counts: dict[str, list[int]] = field(default_factory=dict)  # split ("all", "train", "test") -> per class
    channels: int = 3  # of the tensors the dataset gives (1: grey, 3: RGB)
    sizes: dict[tuple[int, int], int] = field(default_factory=dict)  # (width, height) -> images
    modes: dict[str, int] = field(default_factory=dict)  # Pillow's mode (L, RGB, RGBA, P...) -> images
    mean: list[float] = field(default_factory=list)  # per channel, of pixel values in [0, 1]
    std: list[float] = field(default_factory=list)
    problems: dict[str, Problem] = field(default_factory=dict)  # files not used: reason -> the files
    hidden: Problem = field(default_factory=Problem)  # hidden files and folders skipped
    empty_classes: list[str] = field(default_factory=list)  # class folders with no usable image
    duplicates: Problem = field(default_factory=Problem)  # test images whose content a training image has
    thumbnails: dict[str, list[bytes]] = field(default_factory=dict)  # class -> a few small PNGs
    size: int | None = None  # the side every image is resized to (size=)
    files_found: int = 0  # images (or array rows) there were to read
    files_read: int = 0
    partial: bool = False  # interrupted: the report and the dataset hold what was read
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)  # what was done to the data (0-255 scaled to 0-1...)

    # -- derived figures ------------------------------------------------------------------
    @property
    def images(self) -> int:
        return sum(sum(c) for c in self.counts.values())

    @property
    def per_class(self) -> list[int]:
        """Images of each class, all splits together."""
        return [sum(c[i] for c in self.counts.values()) for i in range(len(self.classes))]

    @property
    def imbalance(self) -> float:
        """Largest class over smallest (1.0 balanced; inf when a class has none)."""
        counts = self.per_class
        if not counts or max(counts) == 0:
            return 1.0
        return max(counts) / min(counts) if min(counts) else float("inf")

    @property
    def imbalanced(self) -> bool:
        return len(self.classes) > 1 and self.imbalance >= IMBALANCED

    @property
    def majority_share(self) -> float:
        """The accuracy of always answering the largest class."""
        counts = self.per_class
        return max(counts) / sum(counts) if counts and sum(counts) else 0.0

    @property
    def mixed_sizes(self) -> bool:
        return len(self.sizes) > 1

    @property
    def suggested_size(self) -> int:
        """A side to resize to when sizes are mixed: the most common image's shorter side, at most 224."""
        if not self.sizes:
            return 32
        (width, height), _ = max(self.sizes.items(), key=lambda item: item[1])
        return max(1, min(width, height, 224))

    @property
    def unused(self) -> int:
        return sum(p.count for p in self.problems.values())

    def to_dict(self) -> dict:
        return {
            "source": self.source, "kind": self.kind, "classes": list(self.classes),
            "counts": {k: list(v) for k, v in self.counts.items()}, "channels": self.channels,
            "sizes": [{"width": w, "height": h, "images": n} for (w, h), n in sorted(self.sizes.items())],
            "modes": dict(self.modes), "mean": list(self.mean), "std": list(self.std),
            "imbalance": self.imbalance if self.imbalance != float("inf") else None,
            "problems": {k: {"count": p.count, "examples": list(p.examples)} for k, p in self.problems.items()},
            "hidden": {"count": self.hidden.count, "examples": list(self.hidden.examples)},
            "empty_classes": list(self.empty_classes),
            "duplicates": {"count": self.duplicates.count, "examples": list(self.duplicates.examples)},
            "size": self.size, "files_found": self.files_found, "files_read": self.files_read,
            "partial": self.partial, "seconds": self.seconds, "notes": list(self.notes),
        }

    def _repr_html_(self) -> str:
        return views.render(self, "text/html")

    def __repr__(self) -> str:
        return views.render(self, "text/plain") or f"DataReport({self.source!r})"
