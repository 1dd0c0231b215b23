"""python -m dlmagics.course [DIR]: copy the course notebooks into DIR (default: ./dlmagics-course)."""

from __future__ import annotations

import sys

from . import copy_course, notebooks_dir


def main(argv: list[str]) -> int:
    if len(argv) > 1 or (argv and argv[0] in ("-h", "--help")):
        print("usage: python -m dlmagics.course [DIR]   copy the course notebooks into DIR "
              "(default ./dlmagics-course); notebooks already there are kept")
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    target = argv[0] if argv else "dlmagics-course"
    try:
        copied = copy_course(target)
    except OSError as error:
        print(f"dlmagics.course: {error}", file=sys.stderr)
        return 1
    kept = len(list(notebooks_dir().glob("*.ipynb"))) - len(copied)
    print(f"copied {len(copied)} notebooks into {target}" + (f" ({kept} already there, kept)" if kept else "")
          + f"; open {target}/00_start_here.ipynb in JupyterLab")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
