"""Cells that time themselves by hand (issue 35, item 6): the course's own CPU-vs-GPU snippet
and the ways learners write the same thing (tests/corpus/hand_timing/NAME.cell), each with
the cell %%gpubench wants (NAME.gpubench). The rewrite is checked word for word, split and
run on the CPU; every %%gpubench cell of the course's notebooks gets no such message."""

from __future__ import annotations

import ast
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


# Cells whose cuts leave a block empty or a try alone: each rewrite must still be Python.
TRICKY = [
    "import time\nt0 = time.time()\ntry:\n    y = 1\nexcept Exception:\n    torch.cuda.synchronize()\n"
    "print(time.time() - t0)\n",
    "import time\nt0 = time.time()\ny = 1\ntry:\n    torch.cuda.synchronize()\nexcept RuntimeError:\n"
    "    print('no gpu')\nprint(time.time() - t0)\n",
    "import time\nt0 = time.time()\ntry:\n    y = 1\nfinally:\n    torch.cuda.synchronize()\n"
    "    print(time.time() - t0)\n",
    "import timeit\nfor n in (8, 16):\n    print(n, timeit.timeit('x @ x', 'x = torch.randn(n, n)', number=3))\n",
    "import time\nfor n in (8, 16):\n    x = torch.randn(n, n)\n    s = time.time()\n    y = x @ x\n"
    "    if torch.cuda.is_available():\n        torch.cuda.synchronize()\n    else:\n        pass\n"
    "    print(n, time.time() - s)\n",
    "import time\nt0 = time.time()\nwhile False:\n    torch.cuda.synchronize()\nelse:\n    y = 1\n"
    "print(time.time() - t0)\n",
    "import time\nstamps = []\nstamps.append(time.perf_counter())\ny = torch.ones(2) * 2\n"
    "stamps.append(time.perf_counter())\nprint(stamps)\n",
    "import time\nt0 = time.time()\nwith torch.no_grad():\n    y = torch.ones(2) * 2\n"
    "    if y.is_cuda:\n        torch.cuda.synchronize()\nprint(time.time() - t0)\n",
]


@pytest.mark.parametrize("source", [p.read_text() for p in CORPUS] + TRICKY,
                         ids=[p.stem for p in CORPUS] + [f"tricky{i}" for i in range(len(TRICKY))])
def test_every_rewrite_is_python(source):
    rewrite = hand_timing(source)
    assert rewrite is not None and rewrite.source is not None
    ast.parse(rewrite.source)
    timed = rewrite.source.partition("# timed\n")[2]
    assert timed and "synchronize" not in rewrite.source and "time()" not in timed


def test_a_try_around_a_synchronize_goes_whole_and_an_emptied_block_keeps_a_pass():
    assert "try" not in (HERE / "corpus" / "hand_timing" / "try_synchronize.gpubench").read_text()
    assert "if device == \"cuda\":\n    pass\nelse:\n    y = y + 0" in \
        (HERE / "corpus" / "hand_timing" / "if_cuda_else.gpubench").read_text()
    assert "try:\n    pass\nexcept RuntimeError:" in hand_timing(TRICKY[1]).source


def test_a_rewrite_that_would_not_parse_names_the_lines_instead():
    # Two statements cut from a one-line 'if' leave 'if y:' with nothing after it.
    source = ("import time\nt0 = time.time()\ny = 1\nif y: torch.cuda.synchronize(); t1 = time.time()\n"
              "else: y = 2\nprint(t1 - t0)\n")
    rewrite = hand_timing(source)
    assert rewrite.source is None
    message = rewrite.message("-d cpu")
    assert "line 4: torch.cuda.synchronize(), time.time()" in message and "the cell becomes" not in message
    assert message.endswith("Remove those lines, put '# timed' above the code to time, and start the cell with "
                            "%%gpubench -d cpu")


def test_timeit_given_by_keyword_keeps_its_code_and_its_setup_above_the_marker():
    keywords = hand_timing((HERE / "corpus" / "hand_timing" / "timeit_keywords.cell").read_text())
    assert keywords.source.endswith("# timed\nx @ x\n")  # was dropped whole
    setup = (HERE / "corpus" / "hand_timing" / "timeit_setup_string.gpubench").read_text()
    assert setup == "x = torch.randn(64, 64)\n# timed\nx @ x\n"  # the setup was lost


@pytest.mark.parametrize("name, magic", [("ipython_time_cell", "%%time"), ("ipython_time_line", "%time"),
                                         ("ipython_timeit", "%timeit")])
def test_ipythons_time_and_timeit_are_both_recognised(name, magic):
    rewrite = hand_timing((HERE / "corpus" / "hand_timing" / f"{name}.cell").read_text())
    assert rewrite is not None and magic in [what for _, what in rewrite.found]
    assert "%" not in rewrite.source


def test_the_marker_goes_above_a_decorator_not_between_it_and_its_def():
    rewritten = (HERE / "corpus" / "hand_timing" / "decorated_function.gpubench").read_text()
    assert "# timed\n@torch.no_grad()\ndef step(x):" in rewritten


def test_a_seed_drawn_from_the_clock_in_a_timed_cell_is_kept():
    rewritten = (HERE / "corpus" / "hand_timing" / "seed_from_time_kept.gpubench").read_text()
    assert rewritten.startswith("import time\ntorch.manual_seed(int(time.time()))\n")


@pytest.mark.parametrize("source", course_cells() + [
    "import time\nx = torch.ones(8, device=device)\n# timed\ntime.sleep(0)\ny = x * 2\n",  # time used, no clock read
    "start, end = 0, 4\nx = torch.arange(8, device=device)\n# timed\ny = x[start:end]\n",  # the names, not a clock
    "def record(x):\n    return x\n# timed\ny = record(torch.ones(2))\n",
    "timer = 3\n# timed\ny = torch.ones(timer)\n",
    # one clock read is not timing: a seed, a stamp; nor is a lone synchronize (the cell ran before)
    "import time\ntorch.manual_seed(int(time.time()))\nx = torch.randn(8, 8, device=device)\n# timed\ny = x @ x\n",
    "from datetime import datetime\nstamp = datetime.now()\nx = torch.ones(8, device=device)\n# timed\ny = x * 2\n",
    "import time\nprint('started at', time.time())\nx = torch.ones(8, device=device)\n# timed\ny = x * 2\n",
    "x = torch.randn(256, 256, device=device)\n# timed\ny = x @ x\ntorch.cuda.synchronize()\n",
    "elapsed = 3\nx = torch.ones(elapsed, device=device)\n# timed\ny = x - elapsed\n",
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
    with pytest.raises(UsageError) as caught:  # the learner's own options stay in the cell shown
        shell.run_cell_magic("gpubench", "-d cpu,cpu:1  --budget 0.5", snippet)
    assert "\n\n%%gpubench -d cpu,cpu:1 --budget 0.5\nimport torch\n" in str(caught.value)
