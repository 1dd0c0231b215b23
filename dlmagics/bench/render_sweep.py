"""How a sweep looks: time and speedup against the swept value, and the crossover.

Registered for BenchSweep in ../views.py (the sweep never imports this module). Each value's
error and warn notes (../notes.py) are repeated under the table; its info notes hold for
every value and stay with the single runs.
"""

from __future__ import annotations

import html
import math

from .. import views
from .render import STYLE, agreement_note, new_figure, png_bytes, setting_line
from .sweep import BenchSweep
from .words import format_time, plural


def table(sweep: BenchSweep) -> list[list[str]]:
    labels = sweep.labels
    base = sweep.runs[0].baseline.label if sweep.runs and sweep.runs[0].baseline else None
    others = [label for label in labels if label != base]
    rows = [[sweep.name] + [f"{label} median" for label in labels] + [f"{label} speedup" for label in others]
            + [f"{label} bound" for label in labels]]
    for value, run in zip(sweep.values, sweep.runs):
        medians, bounds = [], []
        for label in labels:
            d = run.device(label)
            medians.append(format_time(d.summary.median) if d and d.summary else (d.status if d else ""))
            bounds.append((d.bound or "n/a") if d and d.summary else "")
        speedups = {s.device: s for s in run.speedups}
        cells = [speedups[label].words if label in speedups else "" for label in others]
        rows.append([repr(value)] + medians + cells + bounds)
    return rows


def notes(sweep: BenchSweep) -> list[str]:
    lines = []
    base = sweep.runs[0].baseline.label if sweep.runs and sweep.runs[0].baseline else "the baseline"
    crossovers = sweep.crossovers()
    for label in sweep.labels:
        if label == base:
            continue
        if label in crossovers:
            lines.append(f"{label} is faster than {base} (95% interval above 1x) from {sweep.name} = "
                         f"{crossovers[label]!r} on.")
            continue
        last = next((s for s in sweep.runs[-1].speedups if s.device == label), None) if sweep.runs else None
        at = f"at the largest {sweep.name} measured ({sweep.values[len(sweep.runs) - 1]!r})" if sweep.runs else ""
        if last is not None and last.ci95[1] < 1:
            lines.append(f"{label} is slower than {base} {at} (95% interval below 1x).")
        elif last is not None:
            lines.append(f"No clear difference between {label} and {base} {at}: the 95% interval of the speedup "
                         f"holds 1x.")
        else:
            lines.append(f"{label} has no speedup {at}.")
    seen = set()
    for value, run in zip(sweep.values, sweep.runs):
        for note in [agreement_note(run)] + run.warning_notes:
            if note is not None and note.kind != "info" and note.text not in seen:
                seen.add(note.text)
                lines.append(f"{sweep.name} = {value!r}: {note.text}")
        if run.interrupted:
            lines.append(f"Stopped by Ctrl-C at {sweep.name} = {value!r}.")
    walls = [run.wall_s for run in sweep.runs if run.wall_s]
    if walls:
        lines.append(f"Wall time {format_time(sum(walls))} for {plural(len(walls), 'value')} on "
                     f"{plural(len(sweep.labels), 'device')}.")
    if sweep.runs:
        lines.append(setting_line(sweep.runs[0]))
    return lines


@views.draws(BenchSweep, "text/plain")
def to_text(sweep: BenchSweep) -> str:
    rows = table(sweep)
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    body = "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)
    return "\n".join([f"%%gpubench --sweep {sweep.name}", body, ""] + notes(sweep))


@views.draws(BenchSweep, "text/html")
def to_html(sweep: BenchSweep) -> str:
    rows = table(sweep)
    head = "".join(f"<th>{html.escape(c)}</th>" for c in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows[1:])
    items = "".join(f"<li>{html.escape(line)}</li>" for line in notes(sweep))
    return (f"{STYLE}<div><b>%%gpubench --sweep {html.escape(sweep.name)}</b><table class=dlm-bench><tr>{head}</tr>"
            f"{body}</table><ul class=dlm-bench-notes>{items}</ul></div>")


@views.draws(BenchSweep, "image/png")
def to_png(sweep: BenchSweep) -> bytes:
    """Left: median time against the value (log-log, band: 95% interval). Right: speedup."""
    fig = new_figure(9, 3.2)
    left, right = fig.subplots(1, 2)
    numeric = all(isinstance(v, (int, float)) for v in sweep.values)
    xs = list(sweep.values) if numeric else list(range(len(sweep.values)))
    base = sweep.runs[0].baseline.label if sweep.runs and sweep.runs[0].baseline else None
    for i, label in enumerate(sweep.labels):
        color = f"C{i}"  # one colour per device in both panels
        points = [(x, run.device(label).summary) for x, run in zip(xs, sweep.runs)
                  if run.device(label) and run.device(label).summary]
        if points:
            px, ss = zip(*points)
            left.plot(px, [s.median for s in ss], marker="o", label=label, color=color)
            left.fill_between(px, [s.ci95[0] for s in ss], [s.ci95[1] for s in ss], alpha=0.2, color=color)
        if label != base:
            sp = [(x, next((s for s in run.speedups if s.device == label), None)) for x, run in zip(xs, sweep.runs)]
            sp = [(x, s) for x, s in sp if s]
            if sp:
                px, ss = zip(*sp)
                right.plot(px, [s.speedup for s in ss], marker="o", label=label, color=color)
                right.fill_between(px, [s.ci95[0] for s in ss], [s.ci95[1] for s in ss], alpha=0.2, color=color)
    right.axhline(1.0, color="gray", linestyle="--", linewidth=1)
    _speedup_axis(right)
    for ax, title in ((left, "median time per run"), (right, f"speedup over {base}")):
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(sweep.name)
        if ax is left:
            ax.set_yscale("log")
        if numeric:
            ax.set_xscale("log")
            # matplotlib's minor labels (2x10^2, 3x10^2...) would overlap the values' own
            ax.tick_params(axis="x", which="minor", bottom=False, labelbottom=False)
        # A label per value swept, thinned so that at most eight share an axis.
        every = max(1, math.ceil(len(xs) / 8))
        ax.set_xticks(xs, [str(v) if i % every == 0 else "" for i, v in enumerate(sweep.values)])
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8)
    return png_bytes(fig)


def _speedup_axis(ax) -> None:
    """Speedups read as 0.5x, 1x, 2x (matplotlib's log axis would print 6x10^-1)."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter, NullLocator

    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}x"))
    ax.yaxis.set_minor_locator(NullLocator())
    ax.yaxis.set_minor_formatter(NullFormatter())
