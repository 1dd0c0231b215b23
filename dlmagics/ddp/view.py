"""How a %%ddp report looks: lines of text (a terminal, text/plain, the saved notebook's plain
copy) and HTML with a table of the ranks. The words are made once, here, in ``headline``,
``rank_cells`` and ``notes``; the HTML puts the same words in a table."""

from __future__ import annotations

import html

from .. import theme
from ..bench.words import format_bytes, format_speedup, format_time
from ..views import draws
from .result import Outcome, RankReport

COLUMNS = ("rank", "time per step", "compute", "communication", "bytes to collectives", "collectives")


def headline(o: Outcome) -> str:
    threads = f"{o.threads} thread{'s' if o.threads != 1 else ''} each"
    ranks = f"{o.world_size} ranks" if o.local_ranks == o.world_size else \
        f"{o.world_size} ranks ({o.local_ranks} on this node)"
    return f"%%ddp: {ranks}, {o.backend}, {threads}: {o.status} in {o.seconds:.1f} s (torchrun's start included)"


def rank_cells(r: RankReport) -> tuple[str, ...]:
    share = f" ({r.step_comm_s / r.step_s:.0%})" if r.step_s > 0 else ""
    calls = ", ".join(f"{name} x{op[0]}" for name, op in sorted(r.ops.items())) or "none"
    return (str(r.rank), format_time(r.step_s), format_time(r.step_compute_s), format_time(r.step_comm_s) + share,
            format_bytes(r.bytes), calls)


def notes(o: Outcome) -> list[tuple[str, str]]:
    """(what, sentence) under the table, in order."""
    out = []
    if o.fault:
        out.append(("fault", o.fault))
    if o.ranks:
        if o.steps:
            out.append(("step", f"time per step: {format_time(o.step_s)}, the slowest rank's median of {o.steps} "
                                "steps (the first left out): the others wait for it at each collective"))
        else:
            out.append(("step", f"the cell took {format_time(o.step_s)} on the slowest rank; call step() at the end "
                                "of each step for a time per step"))
        of = "the median step" if o.steps else "the cell"
        out.append(("split", f"compute and communication: of {of}; communication is the time with one of "
                             "torch.distributed's collectives in flight (DDP's gradient all_reduce included, waiting for "
                             "slower ranks too), compute the time with none. Bytes and collectives: the whole cell's"))
    if o.compare is not None:
        c = o.compare
        if c.speedup is not None:
            point, low, high = c.speedup
            out.append(("speedup", f"speedup over one process: {format_speedup(point, (low, high))} (95% interval, "
                                   f"{len(c.many)} rounds of 1 and {o.world_size} ranks in turn)"))
        elif c.error:
            out.append(("speedup", f"no speedup: {c.error}"))
        else:
            out.append(("speedup", f"no interval from {len(c.many)} rounds: use --compare 3 or more"))
    return out


@draws(Outcome, "text/plain")
def text(o: Outcome) -> str:
    rows = [COLUMNS] + [rank_cells(r) for r in o.ranks]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    table = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows] if o.ranks else []
    return "\n".join([headline(o)] + table + [sentence for _, sentence in notes(o)])


@draws(Outcome, "text/html")
def page(o: Outcome) -> str:
    cell = "padding:2px 8px;text-align:right"
    head = "".join(f"<th scope='col' style='{cell}'>{html.escape(c)}</th>" for c in COLUMNS)
    rows = "".join("<tr>" + "".join(f"<td style='{cell}'>{html.escape(c)}</td>" for c in rank_cells(r)) + "</tr>"
                   for r in o.ranks)
    table = (f"<table style='border-collapse:collapse'><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
             if o.ranks else "")
    items = "".join(f"<li data-what='{what}' style='{theme.color('error') if what == 'fault' else ''}'>"
                    f"{html.escape(sentence)}</li>" for what, sentence in notes(o))
    return (f"<div class='dlm-ddp-report' style='color:{theme.TEXT}'><p style='font-weight:600'>"
            f"{html.escape(headline(o))}</p>{table}<ul>{items}</ul></div>")
