"""The training wing: the %train_demo and %%train magics' options and help, the kernel's
Trainer (at most one run training in the background), whose training messages are the
sidebar's Runs row (the session keeps the last for the snapshot)."""

from __future__ import annotations

from ..wing import Context, MagicSpec, Wing, arg
from .defaults import OWN_SIDE, OWN_TRAIN, SEED

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
        arg("--data", metavar="PATH", help="A folder with MNIST's IDX files, used in place of the shipped digits; "
                                           "for cnn and transfer also a folder of images in class folders, "
                                           "CIFAR-10's python batches or an .npz (see %%dldata), resized to "
                                           f"{OWN_SIDE} x {OWN_SIDE} and cut to {OWN_TRAIN['full']:,} training "
                                           f"images ({OWN_TRAIN['quick']:,} with --quick)."),
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
        same picture and summary. Under nbgrader's autograde or validate it trains briefly
        at --quick size on the CPU, and says so in a line.

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


TRAIN = MagicSpec(
    "train",
    cell=True,
    usage="%%train [--doctor on|off] [--quiet] [--no-live]",
    args=(
        arg("--doctor", metavar="on|off", help="The training doctor (default on): it names what goes wrong, "
                                                "with the evidence and the fix."),
        arg("--quiet", action="store_true", help="No live view: only the final picture (and the doctor's lines)."),
        arg("--no-live", action="store_true", help="Train here and now, in the cell (the controls need a live run)."),
    ),
    doc="""Watch your own PyTorch training loop live, with a doctor, and change nothing in it.

        Put %%train on top of a cell that trains a model the plain way (a model, an
        optimizer, a loss, loss.backward(), optimizer.step()). While it trains you see:

        - the loss, and for a classification the accuracy, of the training batches and of
          each validation pass (a forward under torch.no_grad() or model.eval() counts as
          validation), over the batches, with the epoch and the time left when the loop
          shows them (a `for epoch in range(N)` loop, a DataLoader);
        - a learning-rate slider that sets the optimizer's rate at its next step (a
          scheduler's changes move the slider), Pause, and Stop (the cell ends cleanly
          between steps and everything your loop made so far is kept);
        - the training doctor: what goes wrong, in words, with the evidence and the fix:
          unscaled inputs, a softmax before CrossEntropyLoss, a first loss far from
          ln(classes), a loss that explodes or turns NaN (and the first layer where it did),
          gradients piling up without zero_grad(), no optimizer step, an optimizer holding
          another model's weights, dead ReLUs, vanishing gradients, a learning rate too low,
          no learning at all, overfitting (from when). PyTorch's errors in the cell (a target
          of the wrong type, shapes that do not fit, two devices, out of memory) get one
          sentence with the fix, the original error one click away. A healthy loop gets no
          warning. docs/doctor.md lists each rule with its threshold.

        The run appears in the sidebar's Runs, with its Stop and the doctor's findings. At the
        end the dashboard becomes a picture that stays in the saved notebook: the curves, a
        confusion matrix for a classification, the findings and a summary, with the time spent
        in the watch ("the watch's hooks and the doctor ran for 1.0% of this run's time").

        Training runs in the background, so the controls answer; the next cell waits for it.
        The kernel's interrupt (the stop button, or I I) stops it and keeps the history.
        Headless (nbconvert, papermill) and in a terminal the cell trains at once and prints
        the doctor's findings as lines, then the final picture. Under nbgrader's autograde or
        validate your loop runs a few batches of its first epochs, seeded (the code after each
        loop as written), and says so in a line: a broken loop still fails.

        The result is returned: ``.history`` (each batch's loss, accuracy and learning rate,
        each evaluation, the epochs), ``.findings``, ``.final``, ``.plot()``, ``.to_dict()``.

        Examples::

          %%train
          for epoch in range(5):
              for x, y in loader:
                  optimizer.zero_grad()
                  loss = criterion(model(x), y)
                  loss.backward()
                  optimizer.step()

          %%train --doctor off --quiet
          ...
        """)


class TrainWing(Wing):
    name = "train"
    magics = (TRAIN_DEMO, TRAIN)
    frontend_messages = {"stop_training": set()}  # the sidebar's Stop

    def __init__(self, kernel):
        super().__init__(kernel)
        from .trainer import Trainer

        # its runs' training messages: the session keeps the last for the snapshot (protocol.kept)
        self.trainer = Trainer(kernel.publish, kernel.show, kernel.in_kernel)
        self.hooks = {"pre_run_cell": self.trainer.wait}  # a cell waits for the run training before it
        if kernel.on_interrupt is not None:
            kernel.on_interrupt(self.trainer.interrupt_between_cells)

    def run(self, name, args, ctx: Context):
        from . import command

        if name == "train":
            return command.train_cell(args, self.trainer, ctx)
        return command.train_demo(args, self.trainer, not args.no_live and ctx.watched)

    def handle(self, message: dict) -> None:
        self.trainer.stop_running()

    def close(self) -> None:
        self.trainer.close()


WING = TrainWing
