"""%dldata's report of a folder of 10,000 small PNGs (issue 30): the goal is under 15 s on two
cores, progress shown while it reads, and the kernel's memory growing by under 300 MB (the
report keeps thumbnails, not the decoded images).

    python benchmarks/data_report.py [--images 10000] [--side 32]

It writes the PNGs (10 classes, random pixels) to a temporary folder, then times, side by side:
the reference, Pillow opening and decoding every file and nothing else, and the report
(``dlmagics.data.load`` with the progress line %dldata draws, its display recorded). It prints
the seconds of each, their ratio, the lines of progress drawn, and the process's RSS growth.
Exit status 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import psutil
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dlmagics.data import load  # noqa: E402
from dlmagics.data.command import Progress  # noqa: E402
from dlmagics.testing import FakeDisplay  # noqa: E402

GOAL_S = 15.0
GOAL_MB = 300.0


def write_pngs(root: Path, count: int, side: int) -> list[Path]:
    rng = np.random.default_rng(0)
    paths = []
    for i in range(count):
        folder = root / f"class_{i % 10}"
        folder.mkdir(exist_ok=True)
        path = folder / f"{i:05}.png"
        Image.fromarray(rng.integers(0, 256, (side, side, 3), dtype=np.uint8)).save(path)
        paths.append(path)
    return paths


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=10_000)
    parser.add_argument("--side", type=int, default=32)
    options = parser.parse_args()
    process = psutil.Process()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        paths = write_pngs(root, options.images, options.side)
        print(f"{options.images:,} PNGs of {options.side} x {options.side} in {root} "
              f"({sum(p.stat().st_size for p in paths) / 1e6:.1f} MB), {os.cpu_count()} CPUs")

        started = time.perf_counter()
        for path in paths:  # the reference: decoding alone
            with Image.open(path) as image:
                image.load()
        reference = time.perf_counter() - started

        display = FakeDisplay()
        gc.collect()
        before = process.memory_info().rss
        progress = Progress(display)
        started = time.perf_counter()
        ds = load(root, progress=progress)
        report_s = time.perf_counter() - started
        progress.close()
        gc.collect()
        grown_mb = (process.memory_info().rss - before) / 1e6
        lines = [d for d in display.drawn if d]
        print(f"decoding alone (reference): {reference:.2f} s")
        print(f"the report:                 {report_s:.2f} s ({report_s / reference:.1f}x the reference; goal under "
              f"{GOAL_S:g} s)")
        print(f"progress lines drawn:       {len(lines)} (first: {lines[0] if lines else '-'!r})")
        print(f"RSS growth:                 {grown_mb:.0f} MB (goal under {GOAL_MB:g} MB)")
        print(f"report: {len(ds):,} images, {len(ds.classes)} classes, mean {[round(m, 4) for m in ds.report.mean]}")
        ok = report_s < GOAL_S and grown_mb < GOAL_MB and lines and len(ds) == options.images
    print("goals met" if ok else "a goal was missed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
