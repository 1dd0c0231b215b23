"""python -m dlmagics.course: the notebooks reach a learner who has only the package."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

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


ROOT = Path(__file__).parent.parent


def launch(tmp_path: Path, command: str, uid: int) -> list[str]:
    """What ``command`` (a README line running scripts/lab.sh) hands to ``jupyter``, run as user
    ``uid``: lab.sh runs for real in a copy of the repository whose setup.sh installs nothing,
    with ``jupyter`` and ``id`` on PATH replaced by scripts that print what they are given."""
    place = Path(tempfile.mkdtemp(dir=tmp_path))
    repo, tools = place / "repo", place / "bin"
    (repo / "scripts").mkdir(parents=True)
    shutil.copy2(ROOT / "scripts" / "lab.sh", repo / "scripts" / "lab.sh")
    (repo / "scripts" / "setup.sh").write_text("INSTALLED_NOW=0\n")
    tools.mkdir()
    (tools / "jupyter").write_text('#!/usr/bin/env bash\nprintf "%s\\n" "$@"\n')
    (tools / "id").write_text(f'#!/usr/bin/env bash\n[ "$1" = -u ] && echo {uid}\n')
    for tool in ("jupyter", "id"):
        (tools / tool).chmod(0o755)
    run = subprocess.run(shlex.split(command), cwd=repo, capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PATH": f"{tools}:{os.environ['PATH']}"})
    assert run.returncode == 0, run.stderr
    return run.stdout.splitlines()


def test_the_readmes_launch_commands_start_jupyter_as_root_and_not(tmp_path):
    """Issue 35: the README's Notebook 7 command exited as root ("Use --allow-root")."""
    readme = (ROOT / "README.md").read_text()
    commands = sorted(set(re.findall(r"bash scripts/lab\.sh(?: --notebook7)?(?=[` ])", readme)))
    assert commands == ["bash scripts/lab.sh", "bash scripts/lab.sh --notebook7"]
    assert ".venv/bin/jupyter notebook" not in readme
    for command in commands:
        app = "notebook" if command.endswith("--notebook7") else "lab"
        for uid in (0, 1000):
            given = launch(tmp_path, command, uid)
            assert given[0] == app and given[1].endswith("/examples") and given[1].startswith("--notebook-dir=")
            assert ("--allow-root" in given) == (uid == 0), (command, uid, given)
            assert "--notebook7" not in given
    extra = launch(tmp_path, "bash scripts/lab.sh --notebook7 --port 8890 --allow-root", 0)
    assert extra[0] == "notebook" and extra[2:] == ["--port", "8890", "--allow-root"]  # given once, passed on
