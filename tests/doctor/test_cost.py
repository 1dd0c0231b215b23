"""What watching costs a run (dlmagics/train/cost.py): a wait for the GPU to finish the
learner's queued work before a read is not the watch's or the doctor's time (a first run on a
GPU loads its kernels then: counted, it made the doctor look like 39% of a run on an H200)."""

from __future__ import annotations

import torch

from dlmagics.train import cost


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def perf_counter(self) -> float:
        return self.now


class OnTheGpu(torch.Tensor):
    """A CPU tensor that says it is on a GPU: settle() takes it for one."""

    @property
    def is_cuda(self) -> bool:
        return True


def test_a_wait_for_the_gpu_is_taken_out_of_the_time_and_the_rest_is_kept(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(cost, "time", clock)
    waits = []

    def synchronize(device=None):  # the GPU finishes 0.25 s of the learner's queued work
        waits.append(device)
        clock.now += 0.25
    monkeypatch.setattr(torch.cuda, "synchronize", synchronize)
    start = cost.mark()
    clock.now += 0.002  # the watch's own work
    cost.settle(torch.zeros(3).as_subclass(OnTheGpu))
    clock.now += 0.001
    assert len(waits) == 1
    assert abs(cost.since(start) - 0.003) < 1e-9
    assert abs((clock.now - start[0]) - 0.253) < 1e-9  # what the watch used to count


def test_a_cpu_tensor_is_never_waited_for(monkeypatch):
    monkeypatch.setattr(torch.cuda, "synchronize", lambda device=None: (_ for _ in ()).throw(AssertionError("synced")))
    start = cost.mark()
    cost.settle(torch.zeros(3))
    cost.settle(None)
    assert cost.since(start) >= 0


def test_a_run_whose_watching_cost_came_at_its_start_says_so_and_a_steady_one_does_not():
    from dlmagics.train.own import OwnResult
    from dlmagics.train.own_frames import cost_words

    run = OwnResult("%%train")
    run.history.loss = [1.0] * 200
    run.elapsed_s, run.watch_s = 0.62, 0.25
    run.first_steps_s = (0.23, 0.27)  # a first run on a GPU: the doctor's kernels load in its first steps
    assert cost_words(run) == ("watching this run (PyTorch's hooks and the doctor) took 40.3% of its time: 0.2 s in "
                               "its first 10 steps (the doctor's first checks; on a GPU, loading their code, once a "
                               "kernel), 5.7% of the time after them")
    run.first_steps_s = (0.0125, 0.0338)  # the same share all along: nothing more to say
    run.watch_s, run.elapsed_s = 0.0125 * 20, 0.0338 * 20
    assert cost_words(run) == "watching this run (PyTorch's hooks and the doctor) took 37.0% of its time"
    run.first_steps_s, run.watch_s, run.elapsed_s = (0.02, 0.03), 0.03, 1.0  # 3%: a small share is said plainly
    assert cost_words(run) == "watching this run (PyTorch's hooks and the doctor) took 3.0% of its time"


def test_a_real_run_records_its_first_steps_watching_time():
    from dlmagics.train.own import OwnResult, run_cell

    namespace = {}
    code = ("import torch\nfrom torch import nn\nmodel = nn.Linear(4, 3)\n"
            "opt = torch.optim.SGD(model.parameters(), lr=0.1)\nx, y = torch.randn(32, 4), torch.randint(0, 3, (32,))\n"
            "for _ in range(30):\n    opt.zero_grad()\n    loss = nn.functional.cross_entropy(model(x), y)\n"
            "    loss.backward()\n    opt.step()\n")
    run = run_cell(OwnResult("%%train"), code, namespace)
    assert run.status == "finished" and run.history.steps == 30
    watched, elapsed = run.first_steps_s
    assert 0 < watched <= run.watch_s and 0 < elapsed <= run.elapsed_s
