"""Reading and writing the files people hand us (quiz files, saved benchmarks, exports): each
problem is an OSError-free one-line ``FileProblem`` that says what is allowed.

Refused before a byte is read: what is not a regular file (a FIFO would block the kernel,
/dev/zero never ends, a folder is no file) and files over a size bound. Writes are atomic (a
crash leaves the old file) and never replace a device, a FIFO or a folder."""

from __future__ import annotations

import json
import os
import stat
import tempfile
from pathlib import Path

MAX_READ_BYTES = 32 << 20  # the largest quiz or saved sweep we know is under 1 MiB


class FileProblem(ValueError):
    """A path that cannot be read or written as asked; the message is one line."""


def resolve(path: str | os.PathLike) -> Path:
    try:
        return Path(path).expanduser()
    except RuntimeError:  # "~someone" who has no home here
        raise FileProblem(f"{path}: no such user's home folder") from None


def _kind(info: os.stat_result) -> str:
    return "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file (a FIFO, socket or device)"


def read_text(path: str | os.PathLike, max_bytes: int = MAX_READ_BYTES) -> str:
    """A regular file's text (UTF-8), at most ``max_bytes``."""
    target = resolve(path)
    try:
        info = target.stat()
    except FileNotFoundError:
        raise FileProblem(f"{path}: no such file") from None
    except OSError as error:
        raise FileProblem(f"{path}: cannot read it ({error.strerror or error})") from None
    if not stat.S_ISREG(info.st_mode):
        raise FileProblem(f"{path} is {_kind(info)}; give a file")
    if info.st_size > max_bytes:
        raise FileProblem(f"{path} has {info.st_size / 2**20:,.0f} MiB; at most {max_bytes >> 20} MiB are read")
    try:
        # O_NONBLOCK: should the path become a FIFO between stat and open, open still returns
        fd = os.open(target, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as f:
            raw = f.read(max_bytes + 1)
    except OSError as error:
        raise FileProblem(f"{path}: cannot read it ({error.strerror or error})") from None
    if len(raw) > max_bytes:
        raise FileProblem(f"{path} is over {max_bytes >> 20} MiB; at most that much is read")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise FileProblem(f"{path} is not UTF-8 text (byte {error.start})") from None


def loads_json(text: str, where: str):
    """json.loads with one-line errors: bad syntax, nesting too deep for the parser."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise FileProblem(f"{where}: not valid JSON at line {error.lineno} ({error.msg})") from None
    except RecursionError:
        raise FileProblem(f"{where}: the JSON is nested too deeply to read") from None


def writable(path: str | os.PathLike) -> Path:
    """The path, if a file can be written there (checked before a long run, not after)."""
    target = resolve(path)
    try:
        info = target.stat()
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise FileProblem(f"{path}: cannot write it ({error.strerror or error})") from None
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise FileProblem(f"{path} is {_kind(info)}; give the path of a file to write")
    if not target.parent.is_dir():
        raise FileProblem(f"{path}: the folder {target.parent} does not exist")
    return target


def write_text(path: str | os.PathLike, text: str) -> Path:
    """Write atomically (a temporary file in the same folder, then a rename)."""
    target = writable(path)
    try:
        handle, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as error:
        raise FileProblem(f"{path}: cannot write in {target.parent} ({error.strerror or error})") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, target)
    except OSError as error:
        Path(tmp).unlink(missing_ok=True)
        raise FileProblem(f"{path}: cannot write it ({error.strerror or error})") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
