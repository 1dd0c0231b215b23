"""%dldata from parsed options to the loaded dataset, with a progress line under the cell
while a folder is read (redrawn at most twice a second, cleared at the end)."""

from __future__ import annotations

import time

from ..options import OptionError, bounded
from ..progress_line import ProgressLine
from .dataset import MAX_SIZE, load

DRAW_S = 0.5


class DataUsageError(OptionError):
    pass


def dldata(args, show=None):
    """The dataset at ``args.path``; ``show``: IPython's display for the progress line (None: no line)."""
    if not args.path:
        raise DataUsageError("give a PATH: a folder of images in class folders, CIFAR-10's python batches, "
                             "a folder with MNIST's IDX files, or an .npz")
    size = None if args.size is None else bounded(args.size, int, 1, MAX_SIZE,
                                                  f"--size {args.size}: a whole number of pixels, 1 to {MAX_SIZE}")
    progress = Progress(show) if show is not None else None
    try:
        return load(args.path, size=size, progress=progress)
    finally:
        if progress is not None:
            progress.close()


class Progress(ProgressLine):
    """``progress(done, total)``: "%dldata: read 1,200 of 10,000 images (12%), about 8 s left"."""

    def __init__(self, show):
        super().__init__(show, DRAW_S, wait_first=True)  # a quick read shows no line at all
        self.started = time.perf_counter()

    def __call__(self, done: int, total: int) -> None:
        if not self.due() or done >= total:
            return
        spent = time.perf_counter() - self.started
        left = f", about {spent / done * (total - done):.0f} s left" if done else ""
        self.draw(f"%dldata: read {done:,} of {total:,} images ({done / total:.0%}){left}; interrupt to keep what "
                  "was read")
