"""Colours for the HTML and SVG the magics show, readable in JupyterLab's light and dark themes.

Each colour is a theme variable with a fallback for pages that have none (nbconvert, GitHub).
Accents are the theme's hue mixed with its text colour, so they darken on a light page and
lighten on a dark one; a browser without ``color-mix`` keeps the fallback written before it.
Charts draw in ``currentColor``, the text colour of the page around them.
"""

from __future__ import annotations

TEXT = "var(--jp-content-font-color1, #222)"
MUTED = "var(--jp-content-font-color2, #555)"
BORDER = "var(--jp-border-color2, #ccc)"

# name -> (JupyterLab's variable, a fallback readable on white)
_ACCENTS = {"ok": ("--jp-success-color1", "#1b6e2a"), "warn": ("--jp-warn-color1", "#8a4b00"),
            "error": ("--jp-error-color1", "#b3261e"), "brand": ("--jp-brand-color1", "#1565c0")}


def accent(name: str) -> str:
    """The accent as a CSS colour value (inside ``color-mix``)."""
    variable, fallback = _ACCENTS[name]
    return f"color-mix(in srgb, var({variable}, {fallback}) 60%, {TEXT})"


def color(name: str) -> str:
    """A ``color:`` declaration of an accent, with its plain fallback first."""
    return f"color:{_ACCENTS[name][1]};color:{accent(name)}"


def muted() -> str:
    return f"color:{MUTED}"


# CSS classes the JupyterLab extension acts on (labextension/outputs.ts):
OWN_KEYS = "dlm-own-keys"  # keys typed in these widgets reach no notebook shortcut
LIVE = "dlm-live"  # a polite live region from the start (its content is replaced, not it)
GRADES = "dlm-grades"  # a button that grades the page's answers: waits until they reached the kernel
QUESTION = "dlm-quiz-question"  # one question: arrows move among its options, Enter on one presses its Check
# ... and the outputs it acts on (labextension/savedOutputs.ts): a widget that shows nothing when its
# model is gone (a reopened notebook), and a static copy it keeps up to date after the cell ran.
WIDGET_VIEW = "application/vnd.dlmagics.widget-view+json"
COPY_KEY = "dlmagics-copy"  # an output's metadata key: the display id its updates carry
