"""The one shape of a wing (bench, train, quiz, monitor, timeline, and any added later).

A wing is a package with a ``wing.py`` that defines ``WING``, a subclass of ``Wing``:

- ``magics``: its magics as light metadata (name, line or cell, the ``%name?`` help, the
  options): magics.py builds the IPython magics from them without importing the wing's core;
- ``run(name, args, ctx)``: one magic's work, from parsed options to the result the cell
  shows (or None); bad input raises an ``OptionError`` whose one line says what is allowed;
- ``snapshot_part()``: its section of the snapshot, so a reloaded page rebuilds it;
- ``frontend_messages``: the sidebar messages it handles, each with the keys it may carry,
  and ``handle(message)``;
- ``hooks``: IPython events it listens to (``{"pre_run_cell": callable}``, set when it is
  made); ``close()``.

A wing owns its per-kernel state (bench its run history, train its Trainer, the monitor its
sampler). It never imports IPython, ipywidgets or the channel: it gets ``Kernel`` (publish to
the sidebar, display, settings) when made and a ``Context`` with each call. magics.py finds
the wings (``find_wings``) and ``DLMagics.add_wing`` adds one from anywhere (a test fixture).
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Arg:
    """One option or argument, as ``argparse.add_argument`` takes it."""

    flags: tuple[str, ...]
    options: dict


def arg(*flags: str, **options) -> Arg:
    return Arg(flags, options)


@dataclass(frozen=True)
class MagicSpec:
    name: str  # without the %
    doc: str  # the %name? help
    args: tuple[Arg, ...] = ()
    cell: bool = False  # a cell magic (%%name) rather than a line magic
    usage: str | None = None  # a usage line argparse cannot write (alternatives, a name first)
    printed_in_scripts: bool = False  # its result is what it shows: `ipython script.ipy` prints it

    @property
    def prog(self) -> str:
        return ("%%" if self.cell else "%") + self.name


@dataclass
class Kernel:
    """What the kernel lends every wing for its lifetime."""

    publish: Callable[[dict], None]  # a message (built in protocol.py) to the sidebar, from any thread
    show: Callable  # IPython's display
    in_kernel: bool  # a Jupyter kernel (a sidebar may listen, threads may run on), not a terminal
    settings: object = None  # the DLMagics configurable: %config DLMagics.*
    # on_interrupt(handler): the kernel's interrupt (its stop button) calls handler() while no
    # cell runs; handler returns True when it used it. None outside a Jupyter kernel.
    on_interrupt: Callable[[Callable[[], bool]], None] | None = None


@dataclass
class Context:
    """What one magic call gets."""

    namespace: dict  # the user's namespace
    publish: Callable[[dict], None]
    show: Callable
    cell_id: str | None = None  # the notebook cell being run, when the frontend said
    watched: bool = False  # a person is looking (a frontend), not a headless run or a script
    cell: str = ""  # a cell magic's body
    line: str = ""  # the options the magic was called with, as typed (IPython's {var} put in)


class Wing:
    name = ""
    magics: tuple[MagicSpec, ...] = ()
    frontend_messages: dict[str, set] = {}  # message type -> the keys it may carry besides "type"

    def __init__(self, kernel: Kernel):
        self.kernel = kernel
        self.hooks: dict[str, Callable] = {}  # IPython event -> callback: set them in the wing's __init__

    def run(self, name: str, args, ctx: Context):
        raise NotImplementedError(f"{type(self).__name__} has no magic {name}")

    def snapshot_part(self) -> dict:
        return {}

    def handle(self, message: dict) -> None:
        """A frontend message of one of ``frontend_messages``' types (checked by protocol.py)."""

    def close(self) -> None:
        """The extension is unloaded: stop threads, release what the wing holds."""


def find_wings(package: str = __package__) -> list[type]:
    """Each ``<package>.<subpackage>.wing.WING``, in alphabetical order of the subpackages;
    importing them is light (no torch, no ipywidgets: those come when a magic runs)."""
    root = importlib.import_module(package)
    wings = []
    for info in sorted(pkgutil.iter_modules(root.__path__), key=lambda i: i.name):
        if info.ispkg and importlib.util.find_spec(f"{package}.{info.name}.wing") is not None:
            wings.append(importlib.import_module(f"{package}.{info.name}.wing").WING)
    return wings
