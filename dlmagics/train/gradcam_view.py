"""A Grad-CAM result in the notebook: each image beside its maps (the class the net gives,
the runner-up, the one rather than the other), the layer, and the sanity check's verdict.
Registered in ../views.py; gradcam.py never imports it."""

from __future__ import annotations

from html import escape

from .. import theme, views
from .gradcam import GradCam
from .pictures import overlay
from .svg import colour_scale, png_base64

SHOWN = 16  # images drawn at most (the text lists every one)


@views.draws(GradCam)
def html(cam: GradCam) -> str:
    rows = "".join(_row(cam, i) for i in range(min(SHOWN, len(cam.maps))))
    more = (f"<p style='margin:2px 0'>the first {SHOWN} of {len(cam.maps)} images are drawn</p>"
            if len(cam.maps) > SHOWN else "")
    if cam.sanity is None:
        verdict = f"<p style='margin:4px 0;{theme.muted()}'>no sanity check: {escape(cam.sanity_note or '')}</p>"
    else:
        style = "" if cam.sanity.trusted else theme.color("warn")
        verdict = f"<p style='margin:4px 0'><b style='{style}'>{escape(cam.sanity.verdict())}</b></p>"
    return (f"<div class='dlm-gradcam' style='font:13px sans-serif'>"
            f"<p style='margin:4px 0'><b>Grad-CAM</b> at {escape(cam.where())}: where the net finds its answer</p>"
            f"<table style='border-collapse:collapse'>{rows}</table>{more}"
            f"{colour_scale(('no evidence', 'the most evidence'), 4 * 72)}{verdict}</div>")


def _row(cam: GradCam, i: int) -> str:
    k, r, p = cam.explained[i], cam.rival[i], cam.probabilities[i]
    cells = [(overlay(cam.images[i]), "the image"),
             (overlay(cam.images[i], cam.maps[i]), f"{cam.name(k)} ({p[k]:.0%})"),
             (overlay(cam.images[i], cam.rival_maps[i]), f"{cam.name(r)} ({p[r]:.0%})"),
             (overlay(cam.images[i], cam.contrast_maps[i]), f"{cam.name(k)}, not {cam.name(r)}")]
    empty = " (empty: nothing here speaks for it)" if cam.empty[i] else ""
    tds = "".join(f"<td style='padding:2px 4px;text-align:center;vertical-align:top'>"
                  f"<img alt='{escape(words)}' width='64' height='64' style='image-rendering:pixelated;display:block' "
                  f"src='data:image/png;base64,{png_base64(pixels)}'/>"
                  f"<span style='font-size:11px'>{escape(words)}</span></td>" for pixels, words in cells)
    return f"<tr>{tds}<td style='font-size:12px;padding-left:6px'>{escape(cam.line(i))}{empty}</td></tr>"
