"""Which view draws which result.

Results never import their views: a view imports the result it draws and registers itself
with ``@draws(ResultType, mime)``; a result's rich display asks ``render(self, mime)``. The
view modules of a wing are named in its package's ``VIEWS`` (module names in the package)
and imported on first use, so a result stays light to import and the import graph has no
circle (tests/test_imports.py walks it).
"""

from __future__ import annotations

import importlib
from typing import Callable

_drawers: dict[tuple[type, str], Callable] = {}
_imported: set[str] = set()


def draws(result_type: type, mime: str = "text/html"):
    """Register the decorated function as what draws ``result_type`` as ``mime``."""

    def register(function: Callable) -> Callable:
        _drawers[(result_type, mime)] = function
        return function

    return register


def drawer(result_type: type, mime: str = "text/html") -> Callable | None:
    """The function registered for the type (or the nearest base class), importing the views
    of each class's package the first time it is asked for."""
    for klass in result_type.__mro__:
        _import_views(klass.__module__)
        found = _drawers.get((klass, mime))
        if found is not None:
            return found
    return None


def render(result, mime: str = "text/html"):
    """The result drawn as ``mime`` by its registered view; None when none is registered."""
    function = drawer(type(result), mime)
    return None if function is None else function(result)


def _import_views(module: str) -> None:
    package = module.rpartition(".")[0]  # a result's package was imported with it: no new import
    if not package or package in _imported:
        return
    _imported.add(package)
    for name in getattr(importlib.import_module(package), "VIEWS", ()):
        importlib.import_module(f"{package}.{name}")
