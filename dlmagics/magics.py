"""The magics dlmagics registers, built from its wings (wing.py), and its settings
(``%config DLMagics``): parse the line, call the wing, map errors to one-line UsageErrors."""

from __future__ import annotations

from IPython.core.error import UsageError
from IPython.core.magic import Magics, magics_class
from IPython.core.magic_arguments import argument, magic_arguments
from traitlets import Float, TraitError, observe, validate

from .lines import LongLines, parse as _parse
from .monitor.sampler import HISTORY_S, INTERVAL_S, MAX_INTERVAL, MIN_INTERVAL, check_interval
from .options import OptionError, bounded
from .session import KernelSession
from .wing import Context, Kernel, MagicSpec, Wing, find_wings

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
        self.session = KernelSession(shell)
        self.kernel = Kernel(self.session.publish, display, self.session.channel.active, settings=self,
                             on_interrupt=interrupts_between_cells(shell))
        self.long_lines = LongLines()  # refuses an over-long line of any of these magics
        self.wings: dict[str, Wing] = {}
        for wing in find_wings():
            self.add_wing(wing)

    def add_wing(self, wing_class: type) -> Wing:
        """Make the wing for this kernel and take its magics, snapshot part, frontend
        messages and hooks (a wing added after %load_ext is registered with the shell at once)."""
        taken = {spec.name for w in self.wings.values() for spec in w.magics}
        clash = [spec.prog for spec in wing_class.magics if spec.name in taken]
        if wing_class.name in self.wings or clash:
            raise ValueError(f"dlmagics: a wing named {wing_class.name!r} or the magics {clash} are taken already")
        wing = wing_class(self.kernel)
        self.wings[wing.name] = wing
        self.session.wings.append(wing)
        registered = self.shell is not None and self.shell.magics_manager.registry.get(type(self).__name__) is self
        for spec in wing.magics:
            kind = "cell" if spec.cell else "line"
            magic = self._magic(wing, spec)
            self.magics[kind][spec.name] = magic
            self.long_lines.names.add(spec.name)
            if registered:
                self.shell.magics_manager.magics[kind][spec.name] = magic
        if registered:
            self._hook(wing, "register")
        return wing

    def wing(self, name: str) -> Wing:
        return self.wings[name]

    def _magic(self, wing: Wing, spec: MagicSpec):
        """The IPython magic of a spec: its options parsed into a one-line UsageError, its
        docstring the %name? help (with the options), its work the wing's run."""

        def magic(line="", cell=None):
            from IPython.display import display

            args = _parse(magic, line, usage)
            ctx = Context(self.shell.user_ns, self.session.publish, display, _cell_id(self.shell),
                          _interactive(self.shell), cell or "", line)
            result = _call(spec.prog, usage, wing.run, spec.name, args, ctx)
            if spec.printed_in_scripts and result is not None and _in_script(self.shell):
                # `ipython script.ipy` runs the file silently: no result is ever displayed
                text = self.shell.display_formatter.format(result)[0].get("text/plain")
                print(text if text is not None else repr(result))
            return result

        with_options(magic, spec)
        usage = spec.usage or _usage(magic, spec.prog)
        return magic

    def _hook(self, wing: Wing, how: str) -> None:
        for event, callback in wing.hooks.items():
            try:
                getattr(self.shell.events, how)(event, callback)
            except ValueError:  # unregistering one that is not there
                pass

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
        if "monitor" in getattr(self, "wings", {}):
            self.wings["monitor"].set_interval(change["new"])

    @observe("monitor_history")
    def _history_changed(self, change):
        if "monitor" in getattr(self, "wings", {}):
            self.wings["monitor"].set_history_seconds(change["new"])


def with_options(function, spec: MagicSpec):
    """Give a function the spec's name, options (``function.parser``) and docstring (the help
    followed by the options), as IPython's @magic_arguments and @argument decorators do."""
    function.__name__ = function.__qualname__ = spec.name
    function.__doc__ = spec.doc
    for one in reversed(spec.args):  # IPython adds the last decorator's argument first
        argument(*one.flags, **one.options)(function)
    return magic_arguments()(function)


def interrupts_between_cells(shell):
    """A way to hear the kernel's interrupt while no cell runs (a run training in the
    background stops at it), or None. ipykernel ignores SIGINT between cells: before each
    cell it saves the handler it finds in ``saved_sigint_handler`` and puts it back after,
    so a handler placed there is the one between cells, and cells keep Ctrl-C as it is."""
    import signal

    kernel = getattr(shell, "kernel", None)
    if kernel is None or not hasattr(kernel, "saved_sigint_handler"):
        return None
    handlers: list = []

    def listen(handler) -> None:
        if not handlers:
            previous = kernel.saved_sigint_handler

            def on_sigint(signum, frame):
                if not any(h() for h in handlers) and callable(previous):
                    previous(signum, frame)

            kernel.saved_sigint_handler = on_sigint
            if signal.getsignal(signal.SIGINT) is previous:  # called between cells: take effect now
                signal.signal(signal.SIGINT, on_sigint)
        if handler not in handlers:
            handlers.append(handler)

    return listen


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
    for wing in magics.wings.values():
        magics._hook(wing, "register")
    ipython.input_transformers_cleanup.append(magics.long_lines)
    magics.session.open()
    return magics


def unload(ipython) -> None:
    magics = ipython.magics_manager.registry.pop(DLMagics.__name__, None)
    if magics is None:
        return
    for wing in magics.wings.values():
        magics._hook(wing, "unregister")
    if magics.long_lines in ipython.input_transformers_cleanup:
        ipython.input_transformers_cleanup.remove(magics.long_lines)
    magics.session.close()
    for kind, names in magics.magics.items():
        for name in names:
            ipython.magics_manager.magics[kind].pop(name, None)
    _drop_configurables(ipython)


def _drop_configurables(ipython) -> None:
    if hasattr(ipython, "configurables"):
        ipython.configurables[:] = [c for c in ipython.configurables if not isinstance(c, DLMagics)]
