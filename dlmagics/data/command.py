"""%dldata from parsed options to the loaded dataset, with a progress line under the cell
while a folder is read (redrawn at most twice a second, cleared at the end)."""

from __future__ import annotations

import html
import time

from ..options import OptionError, bounded
from ..throttle import Throttle
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


class Progress:
    """``progress(done, total)``: "%dldata: read 1,200 of 10,000 images (12%), about 8 s left"."""

    def __init__(self, show):
        self.show, self.handle = show, None
        self.started = time.perf_counter()
        self.throttle = Throttle(DRAW_S, wait_first=True)  # a quick read shows no line at all

    def __call__(self, done: int, total: int) -> None:
        if not self.throttle.due() or done >= total:
            return
        started = time.perf_counter()
        spent = started - self.started
        left = f", about {spent / done * (total - done):.0f} s left" if done else ""
        text = f"%dldata: read {done:,} of {total:,} images ({done / total:.0%}){left}; interrupt to keep what was read"
        bundle = {"text/plain": text, "text/html": f"<i>{html.escape(text)}</i>"}
        if self.handle is None:
            self.handle = self.show(bundle, raw=True, display_id=True)
        else:
            self.handle.update(bundle, raw=True)
        self.throttle.drew(started)

    def close(self) -> None:
        if self.handle is not None:
            self.handle.update({"text/plain": ""}, raw=True)
