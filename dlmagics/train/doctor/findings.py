"""A diagnosis of the training doctor: what is wrong, the evidence, the fix, and when."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Finding:
    """One thing the doctor found.

    ``key`` names the rule (docs/doctor.md lists them); ``title`` says what is wrong in a few
    words, ``evidence`` the numbers that show it, ``fix`` what to change in the loop; ``step``
    is the training batch it was found at (counted from 1; 0: before the first), ``epoch`` the
    epoch (counted from 1) when the loop's epochs can be seen.
    """

    key: str
    title: str
    evidence: str
    fix: str
    step: int = 0
    epoch: int | None = None

    def when(self) -> str:
        where = f"batch {self.step:,}" if self.step else "before the first batch"
        return f"{where}, epoch {self.epoch}" if self.epoch else where

    def sentence(self) -> str:
        """The evidence as a sentence (a capital first)."""
        return self.evidence[:1].upper() + self.evidence[1:]

    def line(self) -> str:
        """The finding as one line of text (headless runs, the terminal, the summary)."""
        return f"doctor ({self.when()}): {self.title}. {self.sentence()}. Fix: {self.fix}"

    def to_dict(self) -> dict:
        return asdict(self)
