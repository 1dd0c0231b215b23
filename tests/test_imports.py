"""The shape of the imports, read from the source with ``ast`` (imports inside functions
count: a lazy import is still a dependency): no circle inside dlmagics, session.py knows no
wing, and no result imports a view (views register for results: dlmagics/views.py). Also, run:
nothing of nbgrader comes with %load_ext or with the graded cells' ``dlmagics.nbgrader``."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "dlmagics"
RESULTS = {"result", "sweep", "model"}  # modules that hold what a run found
VIEWS = {"render", "render_sweep", "view", "dashboard", "plot", "pictures", "svg"}  # modules that draw it


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports(name: str, path: Path, known: dict) -> set[str]:
    """The dlmagics modules ``name`` imports, anywhere in its source."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name in known}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            subs = {f"{base}.{a.name}" for a in node.names} & known.keys()
            found |= subs or ({base} & known.keys())  # `from .pkg import module` names the module
    return found - {name}


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(name, path, known) for name, path in known.items()}


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in edges:
        if v not in index:
            visit(v)
    return found


def test_the_checker_finds_a_circle_and_reads_relative_imports():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    edges = graph()
    assert "dlmagics.protocol" in edges["dlmagics.session"]  # `from . import protocol`
    assert "dlmagics.quiz.kinds" in edges["dlmagics.quiz.kinds.single"] or \
        "dlmagics.quiz.kinds" in {m.rpartition(".")[0] for m in edges["dlmagics.quiz.kinds.single"]}


def test_no_import_circle_inside_dlmagics():
    assert circles(graph()) == []


def test_session_imports_no_wing():
    wing_packages = {p.parent.name for p in PACKAGE.glob("*/wing.py")}
    assert {"bench", "monitor", "quiz", "timeline", "train"} <= wing_packages
    reached = graph()["dlmagics.session"]
    assert not [m for m in reached if m.split(".")[1] in wing_packages]


def test_no_result_imports_a_view():
    bad = [(name, m) for name, deps in graph().items() if name.rpartition(".")[2] in RESULTS
           for m in deps if m.rpartition(".")[2] in VIEWS]
    assert bad == []


def test_nothing_of_nbgrader_is_imported_at_load_ext_nor_by_the_graded_cells():
    code = ("import sys\n"
            "from IPython.core.interactiveshell import InteractiveShell\n"
            "shell = InteractiveShell.instance()\n"
            "shell.run_line_magic('load_ext', 'dlmagics')\n"
            "shell.run_cell_magic('dlquiz_answers', 'why-now', '{\"backprop-year\": 1986}')\n"
            "print('loaded:', sorted(m for m in sys.modules if m.split('.')[0] == 'nbgrader'))\n"
            "from dlmagics.nbgrader import points\n"
            "print('graded:', points('why-now', 'backprop-year'), [m for m in sys.modules if m.split('.')[0] == 'nbgrader'])\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         cwd=PACKAGE.parent)
    assert "loaded: []" in out.stdout and "graded: 1.0 []" in out.stdout, out.stdout + out.stderr
