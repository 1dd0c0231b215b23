"""Where quiz answers last: one JSON Lines file per user, appended before feedback is shown.

The file lives in Jupyter's data directory (``jupyter --data-dir``), or where
DLMAGICS_QUIZ_STORE points. Each answer is one line written with a single append under an
advisory lock, so two kernels answering at once lose nothing. A file with unreadable lines
(a crash mid-write, a bad edit) is moved aside with a warning and its readable lines are
kept in a fresh file: nothing is thrown away.
"""

from __future__ import annotations

import json
import os
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

from ..options import finite_number

try:
    import fcntl
except ImportError:  # Windows: appends stay whole lines; no lock
    fcntl = None

ENV_PATH = "DLMAGICS_QUIZ_STORE"
FILE_NAME = "quiz-progress.jsonl"


def default_path() -> Path:
    configured = os.environ.get(ENV_PATH)
    if configured:
        return Path(configured).expanduser()
    from jupyter_core.paths import jupyter_data_dir

    return Path(jupyter_data_dir()) / "dlmagics" / FILE_NAME


class StoreError(OSError):
    """The progress file cannot be written; the message says where and why."""


class ProgressStore:
    def __init__(self, path: str | Path | None = None):
        self.path = Path(path).expanduser() if path is not None else default_path()

    def append(self, record: dict) -> None:
        """Write one record as one line; it is in the file when this returns."""
        line = json.dumps({"t": round(time.time(), 3), **record}, ensure_ascii=False, default=str) + "\n"
        try:
            with self._locked():
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                try:
                    os.write(fd, line.encode("utf-8"))
                finally:
                    os.close(fd)
        except OSError as error:
            raise StoreError(f"could not save the answer to {self.path} ({error.strerror or error})") from None

    def records(self, quiz_id: str | None = None) -> list[dict]:
        """Every record (of one quiz), oldest first."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as error:
            warnings.warn(f"dlmagics: cannot read quiz progress from {self.path} ({error})", stacklevel=2)
            return []
        good, bad = _parse(raw)
        if bad:
            good = self._repair(bad)
        return [r for r in good if quiz_id is None or r.get("quiz") == quiz_id]

    def _repair(self, bad: int) -> list[dict]:
        """Move the damaged file aside and keep its readable records."""
        with self._locked():
            raw = self.path.read_bytes()  # again, under the lock: another kernel may have fixed it
            good, bad = _parse(raw)
            if not bad:
                return good
            aside = self.path.with_name(f"{self.path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
            os.replace(self.path, aside)
            fresh = self.path.with_name(self.path.name + ".tmp")
            fresh.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in good), encoding="utf-8")
            os.replace(fresh, self.path)
        warnings.warn(f"dlmagics: {bad} unreadable line(s) in the quiz progress file; it was moved to {aside} "
                      f"and its {len(good)} readable answer(s) were kept in {self.path}", stacklevel=3)
        return good

    @contextmanager
    def _locked(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if fcntl is None:
            yield
            return
        with open(self.path.with_name(self.path.name + ".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)



class MemoryStore(ProgressStore):
    """Progress kept in memory only, no file read: under nbgrader's autograde, whose kernel runs
    in the teacher's account (its progress file is the teacher's, not the student's)."""

    def __init__(self):
        self.path = Path("(in memory)")
        self._records: list[dict] = []

    def append(self, record: dict) -> None:
        self._records.append({"t": round(time.time(), 3), **record})

    def records(self, quiz_id: str | None = None) -> list[dict]:
        return [r for r in self._records if quiz_id is None or r.get("quiz") == quiz_id]

def _parse(raw: bytes) -> tuple[list[dict], int]:
    good, bad = [], 0
    for line in raw.decode("utf-8", errors="replace").splitlines():
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except (json.JSONDecodeError, RecursionError):
            bad += 1
            continue
        if _well_formed(record):
            good.append(record)
        else:
            bad += 1
    return good, bad


# The fields Progress.apply reads, and the types it needs (an edit by hand can give any JSON).
_TEXT_FIELDS = ("quiz", "event", "hash", "question", "mode")


def _well_formed(record) -> bool:
    if not isinstance(record, dict) or not isinstance(record.get("quiz"), str) or not isinstance(record.get("event"), str):
        return False
    if any(key in record and not isinstance(record[key], str) for key in _TEXT_FIELDS[2:]):
        return False
    if "score" in record and not (finite_number(record["score"]) and 0 <= record["score"] <= 1):
        return False
    if "level" in record and not (isinstance(record["level"], int) and not isinstance(record["level"], bool)
                                  and 0 <= record["level"] <= 1000):
        return False
    return all(key not in record or finite_number(record[key]) for key in ("t", "attempt"))
