"""What Grad-CAM costs on the CPU: per image, for a 32x32 CNN, in batches of 1 and of 16, with
and without the sanity check; beside it, one forward and backward pass of the same batch (the
reference, taken in the same run). And the cnn demo's live panel: its cost per frame against
one training step of the race.

    flock /tmp/heavy.lock python benchmarks/gradcam.py [--repeats 20] [--threads 1]

Goal (issue 30): Grad-CAM under 50 ms per image for a 32x32 CNN on the CPU.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import torch
from torch import nn

GOAL_MS = 50.0


def cifar_cnn(classes: int = 10) -> nn.Sequential:
    """A CIFAR-sized CNN: three conv blocks, a global average pool, a linear layer."""
    return nn.Sequential(nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(64, 128, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(128, classes))


def median_s(function, repeats: int) -> float:
    function()  # the first call imports captum and warms the allocator
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def forward_backward(model: nn.Module, x: torch.Tensor) -> None:
    model.zero_grad(set_to_none=True)
    model(x).sum().backward()


def per_image(repeats: int) -> dict:
    from dlmagics.train.gradcam import gradcam

    torch.manual_seed(0)
    model = cifar_cnn().eval()
    rows = {}
    for batch in (1, 16):
        x = torch.rand(batch, 3, 32, 32)
        reference = median_s(lambda: forward_backward(model, x), repeats)
        plain = median_s(lambda: gradcam(model, x, sanity=False), repeats)
        checked = median_s(lambda: gradcam(model, x), repeats)
        rows[f"batch {batch}"] = {
            "ms_per_image": round(plain / batch * 1e3, 2), "with_sanity_ms_per_image": round(checked / batch * 1e3, 2),
            "forward_backward_ms_per_image": round(reference / batch * 1e3, 2),
            "ratio_to_forward_backward": round(plain / reference, 1),
        }
    return rows


def demo_panel(repeats: int) -> dict:
    from dlmagics.train.demos import DEMOS
    from dlmagics.train.engine import BatchStream
    from dlmagics.train.pictures import gradcam_panel

    demo = DEMOS["cnn"]
    settings = demo.settings(quick=True)
    plan = demo.build(settings)
    for c in plan.contenders:
        c.start(settings.lr)
    stream = BatchStream(plan.data.x_train, plan.data.y_train, plan.batch_size, settings.seed)
    generator = torch.Generator().manual_seed(0)

    def step():
        x, y = stream.next()
        for c in plan.contenders:
            c.train_step(x, y, settings.lr, generator)

    step_s = median_s(step, repeats)
    frame_s = median_s(lambda: gradcam_panel(plan), repeats)
    final_s = median_s(lambda: gradcam_panel(plan, sanity=True), repeats)
    return {"panel_ms_per_frame": round(frame_s * 1e3, 2), "final_panel_ms": round(final_s * 1e3, 2),
            "training_step_ms": round(step_s * 1e3, 2), "panel_per_training_step": round(frame_s / step_s, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--threads", type=int, default=None, help="torch's CPU threads (default: torch's own)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    rows = per_image(args.repeats)
    report = {"threads": torch.get_num_threads(), "gradcam_32x32": rows, "cnn_demo_panel": demo_panel(args.repeats)}
    worst = max(r["ms_per_image"] for r in rows.values())
    report["goal"] = f"under {GOAL_MS:.0f} ms per image: {'met' if worst < GOAL_MS else 'NOT met'} (worst {worst} ms)"
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
