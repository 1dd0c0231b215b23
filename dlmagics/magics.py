"""The magics dlmagics registers, and its settings (``%config DLMagics``)."""

from __future__ import annotations

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments
from traitlets import Float, TraitError, observe, validate

from .bench.defaults import BUDGET_S, MIN_RUNS, ROUNDS, WARMUP
from .bench.history import RunHistory
from .monitor.sampler import HISTORY_S, INTERVAL_S, MAX_INTERVAL, MIN_INTERVAL, check_interval
from .lines import parse as _parse, refuse_long_lines
from .options import OptionError, bounded
from .quiz.desk import QuizDesk
from .session import KernelSession
from .timeline.command import snapshot_part as timeline_part
from .train.trainer import Trainer

# The magics whose result is what they show: a script prints it (see DLMagics._run).
PRINTED_IN_SCRIPTS = {"%gpumon", "%dlquiz", "%dltimeline"}
# Usage lines argparse cannot write (alternatives, a name first); the others come from the parsers.
TRAIN_USAGE = ("%train_demo NAME [--epochs N] [--lr LR] [--batch-size N] [--device DEVICE] [--seed N] "
               "[--data PATH] [--quick] [--no-live] | --list")
QUIZ_USAGE = ("%dlquiz [ID | PATH] [--mode practice|mastery|exam] | --reset ID | --score | "
              "--export csv|json PATH")
MIN_HISTORY, MAX_HISTORY = 600.0, 86400.0


class Seconds(Float):
    """A Float setting that refuses True and False (traitlets' Float takes them as 1.0 and 0.0)."""

    def validate(self, obj, value):
        if isinstance(value, bool):
            self.error(obj, value)
        return super().validate(obj, value)


@magics_class
class DLMagics(Magics):
    """dlmagics: magics for learning deep learning hands-on, and their settings."""

    monitor_interval = Seconds(
        INTERVAL_S, help=f"Seconds between GPU monitor samples ({MIN_INTERVAL:g} to {MAX_INTERVAL:g})."
    ).tag(config=True)
    monitor_history = Seconds(
        HISTORY_S, help=f"Seconds of GPU monitor history the kernel keeps for the sidebar ({MIN_HISTORY:g} to {MAX_HISTORY:g})."
    ).tag(config=True)

    def __init__(self, shell=None, **kwargs):
        from IPython.display import display

        super().__init__(shell=shell, **kwargs)
        self.session = KernelSession(shell, self.monitor_interval, self.monitor_history)
        in_kernel = self.session.channel.active
        self.trainer = Trainer(self.session.publish, display, in_kernel)
        self.quizzes = QuizDesk(self.session.publish, display)
        self.bench_history = RunHistory()  # each cell's earlier %%gpubench medians: a repeat's spread
        self.session.snapshot_parts += [self.quizzes.snapshot_part, timeline_part]
        self.session.handlers["stop_training"] = self.trainer.stop_running

    def _run(self, name: str, usage: str, command, *args):
        """_call, and in a script (``ipython script.ipy`` runs the file silently: no result is
        ever displayed) print the result of the magics whose result is what they show
        (%%gpubench and %train_demo display theirs)."""
        result = _call(name, usage, command, *args)
        if name in PRINTED_IN_SCRIPTS and result is not None and _in_script(self.shell):
            text = self.shell.display_formatter.format(result)[0].get("text/plain")
            print(text if text is not None else repr(result))
        return result

    @validate("monitor_interval")
    def _check_interval(self, proposal):
        try:
            return check_interval(proposal["value"])
        except ValueError as error:
            raise TraitError(f"DLMagics.monitor_interval: {error}") from None

    @validate("monitor_history")
    def _check_history(self, proposal):
        value = proposal["value"]
        try:
            return bounded(value, float, MIN_HISTORY, MAX_HISTORY,
                           f"DLMagics.monitor_history must be {MIN_HISTORY:g} to {MAX_HISTORY:g} seconds, got {value!r}")
        except OptionError as error:
            raise TraitError(str(error)) from None

    @observe("monitor_interval")
    def _interval_changed(self, change):
        if hasattr(self, "session"):
            self.session.set_interval(change["new"])

    @observe("monitor_history")
    def _history_changed(self, change):
        if hasattr(self, "session"):
            self.session.set_history_seconds(change["new"])

    @magic_arguments()
    @argument("--start", action="store_true",
              help="Start the background monitor (it also feeds the sidebar) and show a live table here.")
    @argument("--stop", action="store_true",
              help="Stop the background monitor; the sidebar keeps the history it has.")
    @argument("--interval", metavar="SECONDS",
              help=f"Seconds between samples, {MIN_INTERVAL:g} to {MAX_INTERVAL:g} (default {INTERVAL_S:g}; "
                   "also %%config DLMagics.monitor_interval).")
    @line_magic
    def gpumon(self, line=""):
        """Show the GPUs this kernel can see: memory, utilisation, temperature, power,
        and this kernel's own PyTorch memory (allocated, reserved, peak).

        Without a GPU it says why (no driver, no GPU visible, a driver problem) and
        shows what is true on any machine: the kernel process's memory and CPU share.

        The monitor reads NVML in the kernel, so it respects CUDA_VISIBLE_DEVICES and
        works for remote kernels. It never initialises CUDA itself and never resets
        PyTorch's peak counters. The dlmagics sidebar in JupyterLab shows the same
        figures live, with the last minutes of history.

        Examples::

          %gpumon                  # a snapshot table
          %gpumon --start          # run the monitor, with a live table in this cell
          %gpumon --interval 0.5   # sample twice a second
          %gpumon --stop
          snap = %gpumon           # snap.to_dict() gives the numbers
        """
        from IPython.display import display

        from .monitor import command

        usage = _usage(self.gpumon, "%gpumon")
        args = _parse(self.gpumon, line, usage)
        return self._run("%gpumon", usage, command.gpumon, args, self.session,
                     lambda seconds: setattr(self, "monitor_interval", seconds), display)

    @magic_arguments()
    @argument("-d", "--devices", metavar="DEVICES",
              help="Comma-separated: cpu (all threads), cpu:N (N threads), cuda, cuda:N, mps. "
                   "Default: cpu and every GPU there is.")
    @argument("--dtype", metavar="DTYPE",
              help="float32 (strict, TF32 off), tf32, bfloat16, float16 or float64: the cell's `dtype` and "
                   "the default for new tensors. Default: float32 under the kernel's TF32 setting.")
    @argument("--budget", metavar="S", help=f"Seconds per device for the runs after the first call (the rest of the "
                                             f"warm-up, then timed runs), more than 0 (default {BUDGET_S:g}), in "
                                             f"{ROUNDS} blocks the devices take in turn; a block stops earlier once its "
                                             "median is pinned within 1%%, the run later when --min-runs runs take longer.")
    @argument("--warmup", metavar="N", help=f"Untimed runs first (default {WARMUP}); the first is shown as the "
                                            "first-call cost.")
    @argument("--min-runs", metavar="N", help=f"Timed runs at least, whatever the budget (default {MIN_RUNS}).")
    @argument("--sweep", metavar="VAR=v1,v2,...",
              help="Run the cell for each value of VAR and plot time and speedup against it.")
    @argument("--no-check", action="store_true", help="Do not compare the devices' outputs.")
    @argument("--save", metavar="PATH", help="Write the result as JSON.")
    @argument("--compare", metavar="PATH", help="Set the result against one saved with --save.")
    @argument("-q", "--quiet", action="store_true", help="Show nothing; the result is in _gpubench.")
    @cell_magic
    def gpubench(self, line="", cell=""):
        """Time the cell's PyTorch code on every device, with figures you can trust.

        Code above a line that is just ``# timed`` is setup: it runs once per device and
        is not timed. The rest is timed. The cell gets ``torch``, ``nn``, ``device`` and
        ``dtype`` for each run, so write ``.to(device)`` and ``device=device``::

          %%gpubench
          x = torch.randn(4096, 4096, device=device)
          # timed
          y = x @ x

        For each device it shows the median time with its 95% interval (where a repeat
        run's median should fall: built from the spread of its blocks of runs and of this
        cell's earlier runs in the kernel) and IQR, the runs, the first-call cost, the
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
        others still run; Ctrl-C keeps what was measured.

        The result is returned (so ``_`` holds it) and kept in ``_gpubench``: ``.to_dict()``,
        ``.save(path)``, ``.compare(path)``. Examples::

          %%gpubench -d cpu,cpu:1 --sweep n=256,512,1024 --budget 0.5
          %%gpubench --dtype bfloat16 --save h200.json
          %%gpubench --compare h200.json
          %%gpubench -d {devices}         # IPython puts in the value of a Python variable
        """
        from .bench import command

        usage = _usage(self.gpubench, "%%gpubench")
        args = _parse(self.gpubench, line, usage)
        from IPython.display import display

        show = display if _interactive(self.shell) else None  # a progress line for a person waiting
        return self._run("%%gpubench", usage, command.gpubench, args, cell, self.shell.user_ns, self.session.publish, show,
                         self.bench_history, _cell_id(self.shell))

    @magic_arguments()
    @argument("name", nargs="?", help="The demo: xor, vanishing, dropout, batchnorm, optimizers, resnet, rbm, "
                                      "dbn, mnist, cnn, datascale, hardware or transfer.")
    @argument("--list", action="store_true", help="List the demos with their dates and lessons.")
    @argument("--epochs", metavar="N", help="Passes over the training data (each demo has its own default).")
    @argument("--lr", metavar="LR", help="Learning rate, above 0 and at most 10; the slider changes it live.")
    @argument("--batch-size", metavar="N", help="Examples per step.")
    @argument("--device", metavar="DEVICE", help="cpu (default), cuda, cuda:N or mps; for the hardware demo, a "
                                                 "list like cpu:1,cpu,cuda.")
    @argument("--seed", metavar="N", help="Data order and initial weights (default 0): the same seed gives the "
                                          "same numbers on the CPU.")
    @argument("--data", metavar="PATH", help="A folder with MNIST's IDX files, used in place of the shipped digits.")
    @argument("--quick", action="store_true", help="A shorter run (the size the test suite checks).")
    @argument("--no-live", action="store_true", help="Train here and now with no controls, and leave the final picture.")
    @line_magic
    def train_demo(self, line=""):
        """Run one of the experiments that made deep learning work, live, as a race.

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
        """
        from .train import command

        args = _parse(self.train_demo, line, TRAIN_USAGE)
        live = not args.no_live and _interactive(self.shell)
        return self._run("%train_demo", TRAIN_USAGE, command.train_demo, args, self.trainer, live)

    @magic_arguments()
    @argument("name", nargs="?", help="A quiz id (see the list) or the path of a quiz file (.yaml, .json, "
                                      "or a jupyterquiz .json list).")
    @argument("--mode", metavar="MODE", help="practice (default: feedback at once, retry, hints, the solution after "
                                             "a few tries), mastery (what you got right is locked; retry the rest) "
                                             "or exam (no feedback until you submit; limited submissions).")
    @argument("--reset", metavar="ID", help="Start the quiz afresh (earlier answers stay in the file, uncounted).")
    @argument("--score", action="store_true", help="A table of every quiz: answered, correct, score.")
    @argument("--export", nargs=2, metavar=("FORMAT", "PATH"), help="Write one row per question as csv or json.")
    @line_magic
    def dlquiz(self, line=""):
        """Quizzes on the deep-learning revolution, graded in this kernel, progress kept.

        With no arguments it lists the quizzes with your progress. ``%dlquiz ID`` shows one:
        answer, press Check, and the feedback comes at once, with the explanation when you
        are right. Hints come one level at a time; the solution is offered after a few
        tries. Question types: single choice, multiple select (partial credit), numbers
        (within a tolerance; 36.4, 36.4%, 1/3 and 2.5e6 all read), text, and code (define a
        function in a cell and the quiz tests it).

        Every answer is saved before its feedback shows, in a JSON Lines file in Jupyter's
        data directory (or $DLMAGICS_QUIZ_STORE), so your progress survives restarts.
        Editing a quiz starts its progress afresh. The JupyterLab sidebar shows each quiz of
        the notebook with its score; click one to scroll to it.

        Grading happens in the kernel and the answer key never goes to the page, but the
        kernel is yours: this is for learning, not an exam server.

        Examples::

          %dlquiz                          # the quizzes and your progress
          %dlquiz why-now
          %dlquiz gpus --mode exam
          %dlquiz my_quiz.yaml             # your own quiz (docs/quiz-format.md)
          %dlquiz questions.json           # a jupyterquiz file
          %dlquiz --score
          %dlquiz --export csv progress.csv
          %dlquiz --reset why-now
        """
        from .quiz import command

        args = _parse(self.dlquiz, line, QUIZ_USAGE)
        return self._run("%dlquiz", QUIZ_USAGE, command.dlquiz, args, self.quizzes, self.shell.user_ns, _cell_id(self.shell))

    @magic_arguments()
    @argument("--from", dest="first", metavar="YEAR", help="The first year to show.")
    @argument("--to", dest="last", metavar="YEAR", help="The last year to show.")
    @line_magic
    def dltimeline(self, line=""):
        """The history of deep learning, from the logical neuron (1943) to ChatGPT (2022), as
        a timeline in the cell: each event with its date, a summary, its primary source, and
        the demos and quizzes that belong to it.

        It is the same timeline the JupyterLab sidebar shows, as static HTML for frontends
        without the sidebar (Notebook 7, VS Code, Colab) and for the saved notebook. The
        result's ``.to_dict()`` gives the events as data. Examples::

          %dltimeline
          %dltimeline --from 2006 --to 2015
        """
        from .timeline import command

        usage = _usage(self.dltimeline, "%dltimeline")
        args = _parse(self.dltimeline, line, usage)
        return self._run("%dltimeline", usage, command.dltimeline, args)


def _cell_id(shell) -> str | None:
    """The id of the cell being run: JupyterLab and Notebook 7 send it in the request's metadata."""
    kernel = getattr(shell, "kernel", None)
    try:
        parent = kernel.get_parent("shell") if kernel is not None else {}
    except TypeError:  # ipykernel 6
        parent = kernel.get_parent()
    except Exception:
        return None
    cell_id = (parent or {}).get("metadata", {}).get("cellId")
    return cell_id if isinstance(cell_id, str) else None


def _interactive(shell) -> bool:
    """True in a frontend a person is using; False headless (nbclient/nbconvert/papermill
    start the kernel with an in-memory history and send allow_stdin=False) or in a terminal.
    Voila runs its cells through nbclient too, but a person is looking at the page: its
    server puts VOILA_BASE_URL in the environment of each kernel it starts (preheated ones too)."""
    import importlib.util
    import os

    kernel = getattr(shell, "kernel", None)
    if kernel is None or os.environ.get("DLMAGICS_HEADLESS"):
        return False
    headless = getattr(shell.history_manager, "hist_file", None) == ":memory:" or not getattr(kernel, "_allow_stdin", True)
    if headless and not os.environ.get("VOILA_BASE_URL"):
        return False
    return importlib.util.find_spec("ipywidgets") is not None  # the dashboard (a view) imports it


def _in_script(shell) -> bool:
    """True while ``ipython FILE`` runs a file (not with -i, not in a kernel)."""
    app = getattr(shell, "parent", None)
    return (getattr(shell, "kernel", None) is None and bool(getattr(app, "file_to_run", ""))
            and not getattr(app, "interact", True))


def _call(name: str, usage: str, command, *args):
    """Run a wing's command; its OptionError becomes a one-line UsageError that names the magic
    (and, unless the problem is the cell's own, ends in the usage line)."""
    try:
        return command(*args)
    except OptionError as error:
        raise UsageError(f"{name}: {error}" + (f". Usage: {usage}" if error.with_usage else "")) from None


def _usage(magic, prog: str) -> str:
    """The magic's usage line on one line, as its parser writes it (so it follows the options)."""
    words = magic.parser.format_usage().replace("::", " ").split()
    return " ".join([prog] + words[1:])


def load(ipython) -> DLMagics:
    """Register the magics once per shell and open the sidebar channel."""
    existing = ipython.magics_manager.registry.get(DLMagics.__name__)
    if existing is not None:
        return existing
    try:
        magics = DLMagics(shell=ipython)
    except TraitError as error:
        # A bad %config value stays in the shell's config; don't let it block loading.
        print(f"dlmagics: ignoring bad settings ({error}); using the defaults.")
        ipython.config.DLMagics = type(ipython.config)()
        _drop_configurables(ipython)  # Magics.__init__ listed the failed instance already
        magics = DLMagics(shell=ipython)
    ipython.register_magics(magics)
    ipython.events.register("pre_run_cell", magics.trainer.wait)
    if refuse_long_lines not in ipython.input_transformers_cleanup:
        ipython.input_transformers_cleanup.append(refuse_long_lines)
    magics.session.open()
    return magics


def unload(ipython) -> None:
    magics = ipython.magics_manager.registry.pop(DLMagics.__name__, None)
    if magics is None:
        return
    try:
        ipython.events.unregister("pre_run_cell", magics.trainer.wait)
    except ValueError:
        pass
    if refuse_long_lines in ipython.input_transformers_cleanup:
        ipython.input_transformers_cleanup.remove(refuse_long_lines)
    magics.trainer.close()
    magics.session.close()
    for kind, names in magics.magics.items():
        for name in names:
            ipython.magics_manager.magics[kind].pop(name, None)
    _drop_configurables(ipython)


def _drop_configurables(ipython) -> None:
    if hasattr(ipython, "configurables"):
        ipython.configurables[:] = [c for c in ipython.configurables if not isinstance(c, DLMagics)]
