"""The %%gpubench wing: its magic's options and help, its run history, and the latest
results for the sidebar's Runs section (sent as they come, and in every snapshot)."""

from __future__ import annotations

from collections import deque

from ..wing import Context, MagicSpec, Wing, arg
from .defaults import BUDGET_S, MIN_RUNS, ROUNDS, WARMUP

KEPT_RESULTS = 50  # the latest results a snapshot carries (the sidebar keeps as many)

GPUBENCH = MagicSpec(
    "gpubench", cell=True,
    args=(
        arg("-d", "--devices", metavar="DEVICES",
            help="Comma-separated: cpu (all threads), cpu:N (N threads), cuda, cuda:N, mps. "
                 "Default: cpu and every GPU there is."),
        arg("--dtype", metavar="DTYPE",
            help="float32 (strict, TF32 off), tf32, bfloat16, float16 or float64: the cell's `dtype` and "
                 "the default for new tensors. Default: float32 under the kernel's TF32 setting."),
        arg("--budget", metavar="S", help=f"Seconds per device for the runs after the first call (the rest of the "
                                          f"warm-up, then timed runs), more than 0 (default {BUDGET_S:g}), in "
                                          f"{ROUNDS} blocks the devices take in turn; a block stops earlier once its "
                                          "median is pinned within 1%%, the run later when --min-runs runs take longer."),
        arg("--warmup", metavar="N", help=f"Untimed runs first (default {WARMUP}); the first is shown as the "
                                          "first-call cost."),
        arg("--min-runs", metavar="N", help=f"Timed runs at least, whatever the budget (default {MIN_RUNS})."),
        arg("--sweep", metavar="VAR=v1,v2,...",
            help="Run the cell for each value of VAR (at most 64 values) and plot time and speedup against it."),
        arg("--no-check", action="store_true", help="Do not compare the devices' outputs."),
        arg("--save", metavar="PATH", help="Write the result as JSON."),
        arg("--compare", metavar="PATH", help="Set the result against one saved with --save."),
        arg("-q", "--quiet", action="store_true", help="Show nothing; the result is in _gpubench."),
    ),
    doc="""Time the cell's PyTorch code on every device, with figures you can trust.

        Code above a line that is just ``# timed`` is setup: it runs once per device and
        is not timed. The rest is timed. The cell gets ``torch``, ``nn``, ``device`` and
        ``dtype`` for each run, so write ``.to(device)`` and ``device=device``::

          %%gpubench
          x = torch.randn(4096, 4096, device=device)
          # timed
          y = x @ x

        Do not time by hand: %%gpubench waits for the GPU and times many runs itself. A
        cell that times itself (``time.time()`` or ``perf_counter()`` read twice or subtracted,
        ``timeit``, ``%time``, CUDA events' ``elapsed_time``) is shown rewritten: those lines, its
        ``torch.cuda.synchronize()`` and its own ``device = ...`` gone, '# timed' in place.

        For each device it shows the median time with its 95% interval (where a repeat
        run's median should fall: built from the spread of its blocks of runs, then from how
        far this cell's runs, and the kernel's other cells', moved from one run to the next) and IQR, the runs, the first-call cost, the
        speedup over the CPU with its interval ("no clear difference" when it holds 1x),
        FLOP/s and bandwidth against the device's peak, what bounds the run (compute, memory or launch
        overhead), peak memory, whether the outputs agree (the last tensor the timed code
        assigns), and where the achieved FLOP/s stands among the GPUs of deep learning's
        history.

        How it measures: the devices take turns, a block of runs each, for five rounds (a
        slow phase of the machine lands on all of them, and is named when it shows); CPU
        runs are timed with perf_counter at a set thread count; CUDA
        runs with CUDA events around each run; GC is off while timing; random numbers in
        the setup are drawn the same on every device. It resets PyTorch's peak-memory
        counter of each GPU it runs on. A device that runs out of memory is marked and the
        others still run; Ctrl-C keeps what was measured. Other processes, this kernel's
        other threads or other processes on the GPU that used the machine during the runs
        are named with their figures when they could have changed the times. Under nbgrader's
        autograde or validate it runs the cell once, timed, on the CPU only, and says so in a line.

        The result is returned (so ``_`` holds it) and kept in ``_gpubench``: ``.to_dict()``,
        ``.save(path)``, ``.compare(path)``. Examples::

          %%gpubench -d cpu,cpu:1 --sweep n=256,512,1024 --budget 0.5
          %%gpubench --dtype bfloat16 --save h200.json
          %%gpubench --compare h200.json
          %%gpubench -d {devices}         # IPython puts in the value of a Python variable
        """)


class BenchWing(Wing):
    name = "bench"
    magics = (GPUBENCH,)

    def __init__(self, kernel):
        super().__init__(kernel)
        from .history import RunHistory

        self.history = RunHistory()  # each cell's earlier medians: a repeat's spread
        self.recent: deque = deque(maxlen=KEPT_RESULTS)

    def run(self, name, args, ctx: Context):
        from . import command

        show = ctx.show if ctx.watched else None  # a progress line for a person waiting
        return command.gpubench(args, ctx.cell, ctx.namespace, self._publish, show, self.history, ctx.cell_id,
                                options=ctx.line)

    def _publish(self, message: dict) -> None:
        self.recent.extend(message["results"])
        self.kernel.publish(message)

    def snapshot_part(self) -> dict:
        return {"benchmarks": list(self.recent)} if self.recent else {}


WING = BenchWing
