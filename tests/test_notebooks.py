"""Every example notebook runs top to bottom, headless, on the CPU (as a learner would run it)."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*.ipynb"))


@pytest.mark.timeout(600)
@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs_clean(path):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []
    texts = "".join(
        str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", ""))
        for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
    )
    if path.name == "00_start_here.ipynb":
        assert "Kernel process:" in texts and "64 MiB on cpu" in texts
    if path.name == "01_gpu_revolution.ipynb":  # each claim stands next to a measured figure
        assert "cpu: the course says ~10 s; measured here" in texts
        assert "the claim for an RTX 4000-class GPU: ~50x" in texts
        assert "Time machine: cpu ran this at" in texts and "Against the saved run" in texts
        assert not (path.parent / "matmul-1024.json").exists()
    if path.name == "02_training_demos.ipynb":  # headless: each demo leaves its picture and shows its lesson
        pictures = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                    if "image/png" in o.get("data", {}) and "%train_demo" in o["data"].get("text/plain", "")]
        assert len(pictures) == 5
        assert texts.count("lesson (shown)") == 5 and "not shown" not in texts
        assert "True | the fastest" not in texts and "True | at the same learning rate" in texts


def test_there_is_an_example():
    assert any(p.name == "00_start_here.ipynb" for p in EXAMPLES)
