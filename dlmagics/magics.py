"""The magics dlmagics registers, and its settings (``%config DLMagics``)."""

from __future__ import annotations

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring
from traitlets import Float, TraitError, observe, validate

from .monitor.sampler import MAX_INTERVAL, MIN_INTERVAL, check_interval
from .session import KernelSession

GPUMON_USAGE = "%gpumon [--start | --stop] [--interval SECONDS]"
MIN_HISTORY, MAX_HISTORY = 600.0, 86400.0


@magics_class
class DLMagics(Magics):
    """dlmagics: magics for learning deep learning hands-on, and their settings."""

    monitor_interval = Float(
        1.0, help=f"Seconds between GPU monitor samples ({MIN_INTERVAL:g} to {MAX_INTERVAL:g})."
    ).tag(config=True)
    monitor_history = Float(
        900.0, help=f"Seconds of GPU monitor history the kernel keeps for the sidebar ({MIN_HISTORY:g} to {MAX_HISTORY:g})."
    ).tag(config=True)

    def __init__(self, shell=None, **kwargs):
        super().__init__(shell=shell, **kwargs)
        self.session = KernelSession(shell, self.monitor_interval, self.monitor_history)

    @validate("monitor_interval")
    def _check_interval(self, proposal):
        try:
            return check_interval(proposal["value"])
        except ValueError as error:
            raise TraitError(f"DLMagics.monitor_interval: {error}") from None

    @validate("monitor_history")
    def _check_history(self, proposal):
        value = proposal["value"]
        if not MIN_HISTORY <= value <= MAX_HISTORY:
            raise TraitError(f"DLMagics.monitor_history must be {MIN_HISTORY:g} to {MAX_HISTORY:g} seconds, got {value!r}")
        return value

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
              help=f"Seconds between samples, {MIN_INTERVAL:g} to {MAX_INTERVAL:g} (default 1; "
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
        args = _parse(self.gpumon, line, GPUMON_USAGE)
        if args.start and args.stop:
            raise UsageError(f"%gpumon: give --start or --stop, not both. Usage: {GPUMON_USAGE}")
        if args.interval is not None:
            try:
                self.monitor_interval = check_interval(args.interval)
            except ValueError as error:
                raise UsageError(f"%gpumon --interval: {error}") from None
        if args.stop:
            self.session.stop()
            return self.session.current()
        if args.start:
            self.session.start()
            if self.session.channel.active:
                from IPython.display import display

                display(self.session.live_view())
                return None
        return self.session.current()


def _parse(magic, line: str, usage: str):
    """parse_argstring, with errors that end in the usage line."""
    try:
        return parse_argstring(magic, line)
    except UsageError as error:
        name = magic.__name__
        raise UsageError(f"%{name}: {error}. Usage: {usage}") from None


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
    magics.session.open()
    return magics


def unload(ipython) -> None:
    magics = ipython.magics_manager.registry.pop(DLMagics.__name__, None)
    if magics is None:
        return
    magics.session.close()
    for kind, names in magics.magics.items():
        for name in names:
            ipython.magics_manager.magics[kind].pop(name, None)
    _drop_configurables(ipython)


def _drop_configurables(ipython) -> None:
    if hasattr(ipython, "configurables"):
        ipython.configurables[:] = [c for c in ipython.configurables if not isinstance(c, DLMagics)]
