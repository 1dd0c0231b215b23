"""The words and pictures of a run: the live frame, the status line, the command that
reproduces it, and the final picture with its summary (what a saved notebook keeps)."""

from __future__ import annotations

import base64
import io
import math
import sys
import time
from html import escape

from . import svg
from .. import theme
from .pictures import curves, legend_names, panel

def command_line(name: str, settings, lr: float | None = None) -> str:
    """The %train_demo line that runs these settings again."""
    parts = [f"%train_demo {name}", f"--epochs {settings.epochs}", f"--lr {lr if lr is not None else settings.lr:g}",
             f"--batch-size {settings.batch_size}", f"--seed {settings.seed}"]
    if settings.devices:
        parts.append(f"--device {','.join(settings.devices)}")
    elif settings.device != "cpu":
        parts.append(f"--device {settings.device}")
    if settings.data:
        parts.append(f"--data {settings.data}")
    if settings.quick:
        parts.append("--quick")
    return " ".join(parts)


def rerun_line(result) -> str:
    """The line to run it again, at the learning rate the slider last set (a learner who
    found a better rate wants that one; the summary lists where it changed)."""
    h = result.history
    return command_line(result.name, result.settings, h.lr[-1] if h.lr_changes and h.lr else None)


def seconds_words(s: float) -> str:
    return f"{s:.1f} s" if s < 120 else f"{s / 60:.1f} min"


def progress_words(result, controls=None) -> str:
    """Where a run stands, in the words the cell and the sidebar both show:
    "paused: step 1,200 of 5,000, about 2.4 min left"."""
    h = result.history
    if not h.steps_planned:
        return "building the nets..."
    state = result.status if result.done else ("paused" if controls is not None and controls.paused else "training")
    text = f"{state}: step {h.steps_done:,} of {h.steps_planned:,}"
    left = time_left_words(result)
    if left is not None:
        text += f", {left}"
    elif result.done:
        text += f" in {seconds_words(result.elapsed_s)}"
    return text


def progress(result) -> float:
    """The share of the run done (the dashboard's bar)."""
    h = result.history
    return h.steps_done / max(1, h.steps_planned)


def time_left_words(result) -> str | None:
    return left_words(seconds_left(result))


def left_words(left: float | None) -> str | None:
    """An estimate of the time left in whole seconds (a tenth of one would be false
    precision), minutes from 2, hours from 2; None when there is none."""
    if left is None:
        return None
    if left >= 7200:
        return f"about {left / 3600:,.1f} h left"
    return f"about {left:.0f} s left" if left < 120 else f"about {left / 60:.1f} min left"


def status_line(result, controls=None) -> str:
    h = result.history
    text = progress_words(result, controls)
    if h.steps_planned and h.lr:
        text += f", learning rate {h.lr[-1]:.3g}"
    if result.error:
        text += f". Failed: {result.error}"
    return text


def seconds_left(result) -> float | None:
    """The time left of a running race at its pace so far (None before the first step or at the end)."""
    h = result.history
    if result.done or not h.steps_done:
        return None
    trained = sum(sum(t for t in v if not math.isnan(t)) for v in h.seconds.values())
    return (h.steps_planned - h.steps_done) * max(trained, 1e-9) / h.steps_done


PICTURE_HEIGHT_PX = 240  # the curves' place, kept from the start so nothing below them jumps


def live_html(result) -> str:
    if not result.history.names:
        return (f'<div style="height:{PICTURE_HEIGHT_PX}px;font:12px sans-serif;{theme.muted()}">'
                'The curves appear with the first training step.</div>')
    return picture_html(result)


def picture_html(result) -> str:
    """The legend, the curves and the demo's panel, drawn in the page's own text colour."""
    return svg.frame(curves(result), panel(result), legend_names(result))


def summary_rows(result) -> list[tuple[str, str]]:
    rows = []
    for name, record in result.final.items():
        bits = []
        if "test_accuracy" in record:
            bits.append(f"test accuracy {record['test_accuracy']:.1%} (train {record['train_accuracy']:.1%})")
        diverged = result.diverged(name)
        if diverged:
            bits.append(f"{diverged}, so it trained no further")
        elif "test_loss" in record:
            bits.append(f"test loss {record['test_loss']:.3g}")
        if record.get("samples_per_s"):
            bits.append(f"{record['samples_per_s']:,.0f} samples/s")
        rows.append((name, ", ".join(bits) or "not evaluated"))
    data = getattr(result.plan, "data", None) if result.settings.data else None
    if data is not None:  # the learner's --data: what the demo made of it
        rows.append(("data", f"{data.name}: {len(data.x_train):,} training and {len(data.x_test):,} test images"))
    return rows


def _lesson_words(result) -> tuple[str, str]:
    lesson = result.lesson
    verdict = "shown" if lesson.holds else ("not shown in this run" if result.status == "finished"
                                            else f"not shown: the run was {result.status} early")
    return verdict, lesson.measured


def summary_text(result) -> str:
    h = result.history
    lines = [f"%train_demo {result.name} ({result.demo.title}): {result.status} after {h.steps_done:,} of "
             f"{h.steps_planned:,} steps in {seconds_words(result.elapsed_s)}"]
    if result.error:
        lines.append(f"  error: {result.error}")
    lines += [f"  {name}: {text}" for name, text in summary_rows(result)]
    verdict, measured = _lesson_words(result)
    lines.append(f"  lesson ({verdict}): {result.demo.claim}")
    lines.append(f"  measured: {measured}")
    for change in h.lr_changes:
        lines.append(f"  learning rate changed at step {change['step']:,}: {change['from']:.3g} -> {change['to']:.3g}")
    lines.append(f"  rerun: {rerun_line(result)}")
    return "\n".join(lines)


def summary_html(result) -> str:
    rows = "".join(f"<tr><td style='text-align:left;padding-right:12px'><b>{escape(n)}</b></td>"
                   f"<td style='text-align:left'>{escape(t)}</td></tr>" for n, t in summary_rows(result))
    verdict, measured = _lesson_words(result)
    color = theme.color("ok" if verdict == "shown" else "warn")
    lesson = (f"<p style='margin:4px 0'><b style='{color}'>Lesson {escape(verdict)}:</b> "
              f"{escape(result.demo.claim)}<br><i>Measured:</i> {escape(measured)}</p>")
    error = f"<p style='{theme.color('error')}'>Error: {escape(result.error)}</p>" if result.error else ""
    changes = "".join(f"<li>learning rate changed at step {c['step']:,}: {c['from']:.3g} &rarr; {c['to']:.3g}</li>"
                      for c in result.history.lr_changes)
    return (f"<div style='font:13px sans-serif'><p style='margin:4px 0'><b>%train_demo {escape(result.name)}</b>: "
            f"{escape(result.demo.title)}. {escape(result.status.capitalize())} after "
            f"{result.history.steps_done:,} of {result.history.steps_planned:,} steps in "
            f"{seconds_words(result.elapsed_s)}.</p>{error}<table>{rows}</table>{lesson}"
            f"{'<ul>' + changes + '</ul>' if changes else ''}"
            f"<code>{escape(rerun_line(result))}</code></div>")


def final_bundle(result) -> dict:
    """The static picture of a finished run. HTML: the live view's last frame (SVG in the
    page's text colour, so it reads in any theme and keeps its size on a narrow screen) and
    the summary; a PNG for clients that show no HTML; the summary as text."""
    from .plot import plot

    figure = plot(result)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80, bbox_inches="tight")
    png = base64.b64encode(buffer.getvalue()).decode("ascii")
    picture = picture_html(result) if result.history.names else ""
    html = f'<div class="dlm-demo-final">{picture}{summary_html(result)}</div>'
    return {"text/plain": summary_text(result), "text/html": html, "image/png": png}


def run_state(result, controls=None) -> dict:
    """Where a run stands, for the sidebar's ``training`` message: small enough to send each
    second. ``controls``: the live run's, which know whether it is paused."""
    h = result.history
    contenders = []
    for name in h.names:
        entry = {"name": name, "loss": _finite(h.loss[name][-1] if h.loss[name] else None)}
        if h.evals[name]:
            last = h.evals[name][-1]
            entry["test_accuracy"] = _finite(last.get("test_accuracy"))
        contenders.append(entry)
    lesson = result.lesson if result.done else None
    running = not result.done and result.started_at is not None
    elapsed = time.perf_counter() - result.started_at if running else result.elapsed_s
    left = seconds_left(result)
    return {
        "demo": result.name, "title": result.demo.title, "year": result.demo.year, "status": result.status,
        "step": h.steps_done, "steps": h.steps_planned, "lr": h.lr[-1] if h.lr else result.settings.lr,
        "elapsed_s": round(elapsed, 3), "left_s": None if left is None else round(left, 1),
        "words": progress_words(result, controls), "contenders": contenders,
        "command": rerun_line(result),
        "lesson": None if lesson is None else {"holds": lesson.holds, "measured": lesson.measured},
    }


def _finite(value):
    return value if isinstance(value, (int, float)) and math.isfinite(value) else None


def header_html(result) -> str:
    demo = result.demo
    return (f'<div style="font:13px sans-serif"><b>%train_demo {escape(demo.name)}</b>: {escape(demo.title)} '
            f'<span style="{theme.muted()}">({escape(demo.year)})</span><br><span style="{theme.muted()}">'
            f'{escape(demo.story)}</span></div>')


def command_html(result, controls) -> str:
    return f'<code style="font-size:12px">{escape(command_line(result.demo.name, result.settings, controls.lr))}</code>'


def what(result) -> str:
    """The run in the words of a cell that waits for it."""
    return f"%train_demo {result.name}"


def board(result, controls):
    """The live dashboard of a demo."""
    from .dashboard import Dashboard

    return Dashboard(result, controls, sys.modules[__name__])
