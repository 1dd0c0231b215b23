"""A %%train cell's code, made ready to run: its loops marked so the run can count epochs and
batches, with the learner's own lines kept (a traceback points at what they wrote).

The epoch loop is the first loop at the cell's top level that holds another loop or a
``.backward()``; the batch loop is the innermost loop around a ``.backward()`` (also inside
a function the cell defines). Their iterables are wrapped in ``LOOP(iterable, role)``,
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
    functions_training = {f.name for f in ast.walk(tree) if isinstance(f, ast.FunctionDef) and _calls(f, "backward")}

    def trains(node: ast.AST) -> bool:
        return _calls(node, "backward") or any(
            isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in functions_training
            for n in ast.walk(node))

    # the batch loop: a loop around backward() with no such loop inside it (or, when the
    # backward is in a function the cell defines, a loop around a call of it)
    def innermost(test):
        return [n for n in ast.walk(tree) if isinstance(n, ast.For) and test(n) and not any(test(i) for i in _loops(n))]

    batch_loops = innermost(lambda n: _calls(n, "backward")) or innermost(trains)
    epoch_loop = next((n for n in tree.body if isinstance(n, ast.For) and trains(n) and n not in batch_loops), None)
    for loop in batch_loops[:1]:
        _wrap(loop, "batch")
    if epoch_loop is not None and epoch_loop not in batch_loops[:1]:
        _wrap(epoch_loop, "epoch")
    ast.fix_missing_locations(tree)
    return Prepared(compile(tree, FILENAME, "exec"), trains(tree) or _calls(tree, "step") or _has_calls(tree),
                    epoch_loop is not None, bool(batch_loops))


def _has_calls(tree: ast.AST) -> bool:
    return any(isinstance(n, ast.Call) for n in ast.walk(tree))
