"""The data wing: %dldata PATH and ``dlmagics.data.load(PATH)``, a learner's own images (a
folder of class folders, CIFAR-10's python batches, MNIST's IDX files, an .npz) as a PyTorch
dataset with a report of what is in it.

- files.py: a learner's files opened safely (regular files only, bounded); errors.py: DataError.
- images.py (folders), cifar.py (a restricted unpickler), idx.py (MNIST), npz.py: the readers.
- tally.py: the report's figures; result.py: the report; view.py: how it looks (VIEWS below).
- dataset.py: ``load`` and the datasets; command.py: the magic; wing.py: its options and help.

Light to import: torch and Pillow come with ``load``.
"""

from __future__ import annotations

from .errors import DataError

VIEWS = ("view",)


def load(path, size: int | None = None, progress=None):
    """The dataset at ``path``, ready for ``torch.utils.data.DataLoader``: ``ds[i]`` is (a
    float tensor C x H x W in [0, 1], the class number); ``ds.classes`` names the classes,
    ``ds.report`` says what is in it (shown in a notebook), ``ds.train`` and ``ds.test`` are its splits when it has
    them. ``size``: resize every image to size x size (when sizes are mixed).

    Reads a folder of images in class folders (PNG, JPEG...; optionally under train/ and
    test/ or val/), CIFAR-10's python batches (a folder, or one batch file), a folder with
    MNIST's IDX files, or an .npz with x and y (or x_train, y_train, x_test, y_test)."""
    from .dataset import load as load_dataset

    return load_dataset(path, size=size, progress=progress)


__all__ = ["DataError", "load"]
