"""One place where each magic's line is split and checked before any wing sees it.

Two guards: a line too long is refused before IPython expands ``$var`` and ``{expr}`` in it
(that expansion takes time quadratic in the line's length: 20 s at 100,000 characters), by an
input transformer that turns such a line into a one-line UsageError; and the split itself
(shlex) turns unbalanced quotes into one, not a traceback."""

from __future__ import annotations

import re

from IPython.core.error import UsageError
from IPython.utils.process import arg_split

MAX_LINE_CHARS = 5000  # a path (at most 4,096) and its options fit; 5,000 characters expand in 0.3 s


class LongLines:
    """IPython's input_transformers_cleanup: each over-long line that calls one of ``names``
    (the magics registered, filled in as wings are added) becomes a line raising the
    UsageError (a cell magic's, the whole cell)."""

    def __init__(self):
        self.names: set[str] = set()

    def _call(self) -> re.Pattern:
        # a line that calls one of our magics: "%name ...", "%%name ..." or "x = %name ..."
        return re.compile(r"^(\s*)(?:[\w.\[\]'\"]+\s*=\s*)?%{1,2}(" + "|".join(sorted(self.names)) + r")\b")

    def __call__(self, lines: list[str]) -> list[str]:
        if not any(len(line) > MAX_LINE_CHARS for line in lines):
            return lines
        call = self._call()
        for i, line in enumerate(lines):
            match = call.match(line) if len(line) > MAX_LINE_CHARS else None
            if match is None:
                continue
            message = (f"%{match.group(2)}: the line has {len(line.rstrip()):,} characters; at most "
                       f"{MAX_LINE_CHARS:,} are read (for many values, put them in a variable and pass {{name}})")
            raising = f"{match.group(1)}raise __import__('IPython').core.error.UsageError({message!r})\n"
            if line.lstrip().startswith("%%"):
                return [raising.lstrip()]
            lines = lines[:i] + [raising] + lines[i + 1:]
        return lines


def parse(magic, line: str, usage: str):
    """The magic's options from its line, or a one-line UsageError ending in the usage line."""
    name = usage.split()[0]
    if len(line) > MAX_LINE_CHARS:  # called as run_line_magic, past the transformer
        raise UsageError(f"{name}: the line has {len(line):,} characters; at most {MAX_LINE_CHARS:,} are read")
    try:
        # posix: quotes group words and go ("a b.json" names a b.json); magic_arguments'
        # own split keeps them. On Windows arg_split is the system's, backslashes kept.
        return magic.parser.parse_args(arg_split(line, posix=True))
    except UsageError as error:
        raise UsageError(f"{name}: {error}. Usage: {usage}") from None
    except ValueError as error:  # shlex: "No closing quotation", "No escaped character"
        raise UsageError(f"{name}: {str(error).lower()} in the line (a quote or a backslash with nothing "
                         f"to close it). Usage: {usage}") from None
