"""A real IPython shell with dlmagics loaded, run as its own process by test_hostile_input.py:
it reads one JSON case per line on stdin ({"code": ...}), runs it as a cell, and writes one
JSON line back: the exception's type (or null), what the cell printed, and how long it took.
A case that kills the process or hangs is seen by the parent (EOF, or no answer in time)."""

from __future__ import annotations

import contextlib
import io
import json
import sys
import time


def main() -> None:
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance(colors="NoColor", history_length=0)
    shell.history_manager.enabled = False
    shell.run_line_magic("load_ext", "dlmagics")
    answer = sys.__stdout__
    answer.write(json.dumps({"ready": True}) + "\n")
    answer.flush()
    for line in sys.stdin:
        case = json.loads(line)
        out = io.StringIO()
        started = time.perf_counter()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            result = shell.run_cell(case["code"], store_history=False)
        error = result.error_before_exec or result.error_in_exec
        answer.write(json.dumps({"error": type(error).__name__ if error is not None else None,
                                 "output": out.getvalue()[-4000:],
                                 "seconds": time.perf_counter() - started}) + "\n")
        answer.flush()


if __name__ == "__main__":
    main()
