"""Cells that time themselves by hand (issue 35, item 6): the course's own CPU-vs-GPU snippet
and the ways learners write the same thing (tests/corpus/hand_timing/NAME.cell), each with
the cell %%gpubench wants (NAME.gpubench). The rewrite is checked word for word, split and
run on the CPU; every %%gpubench cell of the course's notebooks gets no such message."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from dlmagics.bench.cell import TimesItself, split_cell
from dlmagics.bench.hand_timing import hand_timing

HERE = Path(__file__).parent
CORPUS = sorted((HERE / "corpus" / "hand_timing").glob("*.cell"))
SEEDS = HERE.parent.parent / "shared" / "seeds"


def course_cells() -> list[str]:
    """The body of every %%gpubench cell in examples/, with IPython's {devices} put in."""
    cells = []
    for notebook in sorted((HERE.parent / "examples").glob("*.ipynb")):
        for cell in json.loads(notebook.read_text())["cells"]:
            source = "".join(cell["source"])
            if cell["cell_type"] == "code" and source.startswith("%%gpubench"):
                cells.append(source.partition("\n")[2])
    return cells


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_a_hand_timed_cell_is_shown_as_gpubench_wants_it(path):
    rewrite = hand_timing(path.read_text())
    assert rewrite is not None
    assert rewrite.source == path.with_suffix(".gpubench").read_text()
    cell = split_cell(rewrite.source)  # the rewrite is a cell %%gpubench takes as it is
    assert cell.has_marker
    torch = pytest.importorskip("torch")
    namespace = {"torch": torch, "nn": torch.nn, "device": torch.device("cpu"), "dtype": torch.float32}
    exec(cell.setup, namespace) if cell.setup else None
    exec(cell.timed, namespace)  # runs on a machine without a GPU: no synchronize, no .cuda()


def test_the_course_snippet_is_recognised_and_the_message_says_what_to_do():
    snippet = (HERE / "corpus" / "hand_timing" / "course_snippet.cell").read_text()
    seeds = "\n".join(p.read_text() for p in SEEDS.glob("*.txt")) if SEEDS.is_dir() else ""
    if seeds:  # the corpus holds the seed's snippet as the course gives it
        assert snippet.splitlines()[-1] in seeds
    with pytest.raises(TimesItself) as caught:
        split_cell(snippet)
    message = str(caught.value)
    first, _, shown = message.partition("\n\n")
    assert first.startswith("this cell times itself by hand (line 1: import time; line 2: picks its own device; "
                            "line 5: time.time(), torch.cuda.synchronize(), print of the time).")
    assert "waits for the GPU to finish (it synchronises)" in first and "'# timed' above the code" in first
    assert shown == "%%gpubench\n" + (HERE / "corpus" / "hand_timing" / "course_snippet.gpubench").read_text()


@pytest.mark.parametrize("source", course_cells() + [
    "import time\nx = torch.ones(8, device=device)\n# timed\ntime.sleep(0)\ny = x * 2\n",  # time used, no clock read
    "start, end = 0, 4\nx = torch.arange(8, device=device)\n# timed\ny = x[start:end]\n",  # the names, not a clock
    "def record(x):\n    return x\n# timed\ny = record(torch.ones(2))\n",
    "timer = 3\n# timed\ny = torch.ones(timer)\n",
])
def test_a_healthy_cell_gets_no_such_message(source):
    assert hand_timing(source) is None
    split_cell(source)


def test_the_course_cells_are_found():
    assert len(course_cells()) >= 8 and all("# timed" in c for c in course_cells())


def test_the_magic_shows_the_rewrite_without_the_usage_line(shell):
    from IPython.core.error import UsageError

    shell.run_line_magic("load_ext", "dlmagics")
    snippet = (HERE / "corpus" / "hand_timing" / "perf_counter_start_end.cell").read_text()
    with pytest.raises(UsageError) as caught:
        shell.run_cell_magic("gpubench", "", snippet)
    message = str(caught.value)
    assert message.startswith("%%gpubench: this cell times itself by hand (line 1: import time; line 4: picks its "
                              "own device; line 8: time.perf_counter(); line 10: torch.cuda.synchronize(); line 11: "
                              "time.perf_counter(); line 12: print of the time).")
    assert "Usage:" not in message and re.search(r"\n# timed\nc = a @ b\n$", message)
