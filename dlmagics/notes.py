"""A note a result shows beside its figures, typed by how serious it is.

The side that finds something (a result, its statistics) says what it found and its kind;
a view styles by the kind and never reads the words back, so rewording a warning keeps its
colour. Kinds: ``error`` (the figures are wrong or missing: outputs disagree, a device
failed), ``warn`` (the figures are shaky: noisy runs, a machine that drifted, a run cut
short), ``info`` (how to read them, and how to measure better).
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("error", "warn", "info")


@dataclass(frozen=True)
class Note:
    kind: str  # one of KINDS
    text: str

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"a note's kind is one of {', '.join(KINDS)}, not {self.kind!r}")

    def to_dict(self) -> dict:
        return {"kind": self.kind, "text": self.text}

    @classmethod
    def from_saved(cls, item) -> Note | None:
        """A note as a saved file holds it: ``{"kind", "text"}``, or a plain string in files
        written before notes were typed (read as info: its kind was never written down).
        None for anything else."""
        if isinstance(item, str):
            return cls("info", item)
        if isinstance(item, dict) and item.get("kind") in KINDS and isinstance(item.get("text"), str):
            return cls(item["kind"], item["text"])
        return None


def error(text: str) -> Note:
    return Note("error", text)


def warn(text: str) -> Note:
    return Note("warn", text)


def info(text: str) -> Note:
    return Note("info", text)


def clip(text: str, limit: int = 300) -> str:
    """At most ``limit`` characters, cut after a whole sentence where one ends in the second
    half, else after a whole word, with an ellipsis. (PyTorch's CUDA out-of-memory message is
    600 characters: cut at 300 it ended in 'unalloc'.)"""
    if len(text) <= limit:
        return text
    head = text[:limit]
    sentence = head.rfind(". ")
    if sentence >= limit // 2:
        return head[:sentence + 1]
    return head[:head.rfind(" ")].rstrip(" ,;:") + "…" if " " in head else head[:limit - 1] + "…"
