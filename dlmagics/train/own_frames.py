"""The words and pictures of a learner's %%train run: its look, with the same functions as
frames.py has for a demo (the Trainer and the dashboard call either): the live frame with
the doctor's findings beside the curves, the status line, the final picture with its summary,
and the sidebar's state of the run."""

from __future__ import annotations

import base64
import io
import logging
import math
import sys
import time
from html import escape

import numpy as np

from . import svg
from .. import theme
from .frames import left_words, seconds_words
from .own import FIRST_STEPS
from .pictures import Chart, Image, colormap, downsample, gradcam_image

log = logging.getLogger(__name__)

DOCTOR_CLASS = "dlm-doctor"  # the findings' box (the Galata test finds it)


def what(result) -> str:
    return "%%train" + (f" ({result.model_name})" if result.model_name else "")


def header_html(result) -> str:
    return (f'<div style="font:13px sans-serif"><b>%%train</b>: your training loop, live'
            f'{"" if result.doctor else " (the doctor is off)"}</div>')


def command_html(result, controls) -> str:
    lr = f"learning rate {controls.lr:.3g}" if controls.lr > 0 else "the learning rate appears with the first step"
    return f'<span style="font:12px sans-serif;{theme.muted()}">{escape(lr)}</span>'


def board(result, controls):
    from .dashboard import Dashboard

    return Dashboard(result, controls, sys.modules[__name__])


# -- words ---------------------------------------------------------------------------------

def seconds_left(result) -> float | None:
    h = result.history
    planned = h.batches_planned
    passed = h.batches_passed
    if result.done or not passed or not planned or result.started_at is None:
        return None
    spent = time.perf_counter() - result.started_at
    return max(0.0, (planned - passed) * spent / passed)


def progress(result) -> float | None:
    """The share of the run done, when the loop shows how long it is (else no bar)."""
    h = result.history
    planned = h.batches_planned
    return min(1.0, h.batches_passed / planned) if planned else None


def time_left_words(result) -> str | None:
    return left_words(seconds_left(result))


def progress_words(result, controls=None) -> str:
    """Where the run stands: "training: epoch 2 of 5, batch 120 of 300, about 12 s left"."""
    h = result.history
    state = result.status if result.done else ("paused" if controls is not None and controls.paused else "training")
    if not h.batches_done:
        return f"{state}: no training batch yet" if result.done else "waiting for the first training batch..."
    parts = []
    if h.epoch:
        parts.append(f"epoch {h.epoch}" + (f" of {h.epochs_planned:,}" if h.epochs_planned else ""))
    planned = h.batches_planned
    parts.append(f"batch {h.batches_passed:,}" + (f" of {planned:,}" if planned else ""))
    text = f"{state}: {', '.join(parts)}"
    left = time_left_words(result)
    if left is not None:
        text += f", {left}"
    elif result.done:
        text += f" in {seconds_words(result.elapsed_s)}"
    return text


def status_line(result, controls=None) -> str:
    h = result.history
    text = progress_words(result, controls)
    if h.lr and not math.isnan(h.lr[-1]):
        text += f", learning rate {h.lr[-1]:.3g}"
    if result.findings:
        text += f"; the doctor found {len(result.findings)} problem{'s' if len(result.findings) > 1 else ''} (below)"
    if result.error:
        text += f". Failed: {result.explanation.title if result.explanation else result.error}"
    return text


def cost_words(result) -> str | None:
    """What watching the run cost, in the doctor's own words."""
    share = result.doctor_share
    if share is None or not result.history.batches_done:
        return None
    who = "the watch's hooks and the doctor" if result.doctor else "the watch's hooks"
    # timed inside them: PyTorch's calls into them are not, and cost as much again or more on a
    # small model (benchmarks/train_overhead.py measures the whole cost against a plain run)
    text = f"{who} ran for {share:.1%} of this run's time (timed inside them; the calls into them are not counted)"
    if result.first_steps_s and share >= 0.05:  # a first run on a GPU: mostly once, at the start
        watched, elapsed = result.first_steps_s
        running = result.elapsed_s - result.paused_s
        later = (result.watch_s - watched) / (running - elapsed) if running > elapsed else None
        if later is not None and later < share / 2:
            took = f"{watched * 1000:.0f} ms" if watched < 0.1 else seconds_words(watched)  # not "0.0 s"
            text += (f": {took} in its first {FIRST_STEPS} steps (the doctor's first checks; on a "
                     f"GPU, loading their code, once a kernel), {later:.1%} of the time after them")
    return text


# -- pictures --------------------------------------------------------------------------------

def charts(result) -> list[Chart]:
    """The loss (training per batch, validation at each evaluation) and, for a
    classification, the accuracy likewise; both over the same batches."""
    h = result.history
    span = (1.0, float(max(h.batches_done, 2)))
    marks = [c["step"] for c in h.lr_changes]
    evals = [e for e in h.evals if e.get("loss") is not None]
    loss = {"training": downsample(h.loss[: h.batches_done])}
    if evals:
        loss["validation"] = (np.array([e["batch"] for e in evals], float), np.array([e["loss"] for e in evals], float))
    out = [Chart("loss", "loss", loss, log_y=_positive(h.loss), marks=marks, xlabel="batch", x_span=span)]
    accuracy = np.array(h.accuracy[: h.batches_done], float)
    if accuracy.size and not np.isnan(accuracy).all():
        series = {"training": downsample(_smooth(accuracy))}
        scored = [e for e in evals if "accuracy" in e]
        if scored:
            series["validation"] = (np.array([e["batch"] for e in scored], float),
                                    np.array([e["accuracy"] for e in scored], float))
        out.append(Chart("accuracy", "accuracy", series, marks=marks, xlabel="batch", x_span=span))
    return out


def _positive(values) -> bool:
    finite = [v for v in values if math.isfinite(v)]
    return bool(finite) and min(finite) > 0


def _smooth(values: np.ndarray, window: int = 20) -> np.ndarray:
    """A batch's accuracy is noisy: the mean of the last ``window`` batches."""
    clean = np.where(np.isnan(values), 0.0, values)
    counted = (~np.isnan(values)).astype(float)
    total, count = np.cumsum(clean), np.cumsum(counted)
    total[window:] = total[window:] - total[:-window]
    count[window:] = count[window:] - count[:-window]
    with np.errstate(invalid="ignore", divide="ignore"):
        return total / count


def confusion_image(result) -> Image | None:
    matrix = result.confusion
    if not matrix or len(matrix) > 20:
        return None
    counts = np.array(matrix, float)
    share = counts / np.maximum(counts.sum(1, keepdims=True), 1)
    k = len(matrix)
    cell = max(12, 240 // k)
    labels = [((i + 0.5) * cell, str(i)) for i in range(k)]
    source = "the last evaluation" if result.history.evals else "the last epoch's training batches"
    return Image(f"confusion matrix ({source})", np.repeat(np.repeat(colormap(np.sqrt(share)), cell, 0), cell, 1),
                 "each row: the examples of one class, by what the model predicted; off the diagonal: mistakes",
                 scale=("0% of the row", "100%"), x_ticks=labels, y_ticks=labels,
                 x_title="predicted class", y_title="true class")


def gradcam_panel(result) -> Image | None:
    """At the end, Grad-CAM of a few of the last images a CNN classifier saw (computed once:
    ``result.gradcam`` keeps it for the learner)."""
    if not result.done or result.images is None or result.model is None or not result.classes:
        return None
    if result.gradcam is None:
        from .gradcam import GradCamError, gradcam

        try:
            result.gradcam = gradcam(result.model, result.images)
        except GradCamError:  # no convolution, or not a classifier: nothing for Grad-CAM to show
            result.images = None
            return None
        except Exception as error:  # the run's picture is drawn without it, and says why
            log.exception("dlmagics: Grad-CAM of a %%train run failed")
            result.images = None
            result.notes.append(f"no Grad-CAM panel: {type(error).__name__}: {error}")
            return None
    return gradcam_image(result.gradcam, title="Grad-CAM of the last images: where the model looks")


def panels(result) -> list[Image]:
    """The pictures beside the curves: the confusion matrix and Grad-CAM, once the run is over."""
    return [p for p in (confusion_image(result), gradcam_panel(result)) if p is not None] if result.done else []


def findings_html(result) -> str:
    """The doctor's findings (and an error's sentence, the original error one click away)."""
    color = theme.color("warn")
    items = [_finding_item(f, color) for f in ([result.explanation] if result.explanation else []) + result.findings]
    error = ""
    if result.traceback:
        error = (f"<details><summary>the original error{'' if result.explanation else ': ' + escape(result.error or '')}"
                 f"</summary><pre style='font-size:11px;white-space:pre-wrap'>{escape(result.traceback)}</pre></details>")
    notes = "".join(f"<p style='margin:2px 0'>{escape(n)}</p>" for n in result.notes)
    if not (items or error or notes):
        return ""
    return (f'<div class="{DOCTOR_CLASS}" role="status" style="font:13px sans-serif;margin:4px 0;max-width:680px">'
            f"{''.join(items)}{notes}{error}</div>")


def _finding_item(finding, color: str) -> str:
    return (f'<p style="margin:4px 0" data-key="{escape(finding.key)}"><b style="{color}">{escape(finding.title)}</b> '
            f'<span style="{theme.muted()}">({escape(finding.when())})</span><br>{escape(finding.sentence())}.<br>'
            f"<i>Fix:</i> {escape(finding.fix)}.</p>")


def picture_html(result) -> str:
    pictures = charts(result)
    return svg.frame(pictures, panels(result), list(pictures[0].series) if pictures else [])


def live_html(result) -> str:
    if not result.history.batches_done:
        return (f'<div style="height:{svg.H}px;font:12px sans-serif;{theme.muted()}">The curves appear with the first '
                f'training batch.</div>{findings_html(result)}')
    return picture_html(result) + findings_html(result)


# -- the end -----------------------------------------------------------------------------------

def summary_lines(result) -> list[str]:
    h = result.history
    final = result.final
    lines = [f"%%train{' of ' + result.model_name if result.model_name else ''}: {result.status} after "
             f"{h.batches_done:,} batches ({h.steps:,} optimizer steps"
             + (f", {h.epoch} epoch{'s' if h.epoch != 1 else ''}" if h.epoch else "") + f") in {seconds_words(result.elapsed_s)}"]
    bits = []
    if final.get("train_loss") is not None:
        bits.append(f"training loss {final['train_loss']:.3g}")
    if "train_accuracy" in final:
        bits.append(f"training accuracy {final['train_accuracy']:.1%} (last batches)")
    if "val_loss" in final:
        bits.append(f"validation loss {final['val_loss']:.3g}")
    if "val_accuracy" in final:
        bits.append(f"validation accuracy {final['val_accuracy']:.1%}")
    if bits:
        lines.append(", ".join(bits))
    for change in h.lr_changes:
        lines.append(f"learning rate changed at batch {change['step']:,}: {change['from']:.3g} -> {change['to']:.3g}")
    if result.findings:
        lines.append(f"the doctor found {len(result.findings)} problem{'s' if len(result.findings) > 1 else ''}")
    elif result.doctor and h.batches_done and not result.error:
        lines.append("the doctor found nothing wrong")
    cost = cost_words(result)
    if cost:
        lines.append(cost)
    return lines


def summary_text(result) -> str:
    lines = summary_lines(result)
    if result.explanation is not None:
        lines.append(result.explanation.line())
    if result.error:
        lines.append(f"the original error: {result.error}")
    lines += [f.line() for f in result.findings] + list(result.notes)
    return "\n".join(lines)


def summary_html(result) -> str:
    first, *rest = summary_lines(result)
    body = "".join(f"<li>{escape(line)}</li>" for line in rest)
    return (f"<div style='font:13px sans-serif'><p style='margin:4px 0'><b>{escape(first)}</b></p>"
            f"<ul style='margin:2px 0'>{body}</ul></div>")


def final_bundle(result) -> dict:
    """The static picture of the finished run: curves, confusion matrix, the doctor's
    findings and the summary (HTML, SVG in the page's text colour), a PNG, and text."""
    from .. import views
    from .result import FIGURE

    bundle = {"text/plain": summary_text(result)}
    picture = picture_html(result) if result.history.batches_done else ""
    bundle["text/html"] = f'<div class="dlm-train-final">{picture}{findings_html(result)}{summary_html(result)}</div>'
    if result.history.batches_done:
        buffer = io.BytesIO()
        views.render(result, FIGURE).savefig(buffer, format="png", dpi=80, bbox_inches="tight")
        bundle["image/png"] = base64.b64encode(buffer.getvalue()).decode("ascii")
    return bundle


def run_state(result, controls=None) -> dict:
    """The run for the sidebar's ``training`` message (the same shape as a demo's)."""
    h = result.history
    final_val = h.evals[-1].get("accuracy") if h.evals else None
    loss = h.loss[-1] if h.loss else None
    running = not result.done and result.started_at is not None
    elapsed = time.perf_counter() - result.started_at if running else result.elapsed_s
    left = seconds_left(result)
    lr = h.lr[-1] if h.lr and h.lr[-1] > 0 else None
    return {
        "demo": "%%train", "title": f"Your training{' of ' + result.model_name if result.model_name else ''}",
        "year": "", "status": result.status, "step": h.batches_passed, "steps": h.batches_planned or 0,
        "lr": lr if lr is not None and math.isfinite(lr) else 1e-3, "elapsed_s": round(max(elapsed, 0.0), 3),
        "left_s": None if left is None else round(left, 1), "words": progress_words(result, controls),
        "contenders": [{"name": result.model_name or "model", "loss": _finite(loss), "test_accuracy": _finite(final_val)}],
        "command": "%%train", "lesson": None,
        "findings": [f.line() for f in ([result.explanation] if result.explanation else []) + result.findings],
    }


def _finite(value):
    return value if isinstance(value, (int, float)) and math.isfinite(value) else None
