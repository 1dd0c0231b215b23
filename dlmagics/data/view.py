"""How a data report looks: lines of text (a terminal, text/plain, the saved notebook's plain
copy) and HTML with a table of the classes and their thumbnails. The words are made once, in
``lines``; the HTML adds the table and the pictures."""

from __future__ import annotations

import base64
import html

from .. import theme
from ..views import draws
from .result import DataReport, Problem

WARNINGS = {"imbalance", "unused", "duplicates", "empty"}  # lines drawn in the warning colour
SHOWN_CLASSES = 50  # rows of the class table; more are summed up in one line


def _n(count: int, word: str, plural: str = "") -> str:
    return f"{count:,} {word if count == 1 else plural or word + 's'}"


def _examples(problem: Problem) -> str:
    more = ", ..." if problem.count > len(problem.examples) else ""
    return ", ".join(problem.examples) + more


def _numbers(values: list[float]) -> str:
    return "(" + ", ".join(f"{v:.4f}" for v in values) + ")"


def headline(r: DataReport) -> str:
    splits = "" if list(r.counts) == ["all"] else " (" + ", ".join(f"{s} {sum(c):,}" for s, c in r.counts.items()) + ")"
    line = f"{r.source}: {r.kind}, {_n(r.images, 'image')} in {_n(len(r.classes), 'class', 'classes')}{splits}"
    if r.partial:
        line += f". Partial: interrupted after reading {r.files_read:,} of {r.files_found:,} files; this is what was read"
    return line


def lines(r: DataReport) -> list[tuple[str, str]]:
    """(what, sentence) of every figure the report states, in the order it states them."""
    out = []
    counts = r.per_class
    if r.imbalanced and counts:
        big, small = counts.index(max(counts)), counts.index(min(counts))
        ratio = "no images" if r.imbalance == float("inf") else f"{r.imbalance:.1f} times as many images as"
        out.append(("imbalance", f"imbalanced: {r.classes[big]} has {ratio} {r.classes[small]}; always answering "
                                 f"{r.classes[big]} would score {r.majority_share:.0%}, so compare accuracy with that "
                                 "(or weigh the loss by class)"))
    elif len(counts) > 1:
        out.append(("balance", f"balanced: the largest class has {r.imbalance:.2f} times the images of the smallest"))
    if r.sizes:
        (w, h), most = max(r.sizes.items(), key=lambda item: item[1])
        if r.mixed_sizes:
            sides = sorted(r.sizes)
            out.append(("sizes", f"sizes mixed: {len(r.sizes)} sizes from {sides[0][0]} x {sides[0][1]} to "
                                 f"{sides[-1][0]} x {sides[-1][1]}; most common {w} x {h} ({most / sum(r.sizes.values()):.0%})"))
        else:
            out.append(("sizes", f"size: all {w} x {h} (width x height)"))
    if r.modes:
        modes = ", ".join(f"{m} {n:,}" for m, n in sorted(r.modes.items(), key=lambda item: -item[1]))
        given = "grey (1 channel)" if r.channels == 1 else "RGB (3 channels)"
        extra = "; the alpha channel (transparency) is dropped" if any("A" in m for m in r.modes) and r.channels == 3 else ""
        out.append(("modes", f"modes: {modes}; the dataset gives {given}{extra}"))
    if r.mean:
        out.append(("normalize", f"mean {_numbers(r.mean)}, std {_numbers(r.std)} per channel, of values in [0, 1]: "
                                 f"Normalize(mean={_numbers(r.mean)}, std={_numbers(r.std)})"))
    for reason, problem in sorted(r.problems.items(), key=lambda item: -item[1].count):
        out.append(("unused", f"not used, {reason}: {_n(problem.count, 'file')} ({_examples(problem)})"))
    if r.hidden.count:
        out.append(("hidden", f"skipped, hidden: {r.hidden.count:,} ({_examples(r.hidden)}); a hidden folder is "
                              "never a class"))
    if r.empty_classes:
        out.append(("empty", f"no usable image, so not a class: {', '.join(r.empty_classes)}"))
    if "train" in r.counts and "test" in r.counts:
        if r.duplicates.count:
            out.append(("duplicates", f"duplicates: {_n(r.duplicates.count, 'test image')} also in train, byte for "
                                      f"byte ({_examples(r.duplicates)}); they make test accuracy look better"))
        else:
            out.append(("no-duplicates", "duplicates: no test image is also in train"))
    out += [("note", note) for note in r.notes]
    return out


def _classes_text(r: DataReport) -> str:
    shown = [f"{name} {count:,}" for name, count in zip(r.classes, r.per_class)][:SHOWN_CLASSES]
    more = f", and {len(r.classes) - SHOWN_CLASSES} more" if len(r.classes) > SHOWN_CLASSES else ""
    return "classes: " + ", ".join(shown) + more


@draws(DataReport, "text/plain")
def text(r: DataReport) -> str:
    return "\n".join([headline(r), _classes_text(r)] + [sentence for _, sentence in lines(r)])


def _picture(png: bytes, name: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return (f"<img src='data:image/png;base64,{data}' alt='{html.escape(name)}' "
            "style='image-rendering:pixelated;height:48px;margin-right:3px;vertical-align:middle'>")


@draws(DataReport, "text/html")
def page(r: DataReport) -> str:
    splits = list(r.counts)
    head = "".join(f"<th style='text-align:right;padding:2px 8px'>{html.escape(s)}</th>" for s in splits if s != "all")
    rows = []
    for i, name in enumerate(r.classes[:SHOWN_CLASSES]):
        cells = "".join(f"<td style='text-align:right;padding:2px 8px'>{r.counts[s][i]:,}</td>"
                        for s in splits if s != "all")
        pictures = "".join(_picture(png, name) for png in r.thumbnails.get(name, []))
        rows.append(f"<tr><th scope='row' style='text-align:left;padding:2px 8px'>{html.escape(name)}</th>"
                    f"<td style='text-align:right;padding:2px 8px'>{r.per_class[i]:,}</td>{cells}<td>{pictures}</td></tr>")
    more = (f"<p style='{theme.muted()}'>and {len(r.classes) - SHOWN_CLASSES} more classes</p>"
            if len(r.classes) > SHOWN_CLASSES else "")
    items = []
    for what, sentence in lines(r):
        style = theme.color("warn") if what in WARNINGS else ""
        items.append(f"<li data-what='{what}' style='{style}'>{html.escape(sentence)}</li>")
    partial = theme.color("warn") if r.partial else ""
    return (f"<div class='dlm-data-report' style='color:{theme.TEXT}'>"
            f"<p style='font-weight:600;{partial}'>{html.escape(headline(r))}</p>"
            f"<table style='border-collapse:collapse'><caption style='text-align:left;{theme.muted()}'>classes, "
            f"images and a few of each</caption><thead><tr><th style='text-align:left;padding:2px 8px'>class</th>"
            f"<th style='text-align:right;padding:2px 8px'>images</th>{head}<th></th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>{more}<ul>{''.join(items)}</ul></div>")
