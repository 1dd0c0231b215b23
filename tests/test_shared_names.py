"""The CSS classes that carry behaviour across the wire: the kernel marks widgets with them,
labextension/outputs.ts acts on them. Each side declares its names once; this keeps them equal."""

import re
from pathlib import Path

from dlmagics import theme
from dlmagics.quiz.kinds.single import CHOOSE_ONE
from dlmagics.train.dashboard import STOP_CLASS, WAITED_CLASS

OUTPUTS = Path(__file__).resolve().parent.parent / "labextension" / "outputs.ts"


def test_the_classes_the_extension_acts_on_are_the_ones_the_kernel_sets():
    source = OUTPUTS.read_text()
    declared = dict(re.findall(r"export const (\w+) = '(dlm-[\w-]+)'", source))
    assert declared == {"OWN_KEYS": theme.OWN_KEYS, "LIVE": theme.LIVE, "CHOOSE_ONE": CHOOSE_ONE,
                        "GRADES": theme.GRADES, "QUESTION": theme.QUESTION}
    # Stop in a waited-on dashboard is matched by one selector made of the dashboard's two names.
    assert f"'.{WAITED_CLASS} .{STOP_CLASS}'" in source


def test_the_saved_output_names_are_the_ones_the_kernel_sets():
    """The widget view type and the static copy's metadata key (labextension/savedOutputs.ts)."""
    source = (OUTPUTS.parent / "savedOutputs.ts").read_text()
    declared = dict(re.findall(r"export const (\w+) = '([^']+)'", source))
    assert declared == {"WIDGET_VIEW": theme.WIDGET_VIEW, "COPY_KEY": theme.COPY_KEY}
