"""Every demo shows its lesson: the claim in its docstring, measured at --quick size, holds
for three seeds. A change that hides a lesson (a learning rate, a depth, an init) fails here."""

from __future__ import annotations

import pytest
import torch

from dlmagics.train import runner
from dlmagics.train.demos import DEMOS

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(autouse=True)
def two_threads():
    before = torch.get_num_threads()
    torch.set_num_threads(min(2, before))
    yield
    torch.set_num_threads(before)


# One test per demo and seed: each within its own time limit, however slow the machine.
@pytest.mark.parametrize("name, seed", [(name, seed) for name in DEMOS for seed in (0, 1, 2)])
def test_the_lesson_holds_over_three_seeds(name, seed):
    demo = DEMOS[name]
    assert demo.claim, f"{name} states no lesson in its docstring"
    result = runner.run(runner.start(demo, demo.settings(quick=True, seed=seed), ""))
    assert result.status == "finished", result.error
    lesson = result.lesson
    assert lesson.holds, f"{name}, seed {seed}: {demo.claim} | measured: {lesson.measured}"


def test_the_same_seed_gives_the_same_numbers():
    demo = DEMOS["optimizers"]
    runs = [runner.run(runner.start(demo, demo.settings(quick=True, epochs=1, seed=7), "")) for _ in range(2)]
    assert runs[0].history.loss == runs[1].history.loss
    assert runs[0].final["Adam"]["test_accuracy"] == runs[1].final["Adam"]["test_accuracy"]
    other = runner.run(runner.start(demo, demo.settings(quick=True, epochs=1, seed=8), ""))
    assert other.history.loss != runs[0].history.loss


def test_a_demo_leaves_the_users_random_state_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    runner.run(runner.start(DEMOS["xor"], DEMOS["xor"].settings(quick=True, epochs=2), ""))
    assert torch.equal(torch.rand(3), expected)
