"""The one comm channel between this kernel and the dlmagics sidebar.

The kernel opens one comm on target ``dlmagics`` when the extension loads. A reloaded
page finds it again by asking the kernel for its comms (comm_info_request) and re-attaches
by id, so no second comm is ever needed. Messages go to every open comm; comms the
frontend closes are forgotten.

Without a kernel (plain IPython, a script) the channel does nothing at all. Malformed or
unknown messages from the frontend are logged and ignored; they never break the channel.
"""

from __future__ import annotations

import threading
from typing import Callable

from .protocol import COMM_TARGET, PROTOCOL_VERSION, log, parse_frontend_message

Handler = Callable[[dict, object], None]


class Channel:
    def __init__(self, active: bool, on_message: Handler, allowed: Callable[[], dict]):
        """``active``: a kernel is there to carry comms. ``on_message(data, comm)`` gets
        every well-formed frontend message, with the comm it came on (to reply on);
        ``allowed()``: the message types taken now, each with the keys it may carry."""
        self.active = active
        self._on_message = on_message
        self._allowed = allowed
        self._comms: dict[str, object] = {}
        self._lock = threading.Lock()

    @property
    def connected(self) -> bool:
        with self._lock:
            return bool(self._comms)

    def open(self, data: dict) -> None:
        """Open the kernel's comm, with ``data`` as its first message."""
        if not self.active:
            return
        import comm

        self._adopt(comm.create_comm(target_name=COMM_TARGET, data=data, metadata={"version": PROTOCOL_VERSION}))

    def send(self, message: dict) -> None:
        """Send to every open comm (safe from any thread: ipykernel's IOPub is)."""
        with self._lock:
            comms = list(self._comms.values())
        for c in comms:
            self.reply(c, message)

    def reply(self, c, message: dict) -> None:
        try:
            c.send(message)
        except Exception:
            log.exception("dlmagics: could not send a %r message", message.get("type"))

    def close(self) -> None:
        with self._lock:
            comms, self._comms = list(self._comms.values()), {}
        for c in comms:
            try:
                c.close()
            except Exception:
                log.exception("dlmagics: could not close a comm")

    def _adopt(self, c) -> None:
        c.on_msg(lambda msg: self._dispatch(c, msg))
        c.on_close(lambda msg: self._forget(c))
        with self._lock:
            self._comms[c.comm_id] = c

    def _forget(self, c) -> None:
        with self._lock:
            self._comms.pop(c.comm_id, None)

    def _dispatch(self, c, msg: dict) -> None:
        content = msg.get("content") if isinstance(msg, dict) else None
        data = parse_frontend_message(content.get("data") if isinstance(content, dict) else None, self._allowed())
        if data is None:
            return
        try:
            self._on_message(data, c)
        except Exception:
            log.exception("dlmagics: handling a %r message failed", data["type"])
