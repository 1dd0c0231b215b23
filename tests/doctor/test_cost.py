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


TIMED = ("the watch's hooks and the doctor ran for {} of this run's time (timed inside them; the calls into them "
         "are not counted)")


def test_a_run_whose_watching_cost_came_at_its_start_says_so_and_a_steady_one_does_not():
    from dlmagics.train.own import OwnResult
    from dlmagics.train.own_frames import cost_words

    run = OwnResult("%%train")
    run.history.loss = [1.0] * 200
    run.elapsed_s, run.watch_s = 0.62, 0.25
    run.first_steps_s = (0.23, 0.27)  # a first run on a GPU: the doctor's kernels load in its first steps
    assert cost_words(run) == ("the watch's hooks and the doctor ran for 40.3% of this run's time (timed inside "
                               "them; the calls into them are not counted): 0.2 s in its first 10 steps (the doctor's "
                               "first checks; on a GPU, loading their code, once a kernel), 5.7% of the time after them")
    run.first_steps_s = (0.0125, 0.0338)  # the same share all along: nothing more to say
    run.watch_s, run.elapsed_s = 0.0125 * 20, 0.0338 * 20
    assert cost_words(run) == TIMED.format("37.0%")
    run.first_steps_s, run.watch_s, run.elapsed_s = (0.02, 0.03), 0.03, 1.0  # 3%: a small share is said plainly
    assert cost_words(run) == TIMED.format("3.0%")


LOOP = ("import torch\nfrom torch import nn\nmodel = nn.Linear(4, 3)\n"
        "opt = torch.optim.SGD(model.parameters(), lr=0.1)\nx, y = make(torch.randn(32, 4)), torch.randint(0, 3, (32,))\n"
        "for _ in range(STEPS):\n    opt.zero_grad()\n    loss = nn.functional.cross_entropy(model(x), y)\n"
        "    loss.backward()\n    opt.step()\n")


def test_a_real_run_on_a_gpu_records_its_first_steps_watching_time(monkeypatch):
    from dlmagics.train.own import OwnResult, run_cell

    monkeypatch.setattr(torch.cuda, "synchronize", lambda device=None: None)
    run = run_cell(OwnResult("%%train"), LOOP, {"make": lambda x: x.as_subclass(OnTheGpu), "STEPS": 30})
    assert run.status == "finished" and run.history.steps == 30
    watched, elapsed = run.first_steps_s
    assert 0 < watched <= run.watch_s and 0 < elapsed <= run.elapsed_s


def test_a_cpu_run_records_no_first_steps_and_never_speaks_of_loading_gpu_code():
    # On the CPU, a 12-step run read "took 5.8% of its time: 0.0 s in its first 10 steps (the
    # doctor's first checks; on a GPU, loading their code, once a kernel), 0.3% of the time after them"
    from dlmagics.train.own import OwnResult, run_cell
    from dlmagics.train.own_frames import cost_words

    for steps in (12, 30):
        run = run_cell(OwnResult("%%train"), LOOP, {"make": lambda x: x, "STEPS": steps})
        assert run.status == "finished" and run.first_steps_s is None
        assert "first 10 steps" not in cost_words(run)


def test_a_short_first_share_is_said_in_milliseconds_not_as_zero_seconds():
    from dlmagics.train.own import OwnResult
    from dlmagics.train.own_frames import cost_words

    run = OwnResult("%%train")
    run.history.loss = [1.0] * 40
    run.elapsed_s, run.watch_s, run.first_steps_s = 0.5, 0.05, (0.04, 0.1)
    assert "not counted): 40 ms in its first 10 steps" in cost_words(run)


def test_an_evaluations_queued_gpu_work_is_waited_for_apart_before_its_losses_are_read(monkeypatch):
    # A loop that evaluates mid-epoch on a GPU queues the whole evaluation; its first training
    # loss after it closes the evaluation in the watch's hook, where reading the losses waited
    # for all of that work and counted it as watching.
    from dlmagics.train.engine import Controls
    from dlmagics.train.own import OwnResult, Recorder
    from dlmagics.train.watch import Batch

    waits = []
    monkeypatch.setattr(torch.cuda, "synchronize", lambda device=None: waits.append(device))
    recorder = Recorder(OwnResult("%%train"), Controls(0.1), None, {})
    for loss in (0.5, 0.7):
        recorder.evaluation_batch(Batch(torch.tensor(loss).as_subclass(OnTheGpu), 4, None))
    recorder._close_evaluation()
    assert len(waits) == 1 and abs(recorder.history.evals[0]["loss"] - 0.6) < 1e-6


def test_a_pause_is_neither_the_runs_time_nor_the_watchs(monkeypatch):
    # Paused 1 s in a 3 s CPU run, the run read "watching ... took 35.5% of its time": the pause
    # is held in the watch's step hook, and counted there.
    import time

    from dlmagics.train.engine import Controls
    from dlmagics.train.own import OwnResult, run_cell

    clock = FakeClock()

    def perf_counter() -> float:  # each read a microsecond on: the run's own time is milliseconds
        clock.now += 1e-6
        return clock.now
    monkeypatch.setattr(time, "perf_counter", perf_counter)
    controls = Controls(0.1)

    def pause_once() -> None:  # the learner holds Pause for 100 s at one step, then Resume
        if not getattr(pause_once, "done", False):
            pause_once.done = True
            clock.now += 100.0
            controls.resume()
    controls.wait_while_paused = pause_once
    controls.pause()
    run = run_cell(OwnResult("%%train"), LOOP, {"make": lambda x: x, "STEPS": 30}, controls=controls)
    assert run.status == "finished" and pause_once.done
    assert 100.0 <= run.paused_s < 100.001 and run.elapsed_s > 100.0
    assert run.watch_s < 0.1  # was 100 s and more
    assert run.doctor_share == run.watch_s / (run.elapsed_s - run.paused_s)  # of the time it ran


def test_past_its_first_checks_the_doctor_is_called_only_at_its_sampled_steps(monkeypatch):
    # Each call into the doctor costs a learner's step a few microseconds of Python: a step with
    # nothing to check skips it (the recorder asks Doctor.wants_*), and the findings stay the same
    # (tests/doctor/test_corpus.py runs every loop of the corpus through the same calls).
    from dlmagics.train.doctor import rules
    from dlmagics.train.doctor.rules import NO_STEP_BATCHES, PROBE_GAP, ZERO_GRAD_WATCH, Doctor
    from dlmagics.train.own import OwnResult, run_cell

    monkeypatch.setattr(rules, "DOCTOR_SHARE", 1.0)  # every sampled step within its budget, on any machine
    called = dict.fromkeys(("before_step", "after_step", "training_loss"), 0)

    def counted(name, method):
        def call(self, *args):
            called[name] += 1
            return method(self, *args)
        return call

    for name in called:
        monkeypatch.setattr(Doctor, name, counted(name, getattr(Doctor, name)))
    steps = ZERO_GRAD_WATCH + 4 * PROBE_GAP
    run = run_cell(OwnResult("%%train"), LOOP, {"make": lambda x: x, "STEPS": steps})
    assert run.status == "finished" and run.history.steps == steps and not run.findings
    assert called["training_loss"] == NO_STEP_BATCHES  # the first losses' checks
    # the zero_grad watch over the first steps, then one call at each sampled step past it
    assert ZERO_GRAD_WATCH <= called["before_step"] <= ZERO_GRAD_WATCH + 1 + 4, called
    assert called["after_step"] == len(rules.PROBE_STEPS) + 4, called
