"""``OwnResult.plot()``: a %%train run's curves and confusion matrix as a matplotlib Figure
(outside pyplot, as plot.py draws a demo's). Registered in ../views.py."""

from __future__ import annotations

from .. import views
from .own import OwnResult
from .own_frames import charts, panels
from .pictures import Image
from .plot import draw_chart, draw_image
from .result import FIGURE


@views.draws(OwnResult, FIGURE)
def plot(result):
    from matplotlib.figure import Figure

    shown = charts(result) + panels(result)
    figure = Figure(figsize=(4.2 * max(1, len(shown)), 3.4), layout="constrained")
    axes = figure.subplots(1, max(1, len(shown)), squeeze=False)[0]
    for ax, panel in zip(axes, shown):
        (draw_image if isinstance(panel, Image) else draw_chart)(ax, panel)
        if not isinstance(panel, Image) and len(panel.series) > 1:
            ax.legend(list(panel.series), fontsize=8, frameon=False)
    title = f"%%train{' of ' + result.model_name if result.model_name else ''} ({result.status})"
    figure.suptitle(title, fontsize=11)
    return figure
