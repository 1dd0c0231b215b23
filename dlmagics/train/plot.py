"""``DemoResult.plot()``: the run's curves and panel as a matplotlib Figure (outside pyplot,
so it never opens a window or leaks into the user's figures). Registered in ../views.py."""

from __future__ import annotations

import numpy as np

from .. import views
from .pictures import Chart, Image, color, curves, dash, legend_names, panel
from .result import FIGURE, DemoResult


@views.draws(DemoResult, FIGURE)
def plot(result):
    from matplotlib.figure import Figure

    charts = curves(result)
    extra = panel(result)
    count = len(charts) + (extra is not None)
    figure = Figure(figsize=(4.2 * count, 3.4), layout="constrained")
    axes = figure.subplots(1, count, squeeze=False)[0]
    for ax, chart in zip(axes, charts + ([extra] if extra is not None else [])):
        if isinstance(chart, Image):
            draw_image(ax, chart)
        else:
            draw_chart(ax, chart)
    names = legend_names(result)
    handles = [axes[0].plot([], [], color=color(i), ls=_style(i), label=n)[0] for i, n in enumerate(names)]
    figure.suptitle(f"%train_demo {result.name}: {result.demo.title} ({result.status})", fontsize=11)
    figure.legend(handles=handles, loc="outside lower center", ncols=min(len(names), 4), frameon=False)
    return figure


def draw_chart(ax, chart: Chart) -> None:
    ax.set_title(chart.title, fontsize=10)
    if chart.bars:
        labels = list(chart.series)
        values = [float(y[0]) for _, y in chart.series.values()]
        ax.bar(range(len(values)), values, color=[color(i) for i in range(len(values))])
        ax.set_xticks(range(len(values)), labels, fontsize=8)
        for i, v in enumerate(values):
            ax.annotate(f"{v:,.0f}", (i, v), ha="center", va="bottom", fontsize=8)
    else:
        for i, (x, y) in enumerate(chart.series.values()):
            ax.plot(x, y, color=color(i), ls=_style(i), marker="o" if len(x) < 12 else None, lw=1.4)
        for mark in chart.marks:
            ax.axvline(mark, color="#444", ls="--", lw=0.8)
        if chart.log_y:
            from matplotlib.ticker import LogFormatter

            ax.set_yscale("log")
            ax.yaxis.set_major_formatter(LogFormatter(labelOnlyBase=False))
            ax.yaxis.set_minor_formatter(LogFormatter(labelOnlyBase=False, minor_thresholds=(2, 0.5)))
        if chart.log_x:
            ax.set_xscale("log")
        if chart.ylabel == "accuracy":
            ax.set_ylim(0, 1.02)
        if chart.x_span and not chart.log_x:
            ax.set_xlim(*chart.x_span)
        ax.grid(alpha=0.3)
    ax.set_xlabel(chart.xlabel, fontsize=9)
    ax.set_ylabel(chart.ylabel, fontsize=9)


def draw_image(ax, picture: Image) -> None:
    ax.imshow(np.asarray(picture.pixels), interpolation="nearest")
    ax.set_title(picture.title, fontsize=10)
    key = f"\ncolour: dark blue = {picture.scale[0]}, yellow = {picture.scale[1]}" if picture.scale else ""
    # imshow puts pixel i's centre at i: a tick at pixel position p (from the edge) is at p - 0.5.
    ax.set_xticks([p - 0.5 for p, _ in picture.x_ticks], [label for _, label in picture.x_ticks], fontsize=8)
    ax.set_yticks([p - 0.5 for p, _ in picture.y_ticks], [label for _, label in picture.y_ticks], fontsize=8)
    ax.set_xlabel("\n".join(filter(None, [picture.x_title, picture.caption + key])), fontsize=7, wrap=True)
    ax.set_ylabel(picture.y_title, fontsize=8)


def _style(i: int):
    """matplotlib's form of line i's dash pattern (the live SVG's)."""
    pattern = dash(i)
    return "-" if not pattern else (0, tuple(float(v) for v in pattern.split()))
