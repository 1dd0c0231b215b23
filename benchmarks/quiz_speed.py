"""%dlquiz's speed goals, measured in one process on this machine.

1. Time from an answer to its feedback in the kernel: the Check button's whole handler
   (grading, the append to the progress store, the new widget values), for each question
   type (goal: under 50 ms).
2. The same seen from outside, in a real kernel: a client sends the Check click as a
   browser does and waits for the feedback's widget update (adds ZeroMQ and the comms).
3. Time to read and check the whole built-in bank from its files (no cache).

    python benchmarks/quiz_speed.py [--repeat 200]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dlmagics.quiz import catalog  # noqa: E402
from dlmagics.quiz.formats import load  # noqa: E402
from dlmagics.quiz.store import ProgressStore  # noqa: E402
from dlmagics.quiz.tutor import Tutor  # noqa: E402
from dlmagics.quiz.view import QuizView  # noqa: E402

SAMPLE = Path(__file__).resolve().parent.parent / "tests" / "quizzes" / "sample.yaml"
ANSWERS = {"pick-one": 1, "pick-many": [0, 1, 3], "reduction": "36.4", "who": "Hinton", "relu": None}


def answer_to_feedback(repeat: int) -> None:
    namespace: dict = {}
    exec("def relu(x): return max(0.0, x)", namespace)
    with tempfile.TemporaryDirectory() as folder:
        store = ProgressStore(Path(folder) / "progress.jsonl")
        view = QuizView(Tutor(load(SAMPLE), store, namespace=namespace))
        print(f"{'question type':<14} {'median ms':>10} {'p95 ms':>8}   (Check pressed {repeat} times each)")
        worst = 0.0
        for qv in view.questions:
            value = ANSWERS[qv.q.id]
            if qv.q.type == "single":
                qv.input.value = value
            elif qv.q.type == "multiple":
                for i, box in enumerate(qv.boxes):
                    box.value = i in value
            elif qv.q.type in ("numeric", "text"):
                qv.input.value = value
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                qv.on_check()
                times.append((time.perf_counter() - started) * 1000)
            p95 = statistics.quantiles(times, n=20)[-1]
            worst = max(worst, p95)
            print(f"{qv.q.type:<14} {statistics.median(times):10.2f} {p95:8.2f}")
        lines = len(store.path.read_text().splitlines())
        print(f"worst p95: {worst:.2f} ms (goal: < 50 ms); the store holds {lines} answers after the run\n")


def round_trip(repeat: int) -> None:
    import os

    from jupyter_client.manager import start_new_kernel

    with tempfile.TemporaryDirectory() as folder:
        os.environ["DLMAGICS_QUIZ_STORE"] = str(Path(folder) / "progress.jsonl")
        km, kc = start_new_kernel(kernel_name="python3")
        try:
            opened = {}
            kc.execute_interactive("%load_ext dlmagics\n%dlquiz tricks", timeout=60,
                                   output_hook=lambda m: opened.update({m["content"]["comm_id"]: m["content"]["data"]})
                                   if m["msg_type"] == "comm_open" else None)
            check = [cid for cid, d in opened.items() if d.get("state", {}).get("description") == "Check"][3]
            radio = next(cid for cid, d in opened.items() if d.get("state", {}).get("_model_name") == "RadioButtonsModel")
            send = lambda cid, data: kc.shell_channel.send(kc.session.msg("comm_msg", {"comm_id": cid, "data": data}))  # noqa: E731
            times = []
            for i in range(repeat):
                # Right and wrong in turn, so that every feedback differs from the one before.
                send(radio, {"method": "update", "state": {"index": i % 2}, "buffer_paths": []})
                started = time.perf_counter()
                send(check, {"method": "custom", "content": {"event": "click"}})
                expected = "Correct." if i % 2 == 0 else "Not yet"
                while True:
                    msg = kc.get_iopub_msg(timeout=10)
                    if msg["msg_type"] == "comm_msg" and expected in str(msg["content"]["data"].get("state", {})):
                        break
                times.append((time.perf_counter() - started) * 1000)
            print(f"real kernel, click to feedback update: median {statistics.median(times):.2f} ms, "
                  f"p95 {statistics.quantiles(times, n=20)[-1]:.2f} ms over {repeat} clicks (goal: < 50 ms)\n")
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)


def bank_load(repeat: int) -> None:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        quizzes = {path.stem: load(path) for path in sorted(catalog.BANK.glob("*.yaml"))}
        times.append((time.perf_counter() - started) * 1000)
    questions = sum(len(q.questions) for q in quizzes.values())
    print(f"reading the bank ({len(quizzes)} quizzes, {questions} questions): median {statistics.median(times):.1f} ms, "
          f"max {max(times):.1f} ms over {repeat} reads")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    answer_to_feedback(args.repeat)
    round_trip(args.repeat)
    bank_load(max(5, args.repeat // 20))


if __name__ == "__main__":
    main()
