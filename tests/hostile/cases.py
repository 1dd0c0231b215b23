"""Hostile inputs for every magic and dlmagics' %config, by class (issue 17). Each case is
(class, code, expect): ``usage`` a one-line UsageError, ``ok`` a result with no error,
``either`` one of the two (fuzzed values, some of them fine). ``{tmp}`` is the case folder
that ``make_files`` fills with the files other authors (or accidents) give us."""

from __future__ import annotations

import gzip
import json
import os
import struct
from pathlib import Path

CELL = "x = torch.ones(8)\n# timed\ny = x + 1"
QUICK = "--budget 0.01 --warmup 1 --min-runs 3"

UNICODE_DIGITS = ["²", "٣", "①", "½", "１２", "߃", "𝟗", "Ⅻ", "३", "¹⁰"]
HUGE = ["1e400", "99999999999999999999999", "10**9", str(2 ** 70), "1" * 400]
NON_FINITE = ["nan", "inf", "-inf", "NaN", "Infinity"]
NEGATIVE = ["-1", "0", "-0.0", "-1e-9"]
JUNK = ["", "''", '""', "x", "1,2", "1..2", "0x10", "1_0", " ", "\\t", "%", "{", "None", "True", "[]"]
NUMBER_VALUES = UNICODE_DIGITS + HUGE + NON_FINITE + NEGATIVE + JUNK


def _readable(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def make_files(tmp: Path) -> None:
    """The files the path cases name: wrong kinds of file, wrong shapes, bombs."""
    os.mkfifo(tmp / "fifo")
    (tmp / "folder").mkdir()
    (tmp / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (tmp / "big.json").write_bytes(b" " * (60 << 20) + b"{}")
    (tmp / "empty.json").write_text("")
    (tmp / "binary.json").write_bytes(bytes(range(256)) * 10)
    (tmp / "latin1.json").write_bytes('{"id": "caf\xe9"}'.encode("latin-1"))
    def saved(devices) -> dict:
        return {"format": "dlmagics.gpubench", "version": 1, "devices": devices}

    one = lambda times: saved([{"device": "cpu", "times_s": times}])  # noqa: E731
    shapes = {
        "list": [1, 2, 3], "number": 3, "string": "x", "null": None, "no-format": {"devices": []},
        "devices-int": saved(3), "devices-empty": saved({}), "devices-dict": saved({"cpu": {}}),
        "device-int": saved([3]), "device-empty": saved([{}]), "device-name-int": saved([{"device": 1}]),
        "time-string": one(["fast"]), "time-zero": one([0, 0, 0]), "time-negative": one([-2.3e-6, -2.3e-6]),
        "time-nan": '{"format": "dlmagics.gpubench", "devices": [{"device": "cpu", "times_s": [NaN, NaN]}]}',
        "time-inf": '{"format": "dlmagics.gpubench", "devices": [{"device": "cpu", "times_s": [Infinity]}]}',
        "time-huge": one([1e308, 1e308]), "time-bool": one([True, True]), "times-dict": one({"a": 1}),
        "sweep-runs-int": {"format": "dlmagics.gpubench", "sweep_of": "n", "runs": 3},
        "sweep-runs-empty": {"format": "dlmagics.gpubench", "sweep_of": "n", "runs": []},
        "plausible": one([1e-3, 1.1e-3, 0.9e-3]),
    }
    for name, value in shapes.items():
        (tmp / f"saved-{name}.json").write_text(value if isinstance(value, str) else json.dumps(value))
    # quizzes
    (tmp / "alias-bomb.yaml").write_text(
        'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + "".join(
            f'{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n' for p, c in zip("abcdefgh", "bcdefghi"))
        + "id: bomb\ntitle: bomb\nquestions: []\n")
    (tmp / "mixed-keys.yaml").write_text("id: mixed\ntitle: t\n1: one\n[a]: b\nquestions:\n  - {type: single, 2: x}\n")
    (tmp / "not-a-mapping.yaml").write_text("- just\n- a list\n")
    (tmp / "tabs.yaml").write_text("id: t\n\ttitle: x\n")
    question = "  - id: q1\n    type: {kind}\n    prompt: Q?\n{rest}"
    (tmp / "gpus.yaml").write_text("id: gpus\ntitle: Mine\nquestions:\n" + question.format(
        kind="single", rest="    options:\n      - {text: a, correct: true}\n      - {text: b}\n"))
    (tmp / "regex.yaml").write_text("id: regex-bomb\ntitle: t\nquestions:\n" + question.format(
        kind="text", rest="    patterns: ['(a+)+$']\n"))
    jq = [{"question": "Q?", "type": "numeric", "answers": [{"type": "range", "range": ["a", "b"], "correct": True}]},
          {"question": "Q2?", "type": "numeric", "precision": "two", "answers": [{"type": "value", "value": "x"}]},
          {"question": "Q3?", "type": "many_choice", "answers": "none"},
          {"question": None, "type": "multiple_choice", "answers": [{"answer": 3, "correct": "yes"}]}]
    for i, q in enumerate(jq):
        (tmp / f"jq-{i}.json").write_text(json.dumps([q]))
    (tmp / "jq-empty.json").write_text("[]")
    (tmp / "jq-deep.json").write_text("[" * 50_000 + "]" * 50_000)
    # MNIST folders: a gzip bomb, a label outside the classes, truncated images
    bomb = tmp / "bomb"
    bomb.mkdir()
    with gzip.open(bomb / "train-images-idx3-ubyte.gz", "wb", compresslevel=9) as f:
        f.write(struct.pack(">IIII", 2051, 10 ** 7, 28, 28))
        block = bytes(1 << 20)
        for _ in range(400):
            f.write(block)
    for part in ("train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        (bomb / part).write_bytes(b"")
    huge = tmp / "huge-header"
    huge.mkdir()
    (huge / "train-images-idx3-ubyte").write_bytes(struct.pack(">IIII", 2051, 2 ** 31 - 1, 2 ** 16, 2 ** 16))
    for part in ("train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        (huge / part).write_bytes(b"")


def cases() -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    add = lambda kind, code, expect="usage": out.append((kind, code, expect))  # noqa: E731

    # -- the splitter: quotes, escapes, long lines, odd characters -------------------
    for magic in ("%train_demo", "%dlquiz", "%gpumon", "%dltimeline", "%dldata"):
        for line in ('"xor', "'xor", 'xor "', '--from "1990', "\\", '"""', "a'b\"c", "\x00", "xor \x1b[31m",
                     "--" + "-" * 10_000, "x" * 100_000, "a " * 50_000):
            add("splitter", f"{magic} {line}")
    for line in ('-d "cpu', "--sweep 'n=1", "\\", '--save "', "-" * 10_000, "x" * 100_000):
        add("splitter", f"%%gpubench {line}\n{CELL}")

    # -- numbers: unicode digits, huge, non-finite, negative, junk -------------------
    # What float() reads may be fine ('𝟗' is 9, as int() says); the rest must be refused.
    for value in NUMBER_VALUES:
        q = f'"{value}"' if value.strip() == "" or " " in value else value
        expect = "either" if _readable(value) else "usage"
        for line in (f"xor --epochs {q}", f"xor --epochs 1 --seed {q}", f"xor --epochs 1 --lr {q}",
                     f"xor --epochs 1 --batch-size {q}"):
            add("numbers", f"%train_demo {line}", expect)
        add("numbers", f"%gpumon --interval {q}", expect)
        add("numbers", f"%dltimeline --from {q}", expect)
        add("numbers", f"%dltimeline --to {q}", expect)
        add("numbers", f"%dldata {{tmp}}/folder --size {q}")  # the folder is empty: refused either way
        if not (_readable(value) and 0.5 < float(value) < 1e6):  # a long budget is slow, not hostile
            add("numbers", f"%%gpubench --budget {q} --warmup 1 --min-runs 3\n{CELL}", expect)
        add("numbers", f"%%gpubench --warmup {q} --budget 0.01 --min-runs 3\n{CELL}", expect)
        add("numbers", f"%%gpubench --min-runs {q} --budget 0.01 --warmup 1\n{CELL}", expect)
        add("numbers", f"%%gpubench -d cpu:{q} {QUICK}\n{CELL}", expect if value.strip("'\" ") else "either")  # cpu: is cpu

    # -- devices and threads -----------------------------------------------------------
    for devices in ("cpu:100000", "cpu:0", "cpu:-1", "cpu:1,cpu:100000", "cuda:99", "cuda:-1", "mps:3", "gpu",
                    "cpu,,cpu", ",", "cpu:1:2", "cpu:" + "9" * 50, "tpu", "cpu," * 2000):
        add("devices", f"%%gpubench -d {devices}\n{CELL}")
        add("devices", f"%train_demo hardware --device {devices}")
        add("devices", f"%train_demo xor --device {devices}")

    # -- sweeps ------------------------------------------------------------------------
    for sweep in ("n=", "=1", "n", "n=1,,2", "n=inf", "n=nan", "n=1e400", "n=" + ",".join(map(str, range(100_000))),
                  "n=" + "-" * 10_000, "n=1;import os", "1n=2", "n=1 m=2", "n=" + "9" * 5000, "é=1,2",
                  "n=1,2 --sweep m=3"):
        add("sweeps", f"%%gpubench --sweep {sweep}\n{CELL}")

    # -- paths that are not files ------------------------------------------------------
    for path in ("{tmp}/fifo", "/dev/zero", "/dev/null", "{tmp}/folder", "{tmp}/missing.json", "{tmp}/deep.json",
                 "{tmp}/big.json", "{tmp}/empty.json", "{tmp}/binary.json", "{tmp}/latin1.json", "/proc/self/mem",
                 '"{tmp}/a b.json"', "~nobody_here/x.json"):
        add("paths", f"%%gpubench --compare {path}\n{CELL}")
        add("paths", f"%dlquiz {path}")
    # never a real device as a target: a tool that replaced the path would replace it (as root)
    for path in ("{tmp}/folder", "{tmp}/no/such/dir/x.json", "/proc/version", "{tmp}/fifo", "/proc/self"):
        add("paths", f"%%gpubench {QUICK} --save {path}\n{CELL}", "kept" if path == "/proc/version" else "usage")
        add("paths", f"%dlquiz --export csv {path}")
    for path in ("{tmp}/fifo", "/dev/zero", "{tmp}/folder", "{tmp}/bomb", "{tmp}/huge-header", "{tmp}/missing"):
        add("paths", f"%train_demo mnist --data {path}")
        add("paths", f"%train_demo cnn --data {path}")
        add("paths", f"%dldata {path}")
    add("paths", "%dlquiz --export xml {tmp}/x.xml")
    add("paths", "%dlquiz --export csv")

    # -- saved results of the wrong shape ------------------------------------------------
    for name in ("list", "number", "string", "null", "no-format", "devices-int", "devices-empty", "devices-dict",
                 "device-int", "device-empty", "device-name-int", "time-string", "time-zero", "time-negative",
                 "time-nan", "time-inf", "time-bool", "times-dict", "sweep-runs-int", "sweep-runs-empty"):
        add("saved files", f"%%gpubench {QUICK} --compare {{tmp}}/saved-{name}.json\n{CELL}")
    for name in ("time-huge", "plausible"):  # readable: the run is compared (a huge old time: much faster)
        add("saved files", f"%%gpubench {QUICK} --compare {{tmp}}/saved-{name}.json\n{CELL}", "ok")

    # -- quiz files of other authors -----------------------------------------------------
    for name in ("alias-bomb.yaml", "mixed-keys.yaml", "not-a-mapping.yaml", "tabs.yaml", "gpus.yaml",
                 "regex.yaml", "jq-0.json", "jq-1.json", "jq-2.json", "jq-3.json", "jq-empty.json", "jq-deep.json"):
        add("quiz files", f"%dlquiz {{tmp}}/{name}")
    for mode in ("EXAM", "practise", '""', "x" * 1000, "①", "'exam '"):
        add("quiz options", f"%dlquiz why-now --mode {mode}")
    for line in ("--mode exam", "--reset gpus --mode exam", "--score --mode exam", "--score --reset gpus",
                 "--reset nosuch", "--reset", "why-now --score", "--export csv {tmp}/x.csv --score", "nosuch-quiz",
                 "../../etc/passwd", "why-now extra"):
        add("quiz options", f"%dlquiz {line}")

    # -- options ignored without a word ------------------------------------------------
    for line in ("--list --epochs 3", "--list xor", "--list --quick", "nosuch", "xor --epochs 3 --list",
                 "", "xor --data /tmp"):
        add("ignored options", f"%train_demo {line}")
    for line in ("XOR --epochs 1", "xor --epochs 1 --no-live --no-live"):  # names ignore case; a flag twice is once
        add("ignored options", f"%train_demo {line}", "ok")
    for line in ("--start --stop", "extra"):
        add("ignored options", f"%gpumon {line}")
    for line in ("--from 2015 --to 2006", "--from 1800", "--to 3000", "extra"):
        add("ignored options", f"%dltimeline {line}")

    # -- cells of every kind -----------------------------------------------------------
    for cell in ("raise SystemExit(3)", "import sys; sys.exit()", "1/0", "def f(:",
                 "x = 1 + " + " + ".join(["1"] * 50_000), "# timed", "", "\x00", "yield 1", "return 3"):
        add("cells", f"%%gpubench {QUICK}\n{cell}")
    for cell in ("raise KeyboardInterrupt", "import torch\n# timed\nraise MemoryError"):  # marked, shown
        add("cells", f"%%gpubench {QUICK}\n{cell}", "ok")
    # %%train runs the learner's code as it is: an error there is kept in the run, never raised
    for cell in ("def f(:", "x = 1 + " + " + ".join(["1"] * 50_000), "# timed", "", "\x00", "yield 1", "return 3",
                 "1/0", "raise KeyboardInterrupt"):  # the last two call nothing: they train nothing
        add("cells", f"%%train\n{cell}")
    for cell in ("raise SystemExit(3)", "import sys; sys.exit()", "int('x')", "raise KeyboardInterrupt()", "print(1)",
                 "import torch\nfor i in range(3):\n    torch.zeros(1, requires_grad=True).sum().backward()"):
        add("cells", f"%%train\n{cell}", "ok")
    for line in ('--doctor "on', "--doctor maybe", "--quiet extra", "\\", "x" * 100_000):
        add("splitter", f"%%train {line}\n{CELL}")

    # -- %config -----------------------------------------------------------------------
    for name in ("monitor_interval", "monitor_history"):
        for value in ("True", "-1", "0", "'x'", "1e309", "float('nan')", "None", "[1]", "10**400"):
            add("config", f"%config DLMagics.{name} = {value}", "either")
    return out
