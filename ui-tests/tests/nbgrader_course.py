"""The teacher's side of nbgrader.spec.ts, with dlmagics' converter and nbgrader's own CLI in a
course folder (run with the Python that has dlmagics and nbgrader):

  python nbgrader_course.py release COURSE          prints the notebook the student gets
  python nbgrader_course.py autograde COURSE FILE   hands FILE in as student "galata", autogrades
                                                    it, prints each graded cell's score (JSON)
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ASSIGNMENT, NOTEBOOK, STUDENT = "ps1", "quiz.ipynb", "galata"


def run(course: Path, *args: str) -> None:
    # nbgrader runs `alembic` from PATH: this Python's scripts come first.
    env = {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
    done = subprocess.run([sys.executable, *args], cwd=course, env=env, capture_output=True, text=True, timeout=300)
    if done.returncode:
        sys.exit(f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


def release(course: Path) -> str:
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    course = course.resolve()
    course.mkdir(parents=True, exist_ok=True)
    plain = course / NOTEBOOK
    cells = [new_markdown_cell("# Why now? (graded)"), new_code_cell("%load_ext dlmagics"), new_code_cell("%dlquiz why-now")]
    kernel = {"kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}}
    nbformat.write(new_notebook(cells=cells, metadata=kernel), plain)
    run(course, "-m", "dlmagics.nbgrader", NOTEBOOK, "-o", f"source/{ASSIGNMENT}/{NOTEBOOK}")
    run(course, "-m", "nbgrader", "generate_assignment", ASSIGNMENT, "--force")
    return (course / "release" / ASSIGNMENT / NOTEBOOK).read_text(encoding="utf-8")


def autograde(course: Path, handed_in: Path) -> dict:
    from nbgrader.api import Gradebook

    course = course.resolve()
    submitted = course / "submitted" / STUDENT / ASSIGNMENT
    submitted.mkdir(parents=True, exist_ok=True)
    (submitted / NOTEBOOK).write_bytes(handed_in.read_bytes())
    run(course, "-m", "nbgrader", "autograde", ASSIGNMENT, "--student", STUDENT, "--force")
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        graded = gradebook.find_submission_notebook(Path(NOTEBOOK).stem, ASSIGNMENT, STUDENT)
        return {grade.name: grade.score for grade in graded.grades}


if __name__ == "__main__":
    if sys.argv[1] == "release":
        print(release(Path(sys.argv[2])))
    else:
        print(json.dumps(autograde(Path(sys.argv[2]), Path(sys.argv[3]))))
