"""Split a %%gpubench cell into setup (run once per device, not timed) and the timed part.

The marker is a line that is just the comment ``# timed``. Code above it is setup; code
below it is timed. Without a marker the whole cell is timed (and the report must say that
setup is included). Line numbers are kept, so an error points at the cell's own line.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from types import CodeType

from .hand_timing import hand_timing

MARKER = "# timed"
FILENAME = "<gpubench cell>"
INJECTED = ("device", "dtype")  # names %%gpubench sets for each run


class CellError(ValueError):
    """The cell cannot be benchmarked as written; the message says why in one line."""


class TimesItself(CellError):
    """The cell times itself by hand; the message says so in a line and shows the cell as
    %%gpubench wants it (so it has more than one line). ``rewrite`` says it again under
    the learner's options line."""

    def __init__(self, rewrite):
        super().__init__(rewrite.message())
        self.rewrite = rewrite


@dataclass(frozen=True)
class SplitCell:
    setup: CodeType | None  # None when the cell has no setup part
    timed: CodeType
    has_marker: bool
    timed_source: str
    setup_source: str | None = None


def split_cell(source: str, filename: str = FILENAME) -> SplitCell:
    rewrite = hand_timing(source)  # before any other check: its message says all of what to change
    if rewrite is not None:
        raise TimesItself(rewrite)
    lines = source.splitlines()
    marks = [i for i, line in enumerate(lines) if line.strip() == MARKER]
    if len(marks) > 1:
        raise CellError(f"the cell has {len(marks)} '{MARKER}' lines (at lines "
                        f"{', '.join(str(i + 1) for i in marks)}); use one, above the code to time")
    if marks:
        cut = marks[0]
        setup_src, timed_src = "\n".join(lines[:cut]), "\n".join(lines[cut + 1:])
        offset = cut + 1
    else:
        setup_src, timed_src, offset = "", source, 0
    if not timed_src.strip():
        raise CellError(f"nothing to time: put the code to time below the '{MARKER}' line")
    setup = _compile(setup_src, filename) if setup_src.strip() else None
    # Blank lines in front keep the timed part's line numbers those of the cell.
    timed = _compile("\n" * offset + timed_src, filename)
    _check_portable(source)
    return SplitCell(setup=setup, timed=timed, has_marker=bool(marks), timed_source=timed_src,
                     setup_source=setup_src if setup_src.strip() else None)


def _check_portable(source: str) -> None:
    """Refuse code that would pin every run to one device (the seeds' snippets do both)."""
    for node in ast.walk(ast.parse(source)):
        targets = node.targets if isinstance(node, ast.Assign) else (
            [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else [])
        for target in targets:
            if isinstance(target, ast.Name) and target.id in INJECTED:
                raise CellError(f"line {node.lineno} sets '{target.id}' itself; %%gpubench sets device and "
                                "dtype for each run, so remove that line")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "cuda":
            raise CellError(f"line {node.lineno} calls .cuda(), which puts every run on the GPU; "
                            "use .to(device) so each device gets its own run")


def _compile(source: str, filename: str) -> CodeType:
    try:
        return compile(source, filename, "exec")
    except SyntaxError as error:
        raise CellError(f"syntax error on line {error.lineno} of the cell: {error.msg}") from None
    except (RecursionError, MemoryError):  # an expression of 50,000 terms, say
        raise CellError("the cell is nested too deeply for Python to compile; split its expressions") from None
