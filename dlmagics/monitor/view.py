"""How a monitor sample looks in a notebook cell: an HTML table and a plain-text twin.

Both are static, so a saved notebook keeps the picture (nbviewer and GitHub show it).
"""

from __future__ import annotations

import html
import time

MIB, GIB = 1024**2, 1024**3

STATE_TITLES = {
    "no_driver": "CPU only: no NVIDIA driver",
    "no_gpu": "CPU only: no GPU visible",
    "error": "GPU monitor error",
}


def size(n) -> str:
    """Bytes as a person reads them: GiB from 1 GiB up, MiB below."""
    if n is None:
        return "n/a"
    return f"{n / GIB:.2f} GiB" if n >= GIB else f"{n / MIB:.0f} MiB"


def _num(value, unit: str, digits: int = 0) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}{unit}"


def gpu_rows(sample: dict) -> list[dict[str, str]]:
    """One row of display strings per GPU."""
    rows = []
    for g in sample["gpus"]:
        if g["status"] == "lost":
            rows.append({"GPU": f"{g['index']}: {g['name'] or g['uuid']}", "Status": g["error"] or "lost"})
            continue
        memory = f"{size(g['memory_used'])} / {size(g['memory_total'])}"
        if g["memory_used"] is not None and g["memory_total"]:
            memory += f" ({100 * g['memory_used'] / g['memory_total']:.0f}%)"
        power = _num(g["power"], " W")
        if g["power_limit"] is not None and g["power"] is not None:
            power += f" / {g['power_limit']:.0f} W"
        t = g["torch"]
        rows.append({
            "GPU": f"{g['index']}: {g['name'] or 'n/a'}",
            "Memory used": memory,
            "Util": _num(g["utilization"], "%"),
            "Temp": _num(g["temperature"], " °C"),
            "Power": power,
            "PyTorch (this kernel)": "n/a" if t is None else
                f"{size(t['allocated'])} allocated, {size(t['reserved'])} reserved, {size(t['peak'])} peak",
        })
    return rows


def host_line(sample: dict) -> str:
    h = sample["host"]
    cores = f" of {h['cpu_count']} cores" if h["cpu_count"] else ""
    return (f"Kernel process: {size(h['rss'])} RSS of {size(h['memory_total'])}, "
            f"CPU {_num(h['cpu_percent'], '%')} of one core{cores}")


def torch_line(sample: dict) -> str:
    t = sample["torch"]
    if t["status"] == "not_imported":
        return "PyTorch: not imported in this kernel."
    if t["status"] == "cuda_idle":
        return f"PyTorch {t['version']}: CUDA not initialised in this kernel (the monitor never initialises it)."
    return f"PyTorch {t['version']}: CUDA active; allocator figures per GPU."


CLOCK = "%H:%M:%S"  # 24-hour, as the sidebar's clockText (labextension/format.ts) writes it


def footer(sample: dict, monitor: dict, live_stopped: bool = False) -> str:
    """``live_stopped``: %gpumon --stop ended this table (the monitor may run on for the sidebar)."""
    when = time.strftime(CLOCK, time.localtime(sample["t"]))
    if monitor["running"] and live_stopped:
        status = (f"live table stopped; the monitor runs on every {monitor['interval_s']:g} s for the sidebar "
                  "(%gpumon --start shows a live table again)")
    elif monitor["running"]:
        status = f"monitor running every {monitor['interval_s']:g} s"
    else:
        status = "monitor stopped (%gpumon --start to run it)"
    return f"Sampled {when}, {sample['cost_ms']:.1f} ms to read; {status}."


def to_text(sample: dict, monitor: dict, live_stopped: bool = False) -> str:
    lines = []
    if sample["state"] != "ok":
        lines.append(f"{STATE_TITLES[sample['state']]}: {sample['message']}")
    for row in gpu_rows(sample):
        lines.append("  ".join(f"{k}: {v}" for k, v in row.items()))
    lines += [host_line(sample), torch_line(sample), footer(sample, monitor, live_stopped)]
    return "\n".join(lines)


def to_html(sample: dict, monitor: dict, live_stopped: bool = False) -> str:
    e = html.escape
    parts = ['<div class="dlmagics-gpumon">']
    if sample["state"] != "ok":
        parts.append(f"<p><b>{e(STATE_TITLES[sample['state']])}.</b> {e(sample['message'] or '')}</p>")
    rows = gpu_rows(sample)
    if rows:
        header = list(dict.fromkeys(key for row in rows for key in row))  # ordered union
        # One line per cell: "41 °C" split over two lines reads badly; the output scrolls instead.
        parts.append('<table style="white-space: nowrap"><thead><tr>'
                     + "".join(f"<th>{e(h)}</th>" for h in header) + "</tr></thead><tbody>")
        for row in rows:
            parts.append("<tr>" + "".join(f"<td>{e(row.get(h, ''))}</td>" for h in header) + "</tr>")
        parts.append("</tbody></table>")
    for line in (host_line(sample), torch_line(sample)):
        parts.append(f"<p>{e(line)}</p>")
    parts.append(f"<p><small>{e(footer(sample, monitor, live_stopped))}</small></p></div>")
    return "".join(parts)


class MonitorSnapshot:
    """A sample with a rich repr: what ``%gpumon`` returns and displays."""

    def __init__(self, sample: dict, monitor: dict, live_stopped: bool = False):
        self.sample, self.monitor, self.live_stopped = sample, monitor, live_stopped

    def to_dict(self) -> dict:
        return {"sample": self.sample, "monitor": self.monitor}

    def _repr_html_(self) -> str:
        return to_html(self.sample, self.monitor, self.live_stopped)

    def __repr__(self) -> str:
        return to_text(self.sample, self.monitor, self.live_stopped)


def live_table(html: str):
    """An ipywidgets HTML widget showing ``html``; the session sets its value on each sample."""
    import ipywidgets

    return ipywidgets.HTML(value=html)
