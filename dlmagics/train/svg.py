"""Draw a demo's charts as SVG: a frame costs about a millisecond, so the live view can
refresh ten times a second without slowing the training it shows."""

from __future__ import annotations

import base64
import io
import math
from html import escape

import numpy as np

from .pictures import HEAT, Chart, Image, color, dash

W, H = 330, 210
LEFT, RIGHT, TOP, BOTTOM = 48, 10, 24, 34


def _ticks(low: float, high: float, count: int = 4) -> list[float]:
    """Round values (1, 2 or 5 times a power of ten apart) from low to high."""
    if not math.isfinite(low) or not math.isfinite(high) or high <= low:
        return [low] if math.isfinite(low) else []
    unit = 10 ** math.floor(math.log10((high - low) / count))
    step = min((m * unit for m in (1, 2, 5, 10)), key=lambda s: abs((high - low) / s - count))
    first = math.ceil(low / step - 1e-9) * step
    return [round(first + i * step, 12) for i in range(int((high - first) / step + 1e-9) + 1)]


def _log_ticks(low: float, high: float) -> list[float]:
    """Ticks of a log axis (low and high are log10 values): whole decades when it spans
    two or more, else round values between the ends, so the labels read 0.72, 0.74..."""
    if not math.isfinite(low) or not math.isfinite(high) or high <= low:
        return _ticks(low, high)
    if high - low >= 2:
        every = max(1, math.ceil((high - low) / 4))
        return [float(e) for e in range(math.ceil(low - 1e-9), math.floor(high + 1e-9) + 1, every)]
    values = _ticks(10 ** low, 10 ** high, count=3) if high - low < 0.6 else \
        [m * 10 ** e for e in range(math.floor(low), math.ceil(high) + 1) for m in (1, 2, 5)]
    return [math.log10(v) for v in values if v > 0 and low - 1e-9 <= math.log10(v) <= high + 1e-9]


def _label(value: float, log: bool) -> str:
    value = 10 ** value if log else value
    if value == 0:
        return "0"
    if abs(value) >= 1e5 or abs(value) < 1e-3:
        return f"{value:.0e}".replace("e-0", "e-").replace("e+0", "e").replace("e+", "e")
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{round(value, 10):.3g}"


def chart(c: Chart, width: int = W, height: int = H) -> str:
    """One chart as an <svg> element: axes, ticks, a line per series, LR marks dashed."""
    tx = np.log10 if c.log_x else (lambda a: a)
    ty = np.log10 if c.log_y else (lambda a: a)
    xs, ys = [], []
    for x, y in c.series.values():
        keep = np.isfinite(y) & (y > 0 if c.log_y else True) & (x > 0 if c.log_x else True)
        xs.append(tx(x[keep]))
        ys.append(ty(y[keep]))
    all_x = np.concatenate(xs) if xs else np.array([])
    all_y = np.concatenate(ys) if ys else np.array([])
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="10" fill="currentColor">',
             f'<text x="{width / 2}" y="14" text-anchor="middle" font-size="12">{escape(c.title)}</text>']
    if c.bars:
        return _bars(c, parts, width, height)
    if all_x.size == 0:
        parts.append(f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle">waiting for data</text>')
        return "".join(parts) + "</svg>"
    x0, x1 = c.x_span if c.x_span and not c.log_x else (float(all_x.min()), float(all_x.max()))
    y0, y1 = float(all_y.min()), float(all_y.max())
    if not c.log_y and c.ylabel == "accuracy":
        y0, y1 = 0.0, 1.0
    x1, y1 = (x1 + 1 if x1 <= x0 else x1), (y1 + abs(y1) * 0.1 + 1e-9 if y1 <= y0 else y1)
    px = lambda v: LEFT + (v - x0) / (x1 - x0) * (width - LEFT - RIGHT)  # noqa: E731
    py = lambda v: height - BOTTOM - (v - y0) / (y1 - y0) * (height - TOP - BOTTOM)  # noqa: E731
    parts.append(f'<rect x="{LEFT}" y="{TOP}" width="{width - LEFT - RIGHT}" height="{height - TOP - BOTTOM}" '
                 'fill="none" stroke="currentColor" stroke-opacity="0.35"/>')
    for t in (_log_ticks if c.log_y else _ticks)(y0, y1):
        parts.append(f'<line x1="{LEFT}" x2="{width - RIGHT}" y1="{py(t):.1f}" y2="{py(t):.1f}" '
                     f'stroke="currentColor" stroke-opacity="0.12"/>'
                     f'<text x="{LEFT - 3}" y="{py(t) + 3:.1f}" text-anchor="end">{_label(t, c.log_y)}</text>')
    for t in (_log_ticks if c.log_x else _ticks)(x0, x1):
        parts.append(f'<text x="{px(t):.1f}" y="{height - BOTTOM + 12}" text-anchor="middle">{_label(t, c.log_x)}</text>')
    parts.append(f'<text x="{(LEFT + width - RIGHT) / 2}" y="{height - 6}" text-anchor="middle">'
                 f'{escape(c.xlabel)}</text>')
    for mark in c.marks:
        if x0 <= mark <= x1:
            parts.append(f'<line x1="{px(mark):.1f}" x2="{px(mark):.1f}" y1="{TOP}" y2="{height - BOTTOM}" '
                         'stroke="currentColor" stroke-opacity="0.6" stroke-dasharray="3,3">'
                         '<title>learning rate changed</title></line>')
    for i, (x, y) in enumerate(zip(xs, ys)):
        if x.size:
            points = " ".join(f"{px(a):.1f},{py(b):.1f}" for a, b in zip(x, y))
            pattern = f' stroke-dasharray="{dash(i)}"' if dash(i) else ""
            parts.append(f'<polyline points="{points}" fill="none" stroke="{color(i)}" stroke-width="1.6"{pattern}/>')
            if x.size == 1:
                parts.append(f'<circle cx="{px(x[0]):.1f}" cy="{py(y[0]):.1f}" r="3" fill="{color(i)}"/>')
    return "".join(parts) + "</svg>"


def _bars(c: Chart, parts: list[str], width: int, height: int) -> str:
    values = [float(y[0]) for _, y in c.series.values()]
    top = max(values + [1e-9]) * 1.2  # headroom: the tallest bar's value stays under the title
    slot = (width - LEFT - RIGHT) / max(1, len(values))
    for i, (name, value) in enumerate(zip(c.series, values)):
        h = (height - TOP - BOTTOM) * value / top
        x = LEFT + i * slot + slot * 0.15
        parts.append(f'<rect x="{x:.1f}" y="{height - BOTTOM - h:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" '
                     f'fill="{color(i)}"/><text x="{x + slot * 0.35:.1f}" y="{height - BOTTOM - h - 3:.1f}" '
                     f'text-anchor="middle">{value:,.0f}</text><text x="{x + slot * 0.35:.1f}" y="{height - BOTTOM + 12}" '
                     f'text-anchor="middle">{escape(name)}</text>')
    parts.append(f'<text x="12" y="{height / 2}" transform="rotate(-90 12 {height / 2})" text-anchor="middle">'
                 f'{escape(c.ylabel)}</text>')
    return "".join(parts) + "</svg>"


def png_base64(pixels: np.ndarray) -> str:
    from PIL import Image as PILImage

    buffer = io.BytesIO()
    PILImage.fromarray(pixels).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def image(picture: Image, max_width: int = 420) -> str:
    h, w = picture.pixels.shape[:2]
    scale = min(1.0, max_width / w)
    src = f"data:image/png;base64,{png_base64(picture.pixels)}"
    if picture.x_ticks or picture.y_ticks:
        body, indent = _labelled(picture, src, scale)
    else:
        indent = 0
        body = (f'<img alt="{escape(picture.title)}" width="{w * scale:.0f}" height="{h * scale:.0f}" '
                f'style="image-rendering:pixelated;display:block" src="{src}"/>')
    return (f'<figure style="margin:0"><figcaption style="font:12px sans-serif;text-align:center">'
            f'{escape(picture.title)}</figcaption>{body}{colour_scale(picture.scale, w * scale, indent)}'
            f'<div style="font:11px sans-serif;max-width:{max_width}px">{escape(picture.caption)}</div></figure>')


_LABELS_PX = 30  # the room for an axis's tick labels and title


def _labelled(picture: Image, src: str, scale: float) -> tuple[str, int]:
    """The picture with its axes labelled (tick labels left and below, each axis's title),
    and how far right of the labels the picture starts."""
    h, w = picture.pixels.shape[:2]
    left = _LABELS_PX if picture.y_ticks or picture.y_title else 0
    below = _LABELS_PX if picture.x_ticks or picture.x_title else 0
    width, height = left + w * scale, h * scale + below
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(picture.title)}" '
             f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
             'font-family="sans-serif" font-size="11" fill="currentColor" style="display:block">',
             f'<image x="{left}" y="0" width="{w * scale:.0f}" height="{h * scale:.0f}" preserveAspectRatio="none" '
             f'style="image-rendering:pixelated" href="{src}"/>']
    parts += [f'<text x="{left - 4}" y="{y * scale + 4:.1f}" text-anchor="end">{escape(label)}</text>'
              for y, label in picture.y_ticks]
    parts += [f'<text x="{left + x * scale:.1f}" y="{h * scale + 12:.1f}" text-anchor="middle">{escape(label)}</text>'
              for x, label in picture.x_ticks]
    if picture.x_title:
        parts.append(f'<text x="{left + w * scale / 2:.1f}" y="{h * scale + 26:.1f}" text-anchor="middle">'
                     f'{escape(picture.x_title)}</text>')
    if picture.y_title:
        parts.append(f'<text x="10" y="{h * scale / 2:.1f}" transform="rotate(-90 10 {h * scale / 2:.1f})" '
                     f'text-anchor="middle">{escape(picture.y_title)}</text>')
    return "".join(parts) + "</svg>", left


def colour_scale(ends: tuple[str, str] | None, width: float, indent: float = 0) -> str:
    """A heat map's key: the colour ramp with what its two ends mean, under the picture."""
    if ends is None:
        return ""
    stops = ", ".join(f"rgb({r},{g},{b})" for r, g, b in HEAT)
    return (f'<div style="font:11px sans-serif;width:{width:.0f}px;margin:3px 0 3px {indent:.0f}px">'
            f'<div style="height:8px;background:linear-gradient(to right, {stops})"></div>'
            f'<div style="display:flex;justify-content:space-between"><span>{escape(ends[0])}</span>'
            f'<span>{escape(ends[1])}</span></div></div>')


def same_curves(series: dict[str, tuple[np.ndarray, np.ndarray]]) -> dict[str, str]:
    """name -> an earlier name whose curve is the same (one would hide the other)."""
    same, seen = {}, []
    for name, (_, y) in series.items():
        twin = next((other for other, oy in seen if len(y) > 1 and len(oy) == len(y)
                     and np.allclose(y, oy, rtol=1e-6, atol=0, equal_nan=True)), None)
        if twin is not None:
            same[name] = twin
        seen.append((name, y))
    return same


def legend(names: list[str], same: dict[str, str] | None = None) -> str:
    same = same or {}

    def key(i: int) -> str:
        pattern = f' stroke-dasharray="{dash(i)}"' if dash(i) else ""
        return (f'<svg width="22" height="6" style="vertical-align:middle"><line x1="0" x2="22" y1="3" y2="3" '
                f'stroke="{color(i)}" stroke-width="2"{pattern}/></svg>')

    def words(n: str) -> str:
        return escape(n) + (f" (the same curve as {escape(same[n])}, drawn over it)" if n in same else "")

    items = "".join(f'<span style="margin-right:14px;white-space:nowrap">{key(i)} {words(n)}</span>'
                    for i, n in enumerate(names))
    return f'<div style="font:12px sans-serif;margin:2px 0 4px {LEFT}px">{items}</div>'


def frame(charts: list[Chart], extra, names: list[str]) -> str:
    """The whole picture as HTML: the legend, the charts side by side, the panel (or panels)."""
    pieces = [chart(c) for c in charts]
    for panel in extra if isinstance(extra, list) else [extra]:
        if isinstance(panel, Chart):
            pieces.append(chart(panel))
        elif isinstance(panel, Image):
            pieces.append(image(panel))
    cells = "".join(f'<div style="flex:0 0 auto">{p}</div>' for p in pieces)
    return legend(names, same_curves(charts[0].series) if charts else None) + f'<div style="display:flex;flex-wrap:wrap;gap:6px;align-items:flex-start">{cells}</div>'
