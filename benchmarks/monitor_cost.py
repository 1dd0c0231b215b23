"""What dlmagics costs a kernel: the time %load_ext adds, and the GPU sampler's CPU share
and per-sample latency. Every figure is a ratio against a reference taken in the same run.

    python benchmarks/monitor_cost.py [--seconds 20] [--runs 5]

Goals: %load_ext adds < 0.1 s (issue 28; <= 0.3 s since issue 2) and imports no torch; the sampler at 1 Hz
uses <= 0.5% of one core.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

LOAD_PROBE = r"""
import json, sys, time
t0 = time.perf_counter()
from IPython.testing.globalipapp import get_ipython
ip = get_ipython()
t1 = time.perf_counter()
ip.run_line_magic("load_ext", "autoreload")     # reference: an extension IPython ships
t2 = time.perf_counter()
ip.run_line_magic("load_ext", "dlmagics")
t3 = time.perf_counter()
print(json.dumps({"shell": t1 - t0, "autoreload": t2 - t1, "dlmagics": t3 - t2,
                  "torch": "torch" in sys.modules, "ipywidgets": "ipywidgets" in sys.modules}))
"""


def load_cost(runs: int) -> dict:
    """Median over fresh processes: seconds to start an IPython shell, to load autoreload,
    and to load dlmagics."""
    rows = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", LOAD_PROBE], capture_output=True, text=True, cwd=ROOT, check=True)
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    med = {k: statistics.median(r[k] for r in rows) for k in ("shell", "autoreload", "dlmagics")}
    med["torch_imported"] = any(r["torch"] for r in rows)
    med["ipywidgets_imported"] = any(r["ipywidgets"] for r in rows)
    return med


def kernel_load_cost() -> dict:
    """The same, inside a real ipykernel (the comm to the sidebar opens too)."""
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3", cwd=str(ROOT))
    try:
        code = ("import time, sys, json; t = time.perf_counter(); get_ipython().run_line_magic('load_ext', 'dlmagics');"
                "print(json.dumps({'dlmagics': time.perf_counter() - t, 'torch': 'torch' in sys.modules}))")
        out: list[dict] = []
        reply = kc.execute_interactive(code, timeout=60, output_hook=out.append)
        assert reply["content"]["status"] == "ok"
        text = "".join(m["content"].get("text", "") for m in out if m["msg_type"] == "stream")
        return json.loads(text.strip().splitlines()[-1])
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def sampler_cost(label: str, reader, seconds: float, interval: float = 1.0) -> dict:
    """Run the sampler thread for ``seconds``; its CPU time over wall time is its share."""
    from dlmagics.monitor import Sampler

    samples = []
    sampler = Sampler(reader, samples.append, interval=interval)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    sampler.start()
    time.sleep(seconds)
    sampler.stop()
    wall = time.perf_counter() - wall0
    process_cpu = time.process_time() - cpu0  # the whole process: the main thread only sleeps
    costs = sorted(s["cost_ms"] for s in samples)
    return {
        "monitor": label,
        "samples": len(samples),
        "thread_cpu_share_of_one_core": sampler.thread_cpu_seconds / wall,
        "process_cpu_share_of_one_core": process_cpu / wall,
        "sample_ms_median": statistics.median(costs),
        "sample_ms_p95": costs[int(0.95 * (len(costs) - 1))],
        "sample_latency_over_interval": statistics.median(costs) / 1000 / interval,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="how long each sampler run lasts")
    parser.add_argument("--runs", type=int, default=5, help="fresh processes for the load timing")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from dlmagics import testing
    from dlmagics.monitor import SampleReader
    from dlmagics.monitor.nvml import GpuReader

    load = load_cost(args.runs)
    print("%load_ext dlmagics in a fresh IPython (median of", args.runs, "processes):")
    print(f"  adds {load['dlmagics'] * 1000:.1f} ms (goal < 100 ms); "
          f"{load['dlmagics'] / load['shell']:.3f} x the shell's own start-up ({load['shell'] * 1000:.0f} ms), "
          f"{load['dlmagics'] / load['autoreload']:.1f} x %load_ext autoreload ({load['autoreload'] * 1000:.1f} ms)")
    print(f"  torch imported: {load['torch_imported']}; ipywidgets imported: {load['ipywidgets_imported']}")
    kernel = kernel_load_cost()
    print(f"  in a real ipykernel (comm opened too): {kernel['dlmagics'] * 1000:.1f} ms; torch imported: {kernel['torch']}")

    runs = [
        ("this machine (real NVML: no driver) + psutil + torch probe", SampleReader(GpuReader())),
        ("fake NVML with 8 GPUs + psutil + torch probe", SampleReader(GpuReader(testing.FakeNVML([testing.FakeGpu(uuid=f"GPU-{i}") for i in range(8)])))),
    ]
    print(f"\nGPU sampler at 1 Hz for {args.seconds:g} s each (goal <= 0.5% of one core):")
    for label, reader in runs:
        r = sampler_cost(label, reader, args.seconds)
        print(f"  {r['monitor']}: {r['samples']} samples; sampler thread {100 * r['thread_cpu_share_of_one_core']:.3f}% "
              f"of one core (whole process {100 * r['process_cpu_share_of_one_core']:.3f}%); per sample "
              f"{r['sample_ms_median'] * 1000:.0f} us median, {r['sample_ms_p95'] * 1000:.0f} us p95 "
              f"= {100 * r['sample_latency_over_interval']:.3f}% of the interval")


if __name__ == "__main__":
    main()
