"""When the next frame of a live view is due: often enough to look live, rarely enough that
drawing never slows training (or timing) much. Light to import (no torch): the Trainer uses
it at load, %%gpubench for its progress line."""

from __future__ import annotations

import time

SIDEBAR_S = 1.0  # a Runs row (a training message) at most once a second
MIN_FRAME_S = 0.1  # at most 10 frames a second
FRAME_SHARE = 0.02  # and drawing takes at most ~2% of the run's time


class Throttle:
    """Says when the next frame is due: not before ``min_s``, nor before the last frame's cost
    has been paid back 1/FRAME_SHARE times over (so a slow frame slows the frame rate, not
    training). ``wait_first``: the first frame waits too (a view that opens with a picture)."""

    def __init__(self, min_s: float = MIN_FRAME_S, wait_first: bool = True):
        self.min_s = min_s
        self.next_at = time.perf_counter() + (min_s if wait_first else 0.0)
        self.spent = 0.0

    def due(self) -> bool:
        return time.perf_counter() >= self.next_at

    def drew(self, started: float) -> None:
        cost = time.perf_counter() - started
        self.spent += cost
        self.next_at = time.perf_counter() + max(self.min_s, cost / FRAME_SHARE)
