"""Do the two parallel demos' lessons hold over seeds, headless and live? (issue 32)

    python benchmarks/parallel_lessons.py [--seeds 0,1,2] [--only parallel,alexnet2] [--modes headless,live]

Each demo at --quick size (two ranks of one thread under torchrun, gloo on the CPU), once per
seed and mode: headless as `%train_demo NAME --no-live` runs it, live as in a kernel (the
dashboard refreshing in its thread, the sidebar's messages kept). Prints each run's lesson in
its own words and a line of how many held; exits 1 if any did not. The tests run three seeds
across the two modes (tests/test_demos_parallel.py); this runs every seed in each.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dlmagics.train import runner  # noqa: E402
from dlmagics.train.demos import DEMOS  # noqa: E402
from dlmagics.train.trainer import Trainer  # noqa: E402


class Shown:
    """IPython's display as the Trainer uses it, outside a kernel: updates dropped."""

    def __call__(self, obj, raw=False, display_id=False):
        return self

    def update(self, obj, raw=False):
        pass


def headless(demo, seed: int):
    return runner.run(runner.start(demo, demo.settings(quick=True, seed=seed), ""))


def live(demo, seed: int):
    sent: list[dict] = []
    trainer = Trainer(sent.append, Shown(), in_kernel=True)
    result = trainer.run(demo, demo.settings(quick=True, seed=seed), live=True)
    if not trainer.live.finished.wait(600):
        raise SystemExit(f"{demo.name}, seed {seed}: the live run did not end in 600 s")
    last = sent[-1]["run"] if sent else {}
    if last.get("status") != result.status:  # the sidebar's last word is the run's
        raise SystemExit(f"{demo.name}, seed {seed}: the sidebar said {last.get('status')}, the run {result.status}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--only", default="parallel,alexnet2")
    parser.add_argument("--modes", default="headless,live")
    args = parser.parse_args()
    ways = {"headless": headless, "live": live}
    held = runs = 0
    for name in args.only.split(","):
        demo = DEMOS[name]
        print(f"{name}: {demo.claim}")
        for mode in args.modes.split(","):
            for seed in (int(s) for s in args.seeds.split(",")):
                started = time.perf_counter()
                result = ways[mode](demo, seed)
                runs += 1
                held += bool(result.status == "finished" and result.lesson.holds)
                print(f"  {mode:<8} seed {seed}: {'holds' if result.lesson.holds else 'DOES NOT HOLD'} "
                      f"({result.status}, {time.perf_counter() - started:.1f} s): {result.lesson.measured}")
    print(f"the lesson held in {held} of {runs} runs")
    sys.exit(0 if held == runs else 1)


if __name__ == "__main__":
    main()
