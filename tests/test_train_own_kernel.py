"""%%train in a real kernel, driven the way JupyterLab drives it: the learner's loop trains in
the background while jupyter_client sends the slider's new value, the sidebar's Stop and the
kernel's interrupt; what the loop printed, made and trained is kept."""

from __future__ import annotations

import pytest

from conftest import validate
from test_kernel_e2e import Kernel, data_of, opened
from test_train_kernel import send_widget, widget

pytestmark = pytest.mark.timeout(240)

DATA = """
import torch
from torch import nn
from dlmagics.train.data import digits
d = digits()
X_train, y_train = d.x_train.flatten(1), d.y_train
"""

# A learner's loop over a generator that never ends: only Stop or the interrupt ends it.
ENDLESS = """%%train
model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
loss_fn = nn.CrossEntropyLoss()

def batches():
    while True:
        for i in range(0, len(X_train) - 32, 32):
            yield X_train[i:i + 32], y_train[i:i + 32]

for step, (xb, yb) in enumerate(batches()):
    optimizer.zero_grad()
    loss = loss_fn(model(xb), yb)
    loss.backward()
    optimizer.step()
    if step == 5:
        print("step five", flush=True)
"""


@pytest.fixture
def kernel():
    k = Kernel()
    yield k
    k.close()


def training(predicate):
    return lambda m: data_of("training")(m) and predicate(m["content"]["data"]["run"])


def test_the_slider_and_the_sidebars_stop_act_on_a_learners_loop_and_everything_is_kept(kernel):
    kernel.execute("%load_ext dlmagics")
    comm_id = opened(kernel)["content"]["comm_id"]
    kernel.execute(DATA)
    cell_id = kernel.kc.execute(ENDLESS)
    going = kernel.wait_comm(training(lambda run: run["demo"] == "%%train" and run["step"] > 0 and run["lr"] == 0.01), 60)
    validate(going["content"]["data"])

    slider = widget(kernel, "FloatLogSliderModel", description="learning rate")
    send_widget(kernel, slider, {"method": "update", "state": {"value": 0.05}, "buffer_paths": []})
    # applied at the next step: the optimizer's rate, as the run reports it, becomes the slider's
    kernel.wait_comm(training(lambda run: run["lr"] == 0.05 and run["status"] == "running"), 60)

    kernel.send_comm("comm_msg", {"comm_id": comm_id, "data": {"type": "stop_training"}})
    final = kernel.wait_comm(training(lambda run: run["status"] != "running"), 60)
    validate(final["content"]["data"])
    assert final["content"]["data"]["run"]["status"] == "stopped"

    out = kernel.execute("r = _; h = r.history; print(r.status, h.batches_done == len(h.lr) > 6, h.lr_changes[0]['from'], "
                         "h.lr_changes[0]['to'], h.lr[-1], optimizer.param_groups[0]['lr'], type(model).__name__, "
                         "r.findings)")
    assert out.split() == ["stopped", "True", "0.01", "0.05", "0.05", "0.05", "Sequential", "[]"], out
    # what the loop printed went to its own cell
    printed = [m for m in kernel.printed if m["parent_header"].get("msg_id") == cell_id]
    assert any("step five" in m["content"]["text"] for m in printed), [m["content"] for m in printed]


def test_the_kernels_interrupt_between_cells_stops_a_learners_loop(kernel):
    kernel.execute("%load_ext dlmagics")
    kernel.execute(DATA)
    kernel.kc.execute(ENDLESS)
    kernel.wait_comm(training(lambda run: run["demo"] == "%%train" and run["step"] > 0), 60)
    kernel.km.interrupt_kernel()  # the stop button, with no cell running
    final = kernel.wait_comm(training(lambda run: run["status"] != "running"), 60)
    assert final["content"]["data"]["run"]["status"] == "interrupted"
    out = kernel.execute("print(_.status, _.history.batches_done > 0, 1 + 1)")
    assert out.split() == ["interrupted", "True", "2"], out  # and the kernel goes on
    # an interrupt inside a cell is still the cell's own KeyboardInterrupt
    msg = kernel.interrupt("import time; time.sleep(30)", kinds=("error",), after=0.5)
    assert msg["content"]["ename"] == "KeyboardInterrupt"
