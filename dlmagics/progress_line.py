"""A line of text under a running cell that says how far it is, redrawn in place (at most
every ``every_s``, so drawing never slows the work) and cleared when the work ends. Light to
import; ``show`` is IPython's display (it returns a handle when given display_id=True)."""

from __future__ import annotations

import html
import time

from .throttle import Throttle


class ProgressLine:
    def __init__(self, show, every_s: float = 0.5, wait_first: bool = False):
        """``wait_first``: the first line waits ``every_s`` too, so quick work shows none."""
        self.show, self.handle = show, None
        self.throttle = Throttle(every_s, wait_first=wait_first)

    def due(self) -> bool:
        return self.throttle.due()

    def draw(self, text: str) -> None:
        started = time.perf_counter()
        bundle = {"text/plain": text, "text/html": f"<i>{html.escape(text)}</i>"}
        if self.handle is None:
            self.handle = self.show(bundle, raw=True, display_id=True)
        else:
            self.handle.update(bundle, raw=True)
        self.throttle.drew(started)

    def close(self) -> None:
        if self.handle is not None:
            self.handle.update({"text/plain": ""}, raw=True)
