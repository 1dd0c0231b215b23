"""Under nbgrader (NBGRADER_EXECUTION set while it executes a notebook) the magics that train or
time take a short, seeded path that still runs the learner's code, and say so in one line;
without it nothing changes. The last test runs a course notebook with demos as nbgrader's
autograde does (its kernel's environment, 30 s a cell) and asserts every cell finished."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from dlmagics import autograde
from test_train_own import LOOP, SETUP

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.timeout(300)

SAID = "a short, seeded run ("

LONG_LOOP = LOOP.replace("range(3)", "range(1000)")  # 8 batches an epoch

MATMUL = "x = torch.randn(64, 64, device=device)\n# timed\ny = x @ x\n"


@pytest.fixture
def ip(shell):
    shell.run_line_magic("load_ext", "dlmagics")
    shell.run_cell(SETUP + "from torch.nn import functional as F\n")
    return shell


@pytest.fixture
def grading(monkeypatch):
    monkeypatch.setenv(autograde.ENV, "autograde")


@pytest.mark.parametrize("value, mode", [("autograde", "autograde"), ("validate", "validate"), (" Autograde\n", "autograde"),
                                         ("", None), ("1", None), ("formgrade", None)])
def test_active_is_nbgraders_two_values_only(monkeypatch, value, mode):
    monkeypatch.setenv(autograde.ENV, value)
    assert autograde.active() == mode
    monkeypatch.delenv(autograde.ENV)
    assert autograde.active() is None


def test_a_demo_runs_quick_for_one_epoch_on_the_cpu_and_says_so(ip, grading, capsys):
    result = ip.run_line_magic("train_demo", "vanishing --epochs 50 --device cpu:1 --seed 3")
    out = capsys.readouterr().out
    assert result.status == "finished" and result.error is None
    s = result.settings
    assert (s.quick, s.epochs, s.device, s.seed) == (True, autograde.DEMO_EPOCHS, "cpu", 3)  # the learner's seed kept
    line = next(text for text in out.splitlines() if SAID in text)
    assert line.startswith("autograde: a short, seeded run (quick size, 1 epoch, seed 3, on the CPU")
    # the same run twice: the same numbers (seeded)
    again = ip.run_line_magic("train_demo", "vanishing --seed 3")
    assert again.history.loss == result.history.loss


def test_a_demo_asked_for_a_gpu_the_grader_lacks_still_runs_on_the_cpu(ip, grading, no_driver):
    result = ip.run_line_magic("train_demo", "xor --device cuda")
    assert result.status == "finished" and result.settings.device == "cpu"


@pytest.mark.parametrize("line", ["xor --epochs 0", "xor --lr -1", "xor --batch-size lots", "xor --seed -3"])
def test_a_bad_option_is_refused_under_autograde_as_it_is_without(ip, grading, line):
    from IPython.core.error import UsageError

    with pytest.raises(UsageError) as caught:  # the short path replaces --epochs, but only a sound one
        ip.run_line_magic("train_demo", line)
    assert line.split()[1] in str(caught.value) and "\n" not in str(caught.value)


def test_without_nbgrader_a_demo_runs_as_asked_and_says_nothing(ip, monkeypatch, capsys):
    monkeypatch.delenv(autograde.ENV, raising=False)
    result = ip.run_line_magic("train_demo", "xor --epochs 3 --no-live")
    assert (result.settings.quick, result.settings.epochs) == (False, 3)
    assert SAID not in capsys.readouterr().out


def test_train_runs_every_part_of_the_learners_loop_a_few_seeded_times_and_says_so(ip, grading, capsys):
    most = autograde.OWN_LOOP
    loop = LONG_LOOP + "    after_batches.append(epoch)  # the code after the batch loop (a validation pass) runs\n"
    ip.run_cell("after_batches = []")
    first = ip.run_cell_magic("train", "", loop)
    out = capsys.readouterr().out
    assert first.status == "finished" and first.error is None
    h = first.history
    assert h.steps == most.epochs * most.batches == h.batches_done and ip.user_ns["after_batches"] == [0, 1]
    assert (h.epochs_planned, h.batches_per_epoch) == (most.epochs, most.batches)  # what it said it would run
    assert (f"autograde: a short, seeded run (your loop for at most {most.epochs} epochs of {most.batches} batches, "
            "torch.manual_seed(0))") in out
    assert "the doctor found nothing wrong" in out  # a healthy loop stays healthy when cut short
    # seeded: the learner's loop reshuffles with torch's generator; the same start gives the same run
    loop = LONG_LOOP.replace("for i in range(0, 256, 32):", "for i in torch.randperm(8).tolist():").replace(
        "X[i:i + 32]", "X[32 * i:32 * i + 32]").replace("Y[i:i + 32]", "Y[32 * i:32 * i + 32]")
    runs = []
    for drawn in (1, 5):  # torch's generator left elsewhere by the cells before
        ip.run_cell("model = nn.Linear(8, 2, bias=False)\ntorch.nn.init.zeros_(model.weight)\n"
                    f"optimizer = torch.optim.SGD(model.parameters(), lr=0.1)\ntorch.rand({drawn})")
        runs.append(ip.run_cell_magic("train", "", loop).history.loss)
    assert runs[0] == runs[1] and len(runs[0]) == most.epochs * most.batches


def test_a_loop_whose_shape_the_cell_does_not_show_stops_after_a_few_steps(ip, grading):
    cell = ("def one_step(i):\n    optimizer.zero_grad()\n    loss = F.cross_entropy(model(X[i:i + 32]), Y[i:i + 32])\n"
            "    loss.backward()\n    optimizer.step()\n\nstep = 0\nwhile True:\n    one_step(step % 8 * 32)\n    step += 1\n")
    result = ip.run_cell_magic("train", "", cell)
    assert result.status == "stopped" and result.history.steps == autograde.OWN_LOOP.steps


def test_a_broken_loop_still_fails_under_autograde(ip, grading):
    result = ip.run_cell_magic("train", "", LONG_LOOP.replace("Y[i:i + 32])", "Y[i:i + 32].float())"))
    assert result.status == "failed" and result.error.startswith(("RuntimeError", "ValueError"))
    assert result.explanation is not None  # the doctor's sentence, as outside nbgrader


def test_without_nbgrader_train_runs_the_whole_loop(ip, monkeypatch, capsys):
    monkeypatch.delenv(autograde.ENV, raising=False)
    result = ip.run_cell_magic("train", "", LOOP)
    assert result.status == "finished" and result.history.steps == 24
    assert SAID not in capsys.readouterr().out


def test_gpubench_times_once_on_the_cpu_only_and_says_so(ip, grading, capsys, fake_cuda):
    result = ip.run_cell_magic("gpubench", "-d cpu,cpu:1,cuda --budget 30 --min-runs 500 --warmup 9", MATMUL)
    out = capsys.readouterr().out
    assert [d.label for d in result.devices] == ["cpu"]
    assert len(result.devices[0].times) == 1 and result.devices[0].status == "ok"
    assert "autograde: a short, seeded run (the CPU only, one timed run, no warm-up" in out


def test_gpubench_still_fails_a_broken_cell_under_autograde(ip, grading):
    from IPython.core.error import UsageError

    with pytest.raises(UsageError, match="the cell failed on cpu"):
        ip.run_cell_magic("gpubench", "", "# timed\ny = undefined_name * 2\n")


def test_without_nbgrader_gpubench_runs_its_rounds_on_the_devices_asked(ip, monkeypatch, capsys):
    monkeypatch.delenv(autograde.ENV, raising=False)
    result = ip.run_cell_magic("gpubench", "-d cpu,cpu:1 --budget 0.05", MATMUL)
    assert [d.label for d in result.devices] == ["cpu", "cpu:1"]
    assert all(len(d.times) >= 3 for d in result.devices)
    assert SAID not in capsys.readouterr().out


@pytest.fixture
def fake_cuda():
    from dlmagics import testing

    fake = testing.install_cuda(testing.FakeCuda())
    yield fake
    testing.uninstall_cuda()


# -- nbgrader's timeout ------------------------------------------------------------------------

EXAMPLES = Path(__file__).parent.parent / "examples"
NBGRADER_TIMEOUT_S = 30  # nbgrader 0.9's Execute.timeout: the seconds a cell may take
# %train_demo and %%gpubench; full-size demos; %%train (and cells that read its validation)
GRADED = ["01_why_now.ipynb", "07_training_demos.ipynb", "08_your_own_training.ipynb"]


@pytest.mark.timeout(900)
@pytest.mark.parametrize("name", GRADED)
def test_a_course_notebook_with_demos_runs_within_nbgraders_cell_timeout(name, tmp_path, monkeypatch, one_torch_thread):
    nbformat = pytest.importorskip("nbformat")
    from nbclient import NotebookClient

    source = EXAMPLES / name
    nb = nbformat.read(source, as_version=4)
    _convert_for_nbgrader(nb, source.parent)
    monkeypatch.setenv(autograde.ENV, "autograde")  # as nbgrader sets it: the kernel inherits it
    # nbgrader's Execute: a timeout a cell, errors kept in the notebook (it goes on after one)
    NotebookClient(nb, timeout=NBGRADER_TIMEOUT_S, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()  # raises CellTimeoutError
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.metadata.get("execution", {}).get("shell.execute_reply") for c in code)  # every cell finished
    errors = [(c.source[:60], o.get("ename"), o.get("evalue")) for c in code for o in c.get("outputs", [])
              if o.output_type == "error"]
    assert errors == []
    said = [c for c in code for o in c.get("outputs", []) if SAID in str(o.get("text", ""))]
    magics = [c for c in code if "%train_demo" in c.source or "%%gpubench" in c.source or "%%train" in c.source]
    assert said and len(said) == len([c for c in magics if not c.source.lstrip().startswith("%train_demo --list")])
    slowest = max(_seconds(c) for c in code)
    print(f"{name}: slowest cell {slowest:.1f} s of {NBGRADER_TIMEOUT_S} s")


def _convert_for_nbgrader(nb, folder: Path) -> None:
    """The notebook as ``python -m dlmagics.nbgrader`` makes it (quiz, answer and test cells),
    where that converter is installed; its quizzes take no time, so the run is the same without."""
    try:
        from dlmagics.nbgrader.convert import NothingToConvert, convert
    except ImportError:
        return
    try:
        convert(nb, folder)
    except NothingToConvert:  # a notebook with demos and no quiz
        pass


def _seconds(cell) -> float:
    ex = cell.metadata["execution"]
    start, end = (datetime.fromisoformat(ex[k].replace("Z", "+00:00")) for k in ("iopub.execute_input",
                                                                                   "shell.execute_reply"))
    return (end - start).total_seconds()
