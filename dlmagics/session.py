"""What dlmagics keeps per kernel: the sidebar channel, the wings, and ``publish``, the one
sink every wing's messages go through.

It knows no wing: it asks each for its part of the snapshot (so a reloaded page rebuilds
every section) and hands each frontend message to the wings that declared its type.
"""

from __future__ import annotations

import os
import platform

from . import protocol
from .channel import Channel
from .protocol import log
from .version import __version__

REQUEST_SNAPSHOT = "request_snapshot"


class KernelSession:
    def __init__(self, shell):
        self.channel = Channel(active=getattr(shell, "kernel", None) is not None, on_message=self._on_message,
                               allowed=self.frontend_messages)
        self.wings: list = []
        self.kept: dict = {}  # the snapshot's parts that the last message of their kind set (protocol.kept)

    # -- lifecycle -----------------------------------------------------------------
    def open(self) -> None:
        self.channel.open(self.snapshot())

    def close(self) -> None:
        for wing in self.wings:
            try:
                wing.close()
            except Exception:  # one wing's failure must not keep the others or the channel open
                log.exception("dlmagics: the %s wing did not close cleanly", wing.name)
        self.channel.close()

    # -- state ---------------------------------------------------------------------
    def snapshot(self) -> dict:
        parts = {}
        for wing in self.wings:
            try:
                parts.update(wing.snapshot_part())
            except Exception:  # one wing's fault must not cost the sidebar every other section
                log.exception("dlmagics: the %s wing's part of the snapshot is left out", wing.name)
        parts.update(self.kept)
        return protocol.snapshot({"pid": os.getpid(), "python": platform.python_version(), "dlmagics": __version__},
                                 parts)

    def frontend_messages(self) -> dict[str, set]:
        """The sidebar messages this kernel takes, each with the keys it may carry."""
        allowed = {REQUEST_SNAPSHOT: set()}
        for wing in self.wings:
            for kind, keys in wing.frontend_messages.items():
                allowed[kind] = allowed.get(kind, set()) | set(keys)
        return allowed

    def publish(self, message: dict) -> None:
        """Send a message (built by protocol.py) to the sidebar, from any thread."""
        part = protocol.kept(message)
        if part:
            self.kept = {**self.kept, **part}  # a new dict: a snapshot may be reading the old one
        self.channel.send(message)

    # -- callbacks -----------------------------------------------------------------
    def _on_message(self, data: dict, comm) -> None:
        for wing in self.wings:
            if data["type"] in wing.frontend_messages:
                try:
                    wing.handle(data)
                except Exception:  # the snapshot below still goes, the channel stays open
                    log.exception("dlmagics: the %s wing could not handle %r", wing.name, data["type"])
        if data["type"] == REQUEST_SNAPSHOT:
            self.channel.reply(comm, self.snapshot())
