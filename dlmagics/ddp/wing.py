"""The ddp wing: %%ddp's options and help. The work is in command.py and launcher.py."""

from __future__ import annotations

from ..wing import Context, MagicSpec, Wing, arg
from .launcher import TIMEOUT_S

DDP = MagicSpec(
    "ddp", cell=True,
    usage=("%%ddp -n N [--backend gloo|nccl] [--threads T] [--timeout S] [--compare [ROUNDS]] "
           "[--nnodes M --rdzv-endpoint HOST:PORT [--node-rank K]]"),
    args=(
        arg("-n", metavar="N", help="Ranks (processes) on this node."),
        arg("--backend", metavar="gloo|nccl", help="gloo (default): CPU tensors; nccl: NVIDIA GPUs, one per rank."),
        arg("--threads", metavar="T", help="torch.set_num_threads(T) in each rank (default: the cores shared out)."),
        arg("--timeout", metavar="S", help=f"Seconds (default {TIMEOUT_S:g}) a rank may wait in a collective, and "
                                           "the others may run on after one rank ended; then the run is ended."),
        arg("--compare", metavar="ROUNDS", nargs="?", const="3",
            help="Also run the cell as one process, in turn with N, ROUNDS times (default 3, at least 3): the "
                 "speedup with its interval."),
        arg("--nnodes", metavar="M", help="Machines (nodes) in the run; each runs the same cell."),
        arg("--rdzv-endpoint", metavar="HOST:PORT", help="Where the nodes meet (torchrun's c10d rendezvous); "
                                                         "needed with --nnodes above 1."),
        arg("--node-rank", metavar="K", help="This node's number (only torchrun's static rendezvous uses it)."),
    ),
    doc=f"""Run the cell as N processes with torch.distributed: data parallelism, live.

        The cell is written to a module and run by PyTorch's own launcher, torchrun
        (``python -m torch.distributed.run``), as N ranks: nothing is pickled from the
        notebook, so the spawn-from-Jupyter trap does not apply. Each rank starts with the
        process group ready (gloo on the CPU, or nccl with a GPU per rank) and these names:
        ``rank``, ``world_size``, ``device`` (cpu, or cuda:LOCAL_RANK with nccl),
        ``torch``, ``dist`` (torch.distributed) and ``step``. The cell sees nothing of
        the notebook's variables: import and build what it needs (a module of your own in
        the notebook's folder imports as usual).

        Each rank's output appears under the cell as it comes, labelled [rank 0], [rank 1].
        At the end the report says, per rank:

        - time per step: call ``step()`` at the end of each training step (otherwise the
          whole cell is timed);
        - communication: the time with one of torch.distributed's collectives in flight
          (all_reduce, all_gather, broadcast, reduce_scatter...; DDP's gradient
          all_reduce goes through PyTorch's Python allreduce hook so it is counted),
          waiting for slower ranks included, and the bytes each rank handed to them;
          compute: the time with none in flight;
        - with ``--compare``: the same cell also run as one process (world_size 1), in
          turn with N ranks, for the speedup with its 95% interval. Split the work by
          world_size (each rank its share of the global batch) for a fair race.

        Faults end the whole run with one line naming the rank: a rank that raises, one
        that is killed, or one stuck in a collective (it raises after --timeout seconds,
        default {TIMEOUT_S:g}; a rank still running --timeout seconds after another ended is
        ended too). Interrupting the kernel (the stop button, or I I) ends every rank;
        no process is left behind and the kernel stays.

        While the ranks run, the run has a row in the sidebar's Runs (its ranks, the time
        so far; at the end how it ended). Its Stop interrupts the kernel, ending every rank.

        More machines: run the same cell on each with ``--nnodes M --rdzv-endpoint
        HOST:PORT`` (torchrun's c10d rendezvous, hosted by the machine at HOST); each node's
        report shows its own ranks.

        The result is returned: ``.ranks`` (each with ``.steps``, ``.ops``, ``.error``),
        ``.status``, ``.fault``, ``.step_s``, ``.compare``, ``.to_dict()``. In Python:
        ``dlmagics.ddp.launcher.launch(code, Settings(2), on_line)``.

        Examples::

          %%ddp -n 2
          x = torch.ones(3) * (rank + 1)
          dist.all_reduce(x)
          print(x)

          %%ddp -n 2 --threads 1 --compare
          model = torch.nn.parallel.DistributedDataParallel(torch.nn.Linear(64, 10))
          ...
          for batch in range(50):
              ...; loss.backward(); optimizer.step(); step()
        """)


class DdpWing(Wing):
    name = "ddp"
    magics = (DDP,)

    def run(self, name, args, ctx: Context):
        from . import command
        from ..progress_line import ProgressLine
        from .row import RunsRow

        line = ProgressLine(ctx.show, every_s=0.0) if ctx.watched else None
        # the sidebar's Runs row: only where a sidebar may listen (in a terminal, no thread for nobody)
        row = RunsRow(f"%%ddp {ctx.line.strip()}".strip(), self.kernel.publish) if self.kernel.in_kernel else None
        try:
            return command.ddp(args, ctx.cell, line.draw if line else None, row)
        finally:
            if line is not None:
                line.close()


WING = DdpWing
