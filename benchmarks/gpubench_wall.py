"""How long does a learner wait for %%gpubench, against what they asked for (devices x budget)?

    python benchmarks/gpubench_wall.py [--budget 1.5] [--devices cpu,cpu:1]

Runs the magic end to end in an IPython shell, the report drawn as a frontend would (HTML,
text and the PNG), for a default run (a 1024^2 matmul) and for the course's two big cells
(notebook 02: a 4096^2 matmul, a 4096 -> 4096 linear layer on 8192 rows). For each: the
wall time over devices x budget (goal <= 1.2 for the default run once the kernel's one-time
imports are done; the first run is shown apart) and where the time went
(setup, warm-up, timed runs, counting, the rest), as the report's "Wall time" line says.
A cell whose single run takes longer than budget / (warm-up + --min-runs) cannot meet the
budget; its line says by how much.
"""

from __future__ import annotations

import argparse
import json
import time

MATMUL = "x = torch.randn(1024, 1024, device=device)\n# timed\ny = x @ x\n"
CELLS = {
    # The first %%gpubench of a kernel pays one-time costs: FlopCounterMode's first use imports
    # torch._dynamo (~2 s here), the report's first PNG imports matplotlib (~0.5 s).
    "default, first in the kernel: 1024^2 matmul": MATMUL,
    "default, warm: 1024^2 matmul": MATMUL,
    "02 claim 1: 4096^2 matmul": "x = torch.randn(4096, 4096, device=device)\n# timed\ny = x @ x\n",
    "02 claim 2: Linear 4096 on 8192 rows": ("model = nn.Linear(4096, 4096).to(device)\n"
                                             "x = torch.randn(8192, 4096, device=device)\n# timed\n"
                                             "with torch.no_grad():\n    y = model(x)\n"),
}


def main() -> None:
    from IPython.testing.globalipapp import get_ipython

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=1.5)
    parser.add_argument("--devices", default="cpu", help="the -d of each run (default: cpu, the default run's device here)")
    parser.add_argument("--only", default="", help="comma-separated start of the case names to run")
    args = parser.parse_args()
    shell = get_ipython()
    shell.run_line_magic("load_ext", "dlmagics")
    shell.run_cell("import torch")  # the learner's notebook imported it already; not part of any run
    report = {}
    for name, cell in CELLS.items():
        if args.only and not any(name.startswith(p) for p in args.only.split(",")):
            continue
        started = time.perf_counter()
        result = shell.run_cell_magic("gpubench", f"-d {args.devices} --budget {args.budget:g}", cell)
        result._repr_mimebundle_()  # what the frontend gets: the table, the notes and the PNG
        wall = time.perf_counter() - started
        asked = len(result.devices) * args.budget
        phases = {d.label: {k: round(v, 3) for k, v in d.phases.items()} for d in result.devices}
        slowest = max((d.summary.median for d in result.devices if d.summary), default=0.0)
        report[name] = {"wall_s": round(wall, 3), "asked_s": asked, "ratio": round(wall / asked, 3),
                        "slowest_run_s": round(slowest, 4), "runs": [d.summary.runs for d in result.devices if d.summary],
                        "phases_s": phases, "report_line": next(line for line in str(result).splitlines()
                                                               if line.startswith("Wall time"))}
        print(f"{name}: wall {wall:.2f} s for {len(result.devices)} x {args.budget:g} s = {wall / asked:.2f}x "
              f"(slowest run {slowest:.3g} s)")
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
