"""Reading a learner's files without trusting them: only regular files are opened (a FIFO
would block the kernel for ever, a device could be endless), and never more than a bound."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import DataError


def kind_of(mode: int) -> str:
    """What a non-regular file is, in words."""
    for test, name in ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device")):
        if test(mode):
            return name
    return "not a regular file"


def regular(path: Path) -> os.stat_result:
    """The file's stat, or DataError when it is missing or not a regular file."""
    try:
        info = os.stat(path)
    except (OSError, ValueError) as error:  # ValueError: a null byte in the path
        raise DataError(f"{path}: {getattr(error, 'strerror', None) or error}") from None
    if not stat.S_ISREG(info.st_mode):
        raise DataError(f"{path} is {kind_of(info.st_mode)}; give a file or a folder of files")
    return info


def read_bytes(path: Path, limit: int) -> bytes:
    """The whole file, checked regular before it is opened (and again once open, in case it
    was swapped), at most ``limit`` bytes or DataError."""
    regular(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        raise DataError(f"{path}: {error.strerror or error}") from None
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise DataError(f"{path} is not a regular file")
        raw = f.read(limit + 1)
    if len(raw) > limit:
        raise DataError(f"{path} is over {limit >> 20} MiB; a file of this kind is at most that")
    return raw
