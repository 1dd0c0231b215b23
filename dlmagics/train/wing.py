"""The %train_demo wing: its magic's options and help, the kernel's Trainer (at most one demo
training in the background), and that run for the sidebar's Runs section."""

from __future__ import annotations

from ..wing import Context, MagicSpec, Wing, arg
from .defaults import SEED

TRAIN_DEMO = MagicSpec(
    "train_demo",
    usage=("%train_demo NAME [--epochs N] [--lr LR] [--batch-size N] [--device DEVICE] [--seed N] "
           "[--data PATH] [--quick] [--no-live] | --list"),
    args=(
        arg("name", nargs="?", help="The demo to run; %%train_demo --list shows each with its lesson."),
        arg("--list", action="store_true", help="List the demos with their dates and lessons."),
        arg("--epochs", metavar="N", help="Passes over the training data (each demo has its own default)."),
        arg("--lr", metavar="LR", help="Learning rate, above 0 and at most 10; the slider changes it live."),
        arg("--batch-size", metavar="N", help="Examples per step."),
        arg("--device", metavar="DEVICE", help="cpu (default), cuda, cuda:N or mps; for the hardware demo, a "
                                               "list like cpu:1,cpu,cuda."),
        arg("--seed", metavar="N", help=f"Data order and initial weights (default {SEED}): the same seed gives the "
                                        "same numbers on the CPU."),
        arg("--data", metavar="PATH", help="A folder with MNIST's IDX files, used in place of the shipped digits."),
        arg("--quick", action="store_true", help="A shorter run (the size the test suite checks)."),
        arg("--no-live", action="store_true", help="Train here and now with no controls, and leave the final picture."),
    ),
    doc="""Run one of the experiments that made deep learning work, live, as a race.

        Each demo trains two or more networks side by side on the same data, from the same
        seed, and states its lesson: the numbers it measures to show it. On a laptop CPU each
        takes seconds. Nothing is downloaded: the digits are the UCI 8x8 handwritten digits
        (CC BY 4.0), shipped with dlmagics; XOR is generated.

        In JupyterLab, Notebook 7, Voila, VS Code or Colab the dashboard is live: the curves, the
        demo's own picture (decision boundary, gradient heatmap, filters...), progress with
        the time left, a learning-rate slider that acts at the next step (marked on the
        curves), Pause and Stop (the history so far is kept). Training runs in the background,
        so the controls respond while the kernel is otherwise idle. When the run ends, the
        dashboard becomes a picture and a summary that stay in the saved notebook. Run
        headless (nbconvert, papermill) or with --no-live, it trains at once and leaves the
        same picture and summary.

        The result is returned: ``.history`` (every step so far, of every contender),
        ``.final``, ``.lesson``, ``.to_dict()``, ``.plot()``. While the run trains:

        - in the same cell, reading ``.final``, ``.lesson``, ``.to_dict()`` or ``.plot()``
          waits for the end (the curves keep drawing; the controls answer once the cell is
          done) and then gives the finished run's figures; ``.status`` and ``.history`` say
          where it stands now;
        - the next cell you run (or Run All) waits for the end first, and says so with the
          time left; interrupting the kernel stops the run and keeps its history;
        - a paused run resumes when a cell waits for it.

        Examples::

          %train_demo --list
          %train_demo xor
          %train_demo vanishing --epochs 3
          %train_demo optimizers --lr 0.003 --seed 1
          %train_demo hardware --device cpu:1,cpu,cuda
          run = %train_demo mnist --data ~/mnist
        """)


class TrainWing(Wing):
    name = "train"
    magics = (TRAIN_DEMO,)
    frontend_messages = {"stop_training": set()}  # the sidebar's Stop

    def __init__(self, kernel):
        super().__init__(kernel)
        from .trainer import Trainer

        self.trainer = Trainer(self._publish, kernel.show, kernel.in_kernel)
        self.latest: dict | None = None  # the last training message's run, for snapshots
        self.hooks = {"pre_run_cell": self.trainer.wait}  # a cell waits for the demo training before it

    def run(self, name, args, ctx: Context):
        from . import command

        return command.train_demo(args, self.trainer, not args.no_live and ctx.watched)

    def _publish(self, message: dict) -> None:
        self.latest = message["run"]
        self.kernel.publish(message)

    def snapshot_part(self) -> dict:
        return {"training": self.latest} if self.latest is not None else {}

    def handle(self, message: dict) -> None:
        self.trainer.stop_running()

    def close(self) -> None:
        self.trainer.close()


WING = TrainWing
