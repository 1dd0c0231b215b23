"""What a learner does on a GPU, through IPython's own shell with dlmagics loaded: the
hardware demo raced on the CPU and the GPU, %%train over a CUDA loop (watched, with the
doctor), a loop whose batch cannot fit (the doctor's out-of-memory sentence), Grad-CAM
with its sanity check on a CUDA model, and %%ddp with one NCCL rank (an all_reduce on the GPU). Run it on a machine with a GPU (CI has none); it
prints the figures for the notes.

    python benchmarks/gpu_session.py

Exit status 0 when every check held, 1 when one failed, 2 when there is no GPU here.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

FAILED: list[str] = []

CUDA_LOOP = '''
model = nn.Sequential(nn.Flatten(), nn.Linear(64, 512), nn.ReLU(), nn.Dropout(0.2),
                      nn.Linear(512, 512), nn.ReLU(), nn.Dropout(0.2), nn.Linear(512, 10)).to("cuda")
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
x_val, y_val = X_val.cuda(), y_val.cuda()
for epoch in range(5):
    model.train()
    for i in range(0, len(X_train), 32):
        x, y = X_train[i:i + 32].cuda(non_blocking=True), y_train[i:i + 32].cuda(non_blocking=True)
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        val_loss = F.cross_entropy(model(x_val), y_val)
'''


def check(ok: bool, what: str) -> None:
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        FAILED.append(what)


def main() -> int:
    if not torch.cuda.is_available():
        print("no CUDA GPU here")
        return 2
    from IPython.core.interactiveshell import InteractiveShell

    sys.path.insert(0, str(ROOT / "tests" / "doctor"))
    from harness import namespace

    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "dlmagics")
    print(f"torch {torch.__version__}, {torch.cuda.get_device_name(0)}", flush=True)

    started = time.perf_counter()
    demo = ip.run_line_magic("train_demo", "hardware --device cpu:1,cpu,cuda")
    print(repr(demo), flush=True)
    print(f"(%train_demo hardware took {time.perf_counter() - started:.1f} s)", flush=True)
    check(demo is not None and demo.status == "finished", "%train_demo hardware --device cpu:1,cpu,cuda finished")

    ip.user_ns.update(namespace(0))
    ip.run_cell("import torch\nfrom torch import nn\nfrom torch.nn import functional as F")

    def unwatched() -> float:
        plain = dict(ip.user_ns)
        started = time.perf_counter()
        exec(CUDA_LOOP, plain)  # noqa: S102 - the same loop, unwatched
        torch.cuda.synchronize()
        return time.perf_counter() - started

    # The first run loads CUDA's kernels for this loop (in the doctor's first checks too): its
    # report must say that this share came at the start.
    from dlmagics.train.own_frames import cost_words

    for doctor in ("", None, "", "--doctor off", None):
        if doctor is None:
            print(f"the same loop unwatched: {unwatched():.2f} s", flush=True)
            continue
        started = time.perf_counter()
        run = ip.run_cell_magic("train", doctor, CUDA_LOOP)
        took = time.perf_counter() - started
        print(repr(run))
        print(f"%%train {doctor or '(doctor on)'} on CUDA: {took:.2f} s (training {run.elapsed_s:.2f} s), status "
              f"{run.status}, final {run.final}, findings {[f.key for f in run.findings]}, watch share "
              f"{run.doctor_share:.1%}", flush=True)
        check(run.status == "finished" and not run.findings, f"%%train {doctor} over a healthy CUDA loop: no finding")
        said = cost_words(run)
        check(run.doctor_share < 0.15 or "first 10 steps" in said,
              f"%%train {doctor}: watching took under 15% of the run, or the report says it came at the start ({said})")

    oom = (ROOT / "tests" / "doctor" / "loops" / "batch_too_big_cuda.py").read_text()
    ip.user_ns.update(namespace(0))
    run = ip.run_cell_magic("train", "", oom)
    key = run.explanation.key if run.explanation else None
    print(f"out-of-memory loop: status {run.status}; PyTorch: {run.error}; the doctor: "
          f"{run.explanation.line() if run.explanation else None}", flush=True)
    check(run.status == "failed" and key == "error_out_of_memory", "the OOM loop is named error_out_of_memory")
    torch.cuda.empty_cache()

    import dlmagics

    cnn = torch.nn.Sequential(torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.ReLU(),
                              torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.ReLU(),
                              torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(32, 10)).cuda()
    images = ip.user_ns["X_val"][:16].cuda()
    started = time.perf_counter()
    cam = dlmagics.gradcam(cnn, images)
    torch.cuda.synchronize()
    print("\n".join(cam.lines()[:3] + cam.lines()[-1:]))
    print(f"Grad-CAM of 16 images on CUDA with the sanity check: {time.perf_counter() - started:.3f} s", flush=True)
    check(cam.maps.shape == (16, 8, 8) and cam.sanity is not None, "Grad-CAM on a CUDA model, with its sanity check")

    started = time.perf_counter()
    report = ip.run_cell_magic("ddp", "-n 1 --backend nccl --timeout 60",
                               "x = torch.ones(1 << 20, device=device) * (rank + 1)\n"
                               "dist.all_reduce(x)\n"
                               "print('sum', x[0].item(), 'on', x.device)")
    print(repr(report))
    print(f"%%ddp -n 1 --backend nccl: {time.perf_counter() - started:.1f} s", flush=True)
    check(report.status == "finished", "%%ddp ran one NCCL rank on the GPU (its line above says the device)")
    print("failed: " + "; ".join(FAILED) if FAILED else "every check held")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
