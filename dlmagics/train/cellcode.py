"""A %%train cell's code, made ready to run: its loops marked so the run can count epochs and
batches, with the learner's own lines kept (a traceback points at what they wrote).

A batch loop is an innermost loop around a ``.backward()`` or a call of a function of the
cell that takes one step; the epoch loop is the first loop at the cell's top level that holds
a batch loop or calls a function of the cell that runs one. Their iterables are wrapped in
``LOOP(iterable, role)``,
which yields the same items and tells the run where it stands; ``enumerate(x)`` is wrapped
inside, so ``len(x)`` stays known. Nothing else in the code changes.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

LOOP = "__dlmagics_loop__"  # the wrapper's name in the namespace while the cell runs
FILENAME = "<%%train cell>"


@dataclass
class Prepared:
    code: object  # the compiled cell
    trains: bool  # it calls .backward() or .step() somewhere (or calls a function: it may)
    epoch_loop: bool
    batch_loop: bool


def passthrough(iterable, role: str):
    """What the wrapper is once the cell is done: a function the cell defined may run its
    loop later, in a cell without %%train."""
    return iterable


def _calls(node: ast.AST, attribute: str) -> bool:
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == attribute
               for n in ast.walk(node))


def _loops(node: ast.AST) -> list[ast.For]:
    return [n for n in ast.walk(node) if isinstance(n, (ast.For, ast.AsyncFor)) and n is not node]


def _wrap(loop: ast.For, role: str) -> None:
    target = loop.iter
    if isinstance(target, ast.Call) and isinstance(target.func, ast.Name) and target.func.id == "enumerate" and target.args:
        target.args[0] = _call(target.args[0], role)
    else:
        loop.iter = _call(target, role)


def _call(value: ast.expr, role: str) -> ast.Call:
    call = ast.Call(ast.Name(LOOP, ast.Load()), [value, ast.Constant(role)], [])
    return ast.copy_location(call, value)


def prepare(code: str) -> Prepared:
    """Parse and compile the cell (a SyntaxError is the learner's, raised as it is)."""
    tree = ast.parse(code, FILENAME)
    functions = [f for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))]
    # the cell's own functions that take one step (backward, no loop around it) or run a whole epoch
    step_functions = {f.name for f in functions if _calls(f, "backward")
                      and not any(_calls(loop, "backward") for loop in _loops(f))}
    epoch_functions = {f.name for f in functions if any(_calls(loop, "backward") for loop in _loops(f))}

    def steps(node: ast.AST) -> bool:  # it trains a step: backward(), or a call of a step function
        return _calls(node, "backward") or _calls_named(node, step_functions)

    batch_loops = [n for n in ast.walk(tree) if isinstance(n, ast.For) and steps(n)
                   and not any(steps(inner) for inner in _loops(n))]
    epoch_loop = next((n for n in tree.body if isinstance(n, ast.For) and n not in batch_loops
                       and (steps(n) or _calls_named(n, epoch_functions))), None)
    for loop in batch_loops:
        _wrap(loop, "batch")
    if epoch_loop is not None:
        _wrap(epoch_loop, "epoch")
    ast.fix_missing_locations(tree)
    trains = steps(tree) or _calls(tree, "step") or _has_calls(tree)
    return Prepared(compile(tree, FILENAME, "exec"), trains, epoch_loop is not None, bool(batch_loops))


def _calls_named(node: ast.AST, names: set[str]) -> bool:
    return bool(names) and any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in names
                               for n in ast.walk(node))


def _has_calls(tree: ast.AST) -> bool:
    return any(isinstance(n, ast.Call) for n in ast.walk(tree))
