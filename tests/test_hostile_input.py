"""Hostile input at every magic and %config, in a real IPython shell of its own process
(hostile/worker.py), each case with a time limit (issue 17): a one-line UsageError or the
documented result, never a traceback, nothing over 10 s, the process alive afterwards.
The cases, by class, are in hostile/cases.py; the pure checks below them get Hypothesis."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from IPython.core.error import UsageError

sys.path.insert(0, str(Path(__file__).parent / "hostile"))
import cases as hostile  # noqa: E402

LIMIT_S = 10.0
CASES = hostile.cases()
WORKER = Path(__file__).parent / "hostile" / "worker.py"


class Shell:
    """The worker process; started again after a case that killed or hung it."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.env = {**os.environ, "DLMAGICS_QUIZ_STORE": str(folder / "progress.jsonl"), "DLMAGICS_HEADLESS": "1"}
        self.process = None
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen([sys.executable, str(WORKER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, text=True, env=self.env, cwd=self.folder)
        assert json.loads(self.process.stdout.readline()) == {"ready": True}

    def run(self, code: str) -> dict:
        """{"error", "output", "seconds"}, or {"dead": exit code} / {"hang": True}."""
        self.process.stdin.write(json.dumps({"code": code}) + "\n")
        self.process.stdin.flush()
        ready, _, _ = select.select([self.process.stdout], [], [], LIMIT_S)
        if not ready:
            self.process.kill()
            self.process.wait()
            self.start()
            return {"hang": True}
        line = self.process.stdout.readline()
        if not line:
            code = self.process.wait()
            self.start()
            return {"dead": code}
        return json.loads(line)

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def shell(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    hostile.make_files(folder)
    worker = Shell(folder)
    yield worker
    worker.close()


def verdict(answer: dict, expect: str) -> str | None:
    """What is wrong with an answer, or None."""
    if "hang" in answer:
        return f"no answer within {LIMIT_S:g} s"
    if "dead" in answer:
        return f"the shell died (exit code {answer['dead']})"
    out = answer["output"].strip()
    if "Traceback" in out or answer["error"] not in (None, "UsageError"):
        return f"{answer['error']}: {out[-400:]}"
    if expect == "usage" and (answer["error"] != "UsageError" or len(out.splitlines()) != 1):
        return f"expected a one-line UsageError, got {answer['error']}: {out[-400:]}"
    if expect in ("ok", "kept") and answer["error"] is not None:
        return f"expected a result, got {out[-400:]}"
    if expect == "kept" and "the result is in _gpubench" not in out:
        return f"expected the result kept and said so: {out[-400:]}"
    return None


def test_there_are_over_300_cases_in_every_class():
    counts = Counter(kind for kind, _, _ in CASES)
    assert sum(counts.values()) >= 300 and len(counts) >= 10, counts


@pytest.mark.parametrize("kind, code, expect", CASES, ids=[f"{k}-{i}" for i, (k, _, _) in enumerate(CASES)])
def test_hostile_input(shell, kind, code, expect):
    answer = shell.run(code.replace("{tmp}", str(shell.folder)))
    problem = verdict(answer, expect)
    assert problem is None, f"{kind}: {code[:200]!r}: {problem}"


def test_the_shell_is_alive_and_its_files_are_intact_afterwards(shell):
    assert shell.run("print(6 * 7)")["output"].strip() == "42"
    assert (shell.folder / "fifo").exists() and not (shell.folder / "fifo").is_file()  # never replaced by a write


# -- the pure checks, with Hypothesis (derandomized: the same examples on every run) ------

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


@settings(derandomize=True, database=None, max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=st.one_of(TEXT, st.floats(allow_nan=True), st.integers(), st.booleans(), st.none()))
def test_a_bounded_number_is_in_range_or_an_option_error(value):
    from dlmagics.options import OptionError, bounded

    try:
        number = bounded(value, float, 0.0, 10.0, "a number from 0 to 10")
    except OptionError:
        return
    assert 0.0 <= number <= 10.0 and not isinstance(value, bool)


@settings(derandomize=True, database=None, max_examples=300, deadline=None)
@given(line=TEXT)
def test_any_line_parses_or_is_a_one_line_usage_error(line):
    from dlmagics import lines
    from dlmagics.magics import with_options
    from dlmagics.train.wing import TRAIN_DEMO

    try:
        lines.parse(with_options(lambda line="": None, TRAIN_DEMO), line, TRAIN_DEMO.usage)
    except UsageError as error:
        assert "\n" not in str(error) and str(error).startswith("%train_demo: ")
