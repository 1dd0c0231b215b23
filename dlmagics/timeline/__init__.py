"""The history of deep learning as data (events.yaml), and its static view for %dltimeline.

No torch, no widgets: the sidebar gets the same events over the channel, and the course
notebooks tag their cells with the event ids (``dl:<event-id>``).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .. import theme

EVENTS_FILE = Path(__file__).with_name("events.yaml")
DATE = re.compile(r"^(\d{4})(-(0[1-9]|1[0-2]))?(-(0[1-9]|[12]\d|3[01]))?$")
FIRST_YEAR = 1940


@dataclass(frozen=True)
class Event:
    id: str
    date: str
    title: str
    summary: str
    source_text: str
    source_url: str
    names: tuple[str, ...] = ()  # what a notebook heading may call it
    demos: tuple[str, ...] = ()
    quizzes: tuple[str, ...] = ()
    gpus: tuple[str, ...] = ()

    @property
    def year(self) -> int:
        return int(self.date[:4])

    def to_dict(self) -> dict:
        return {"id": self.id, "date": self.date, "year": self.year, "title": self.title, "summary": self.summary,
                "source": {"text": self.source_text, "url": self.source_url}, "names": list(self.names),
                "demos": list(self.demos),
                "quizzes": list(self.quizzes), "gpus": list(self.gpus)}


class TimelineError(ValueError):
    pass


@lru_cache(maxsize=1)
def events() -> tuple[Event, ...]:
    """Every event, oldest first (checked: dates, order, unique ids, sources)."""
    import yaml

    data = yaml.load(EVENTS_FILE.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    out, seen = [], set()
    for raw in data["events"]:
        where = f"{EVENTS_FILE.name}: event {raw.get('id')!r}"
        if not DATE.match(str(raw.get("date", ""))):
            raise TimelineError(f"{where}: date must be YYYY, YYYY-MM or YYYY-MM-DD")
        source = raw.get("source") or {}
        if not str(source.get("url", "")).startswith("https://") or not source.get("text"):
            raise TimelineError(f"{where}: source needs text and an https url")
        if raw["id"] in seen:
            raise TimelineError(f"{where}: the id is used twice")
        seen.add(raw["id"])
        out.append(Event(id=raw["id"], date=str(raw["date"]), title=raw["title"], summary=raw["summary"],
                         source_text=source["text"], source_url=source["url"],
                         names=tuple(raw.get("names", ())), demos=tuple(raw.get("demos", ())),
                         quizzes=tuple(raw.get("quizzes", ())), gpus=tuple(raw.get("gpus", ()))))
    dates = [e.date for e in out]
    if dates != sorted(dates):
        raise TimelineError(f"{EVENTS_FILE.name}: events must be in date order")
    return tuple(out)


def by_id() -> dict[str, Event]:
    return {e.id: e for e in events()}


def between(first: int | None = None, last: int | None = None) -> list[Event]:
    return [e for e in events() if (first is None or e.year >= first) and (last is None or e.year <= last)]


@dataclass
class TimelineView:
    """The timeline as static HTML (for frontends without the sidebar) and as text."""

    shown: list[Event] = field(default_factory=list)

    def __repr__(self) -> str:
        return "\n".join(f"{e.date:<10} {e.title}  [{e.id}]" for e in self.shown)

    def _repr_html_(self) -> str:
        rows = []
        for e in self.shown:
            links = [f"<code>%train_demo {html.escape(d)}</code>" for d in e.demos]
            links += [f"<code>%dlquiz {html.escape(q)}</code>" for q in e.quizzes]
            extra = f"<div style='margin-top:2px'>{' &middot; '.join(links)}</div>" if links else ""
            rows.append(
                f"<li data-event='{html.escape(e.id)}' style='margin:0 0 8px 0'>"
                f"<b>{html.escape(e.date)}</b> &mdash; <b>{html.escape(e.title)}</b><br>{html.escape(e.summary)} "
                f"<a href='{html.escape(e.source_url)}' target='_blank' rel='noopener noreferrer' "
                f"title='{html.escape(e.source_text)}'>source</a>{extra}</li>")
        return (f"<div class='dlm-timeline-static'><ol style='list-style:none;border-left:2px solid {theme.BORDER};"
                f"padding-left:12px'>{''.join(rows)}</ol></div>")

    def to_dict(self) -> dict:
        return {"events": [e.to_dict() for e in self.shown]}
