"""python -m dlmagics.course: the notebooks reach a learner who has only the package."""

from __future__ import annotations

import subprocess
import sys

from dlmagics.course import copy_course, notebooks_dir


def test_the_course_is_copied_and_a_learners_own_notebook_is_kept(tmp_path):
    names = sorted(p.name for p in notebooks_dir().glob("*.ipynb"))
    assert "00_start_here.ipynb" in names and len(names) >= 8
    mine = tmp_path / "00_start_here.ipynb"
    mine.write_text("my own work")
    copied = copy_course(tmp_path)
    assert sorted(p.name for p in copied) == [n for n in names if n != mine.name]
    assert mine.read_text() == "my own work"


def test_the_command_says_where_and_refuses_a_file_in_one_line(tmp_path):
    run = subprocess.run([sys.executable, "-m", "dlmagics.course", str(tmp_path / "course")],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and "copied" in run.stdout and "00_start_here.ipynb" in run.stdout
    a_file = tmp_path / "file"
    a_file.write_text("x")
    run = subprocess.run([sys.executable, "-m", "dlmagics.course", str(a_file)], capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 1 and len(run.stderr.strip().splitlines()) == 1 and "is a file" in run.stderr
