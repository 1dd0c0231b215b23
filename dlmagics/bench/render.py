"""How a %%gpubench result looks: an HTML table with bars, the same as plain text, and a
PNG chart (kept in saved notebooks, shown where HTML is not).

Registered for BenchResult in ../views.py (the result never imports this module). The lines
under the table are typed notes (../notes.py): the HTML styles them by kind, not by words.
"""

from __future__ import annotations

import html
import io
import math

from .. import notes as note, theme, views
from ..hardware.specs import format_multiple, time_machine
from ..notes import Note
from .result import BenchResult, DeviceResult
from .words import format_speedup  # noqa: F401 (for callers of render)
from .words import format_against_peak, format_bytes, format_time, plural

# The table has a row per figure and a column per device: narrow enough for a notebook.
ROWS = ("device", "median", "95% interval", "IQR", "runs", "first call", "speedup", "FLOP/s", "bandwidth",
        "bound", "peak memory")


def _rate(rate: float | None, peak: float | None, unit: str) -> str:
    return "n/a" if rate is None else format_against_peak(rate, peak, unit)


def device_column(result: BenchResult, d: DeviceResult, speedups: dict) -> list[str]:
    """One device's cells, in ROWS order; ``speedups`` by device label."""
    s = d.summary
    if s is None:
        return [d.name or d.kind, d.status] + [""] * (len(ROWS) - 2)  # the notes say why
    if sum(1 for other in result.devices if other.summary) == 1:
        speedup = "n/a (one device)"  # nothing to compare with: '1x (baseline)' read as a result
    else:
        speedup = "1x (baseline)" if result.baseline is d else speedups[d.label].words if d.label in speedups else ""
    return [
        d.name, format_time(s.median), f"{format_time(s.ci95[0])} to {format_time(s.ci95[1])}",
        f"{format_time(s.iqr)} ({s.relative_iqr:.0%})", runs_cell(d), format_time(d.first_call), speedup,
        _rate(d.flop_rate, d.peak_flops, "FLOP/s"), _rate(d.byte_rate, d.peak_bandwidth, "B/s"),
        d.bound or "n/a", format_bytes(d.peak_memory),
    ]


def runs_cell(d: DeviceResult) -> str:
    """'120 (5 blocks)': the blocks are what the interval's spread comes from."""
    blocks = len([b for b in d.blocks if b])
    return f"{len(d.times):,}" + (f" ({blocks} blocks)" if blocks > 1 else "")


def grid(result: BenchResult) -> list[list[str]]:
    """The table as text: a header of device labels, then a row per figure."""
    labels = [d.label if d.status == "ok" else f"{d.label} ({d.status})" for d in result.devices]
    speedups = {sp.device: sp for sp in result.speedups}
    columns = [device_column(result, d, speedups) for d in result.devices]
    return [["", *labels]] + [[name, *(c[i] for c in columns)] for i, name in enumerate(ROWS)]


def notes(result: BenchResult) -> list[Note]:
    """The lines under the table, each with its kind: agreement, comparison, time machine,
    failures, warnings, setting."""
    lines = [agreement_note(result)]
    for change in result.changes or []:
        lines.append(note.info(f"Against the saved run of {change['old_created']}: {change['device']} takes "
                               f"{change['ratio']:.3g}x the time [{change['ci95'][0]:.3g}, {change['ci95'][1]:.3g}], "
                               f"{change['verdict']} (saved median {format_time(change['old_median_s'])})."))
    for d in result.devices:
        if d.flop_rate:
            lines.append(note.info("Time machine: " + time_machine(d.label, d.flop_rate)))
    for d in result.devices:
        if d.status == "out of memory":
            freed = "" if d.memory_after is None else f" {format_bytes(d.memory_after)} still allocated afterwards."
            lines.append(note.error(f"{d.label} ran out of memory: {d.error.rstrip('.')}. Its tensors were released; "
                                    f"the other devices ran.{freed}"))
        elif d.status == "error":
            lines.append(note.error(f"{d.label} failed at {d.error}"))
    if result.interrupted:
        lines.append(note.warn("Stopped by Ctrl-C: the figures are from the runs measured so far."))
    lines += result.warning_notes
    lines.append(note.info(time_line(result)))
    lines.append(note.info(setting_line(result)))
    return [line for line in lines if line is not None and line.text]


def time_line(result: BenchResult) -> str:
    """Where the wall time went: the budget buys timed runs; the rest is named."""
    if not result.wall_s:
        return ""
    total = {}
    for d in result.devices:
        for phase, seconds in d.phases.items():
            total[phase] = total.get(phase, 0.0) + seconds
    parts = [f"{phase} {format_time(seconds)}" for phase, seconds in sorted(total.items(), key=lambda kv: -kv[1])
             if seconds >= 0.0005]
    rest = result.wall_s - sum(total.values())
    if rest >= 0.0005:
        parts.append(f"the rest {format_time(rest)} (devices set up, outputs compared)")
    ran = sum(1 for d in result.devices if d.phases)
    return f"Wall time {format_time(result.wall_s)} for {plural(ran, 'device')}: " + ", ".join(parts) + "."


def agreement_note(result: BenchResult) -> Note | None:
    """Whether the devices' outputs agree: an error where any disagrees; None when unsaid."""
    if not result.agreement:
        return note.info(f"Outputs: {result.agreement_note}.") if result.agreement_note else None
    parts = []
    for a in result.agreement:
        if a.error is None:
            parts.append(f"{a.device} DISAGREES with {a.reference}: {a.note}")
        else:
            verdict = "agrees with" if a.agrees else "DISAGREES with"
            parts.append(f"{a.device} {verdict} {a.reference} (largest difference {a.error:.2g} of the largest "
                         f"value; tolerance {a.tolerance:.0e})")
    kind = "info" if all(a.agrees for a in result.agreement) else "error"
    return Note(kind, f"Outputs ('{result.checked_variable}'): " + "; ".join(parts) + ".")


def interval_basis(result: BenchResult) -> str:
    """What the intervals were built from, in words (per device where the devices differ)."""
    said = {d.label: repeat_source(d.repeat) for d in result.devices if d.repeat}
    if not said:
        return "the order statistics of the runs (too few blocks for a spread)"
    if len(set(said.values())) == 1:
        basis = next(iter(said.values()))
    else:
        basis = "; ".join(f"{label} {words}" for label, words in said.items())
    return ("where a repeat run's median should fall, " + basis +
            ", never narrower than the median's order-statistic interval")


def repeat_source(r) -> str:
    """Where one device's interval came from: 'from the spread of this run's 5 interleaved
    blocks', 'from this cell's last 3 runs and the run-to-run spread of 2 other cells in this
    kernel (12 steps; t on 14 degrees of freedom)'."""
    if r.pooled_steps:
        own = f"this cell's last {r.earlier_runs + 1} runs and " if r.earlier_runs else ""
        return (f"from {own}the run-to-run spread of {plural(r.pooled_cells, 'other cell')} in this kernel "
                f"({plural(r.pooled_steps, 'step')}; t on {r.df} degrees of freedom)")
    if r.earlier_runs:
        return f"from the steps between this cell's last {r.earlier_runs + 1} runs in this kernel (t on {r.df} degrees of freedom)"
    if r.blocks:
        return f"from the spread of this run's {r.blocks} interleaved blocks"
    return "from the order statistics of the runs"


def setting_line(result: BenchResult) -> str:
    env = result.environment
    precision = result.precision + ("" if result.precision_forced else " (the kernel's setting)")
    tf32 = "on" if env.get("tf32_matmul") else "off"
    setup = "setup included in the timing" if result.setup_timed else "setup not timed"
    threads = env.get("cpu_threads")
    quota = f", container quota {env['cpu_quota']:g} CPUs" if env.get("cpu_quota") else ""
    methods = "; ".join(sorted({f"{d.kind}: {d.method}" for d in result.devices if d.method}))
    return (f"Setting: {precision}, TF32 matmul {tf32}, {setup}; torch {env.get('torch')}, "
            f"{threads} CPU threads of {env.get('cpu_cores')} cores{quota}. Timing: {methods}. "
            f"Median of the runs; 95% interval: {interval_basis(result)}; speedup interval from the blocks the "
            "devices ran side by side (a bootstrap of the runs when blocks are few); \"no clear difference\" where it holds 1x. "
            "Peak memory: the process's peak resident memory on CPU, PyTorch's allocator peak on GPU.")


# -- text ----------------------------------------------------------------------------------
@views.draws(BenchResult, "text/plain")
def to_text(result: BenchResult) -> str:
    rows = grid(result)
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    table = "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows)
    head = "%%gpubench" + (f" ({result.sweep['name']} = {result.sweep['value']!r})" if result.sweep else "")
    return "\n".join([head, table, ""] + [line.text for line in notes(result)])


# -- HTML ----------------------------------------------------------------------------------
STYLE = ("<style>.dlm-bench{font-size:12px;border-collapse:collapse}.dlm-bench td,.dlm-bench th{padding:2px 8px;"
         f"text-align:left;border-bottom:1px solid {theme.BORDER};max-width:18em}}.dlm-bench .bar{{background:#4c8bf5;"
         f"height:10px;display:inline-block}}.dlm-bench-scale{{position:relative;display:inline-block;width:160px;height:10px;vertical-align:middle}}"
         # bar and mark both placed from the left edge: a notebook's table may right-align its cells
         ".dlm-bench-scale .bar{position:absolute;left:0;top:0}"
         ".dlm-bench-one{position:absolute;left:0;top:-2px;width:2px;height:14px;background:currentColor}"
         f".dlm-bench-bad{{{theme.color('error')};font-weight:bold}}"
         ".dlm-bench-notes{font-size:12px;margin:4px 0;max-width:60em}</style>")
# A note's class by its kind (the colour is theme.py's); warn and info read as plain text.
KIND_CLASS = {"error": "dlm-bench-bad"}


def note_item(line: Note) -> str:
    """One note as a list item, styled by its kind."""
    kind = KIND_CLASS.get(line.kind)
    return f'<li{f" class={kind}" if kind else ""}>{html.escape(line.text)}</li>'


@views.draws(BenchResult, "text/html")
def to_html(result: BenchResult) -> str:
    rows = grid(result)
    bars = ["time (log scale)"] + time_bars(result)
    bad = [False] + [d.status != "ok" for d in result.devices]

    def row(cells, tag="td", raw=False):
        return "<tr>" + "".join(
            f"<{tag}{' class=dlm-bench-bad' if flag else ''}>{cell if raw and i else html.escape(cell)}</{tag}>"
            for i, (cell, flag) in enumerate(zip(cells, bad))) + "</tr>"

    body = [row(rows[0], "th"), row(rows[1]), row(rows[2]), row(bars, raw=True)] + [row(r) for r in rows[3:]]
    items = [note_item(line) for line in notes(result)]
    title = "%%gpubench" + (f" ({html.escape(result.sweep['name'])} = {html.escape(repr(result.sweep['value']))})"
                            if result.sweep else "")
    return (f"{STYLE}<div><b>{title}</b><table class=dlm-bench>{''.join(body)}</table>"
            f"<ul class=dlm-bench-notes>{''.join(items)}</ul></div>")


def time_bars(result: BenchResult) -> list[str]:
    """Each device's median as a bar (HTML) with its time as a multiple of the baseline's, and
    a mark where the baseline's bar ends: the 1x every bar is read against."""
    widths = bar_widths(result.devices)
    base = result.baseline
    if base is None or base.label not in widths or len(widths) < 2:
        return [f'<span class="bar" style="width:{widths[d.label]:.0f}px"></span>' if d.label in widths else ""
                for d in result.devices]
    one = widths[base.label]
    cells = []
    for d in result.devices:
        if d.label not in widths:
            cells.append("")
            continue
        ratio = d.summary.median / base.summary.median
        said = "1x" if d is base else format_multiple(ratio)
        tip = f"median time as a multiple of {base.label}'s; the mark is {base.label}'s 1x"
        cells.append(f'<span class="dlm-bench-scale" title="{html.escape(tip)}"><span class="bar" '
                     f'style="width:{widths[d.label]:.0f}px"></span><span class="dlm-bench-one" '
                     f'style="left:{one:.0f}px"></span></span> {said}')
    return cells


def bar_widths(devices: list[DeviceResult], longest: int = 160) -> dict[str, float]:
    """Bar lengths for the medians on a log scale: ten times slower is a fixed step longer."""
    medians = {d.label: d.summary.median for d in devices if d.summary and d.summary.median > 0}
    if not medians:
        return {}
    low, high = math.log10(min(medians.values())), math.log10(max(medians.values()))
    span = max(high - low, 1.0)
    return {label: longest * (0.15 + 0.85 * (math.log10(m) - low) / span) for label, m in medians.items()}


# -- PNG -----------------------------------------------------------------------------------
@views.draws(BenchResult, "image/png")
def to_png(result: BenchResult) -> bytes:
    """Median time per device with its 95% interval, on a log axis."""
    timed = [d for d in result.devices if d.summary]
    fig = new_figure(6, 0.5 + 0.45 * max(len(timed), 1))
    ax = fig.subplots()
    for i, d in enumerate(timed):
        s = d.summary
        ax.barh(i, s.median, color="#4c8bf5" if d.status == "ok" else "#b00020")
        ax.errorbar(s.median, i, xerr=[[s.median - s.ci95[0]], [s.ci95[1] - s.median]], color="black", capsize=3)
        ax.text(s.ci95[1], i, "  " + format_time(s.median), va="center", fontsize=8)
    ax.set_yticks(range(len(timed)), [d.label for d in timed])
    ax.invert_yaxis()
    ax.set_xscale("log")
    if timed:  # room on the left for the shortest bar, on the right for the labels
        ax.set_xlim(min(d.summary.ci95[0] for d in timed) / 3, max(d.summary.ci95[1] for d in timed) * 5)
    ax.set_xlabel("median time per run (log scale; whiskers: 95% interval)")
    return png_bytes(fig)


def new_figure(width: float, height: float):
    """A figure outside pyplot: no global state, no change to the user's backend."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100, layout="tight")


def png_bytes(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()
