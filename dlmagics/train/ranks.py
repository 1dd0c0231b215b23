"""The rank side of the parallel demos (parallel.py starts them under torchrun, through the
%%ddp launcher): each phase trains a net on one process (rank 0, while rank 1 waits), then on
two ranks, data-parallel (DDP: each rank half of the batch, the gradients summed by
all_reduce) or split like AlexNet (each rank half of the filters; the halves meet by
all_gather). Each step and evaluation is a line on stdout, PREFIX and JSON, that the kernel
reads as it comes (the live dashboard); each step's time with a collective in flight is
measured by the %%ddp bootstrap's counter.

Pure torch and this package: no IPython, no widgets, no channel."""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path

import torch
from torch import nn

from .data import digits
from .engine import BatchStream
from .nets import mlp, two_columns

PREFIX = "@dlmagics-step "  # a line the kernel reads; anything else a rank prints is its own
EVAL_LIMIT = 600  # examples of each set evaluated (the test set has fewer)


def net(kind: str, phase: dict, data) -> nn.Module:
    """The one-device net of a phase, from the run's seed (every rank builds the same)."""
    if kind == "parallel":
        return mlp([data.features, phase["width"], phase["width"], data.classes])
    return two_columns(data.classes, phase["width"], phase["hidden"], data.x_train.shape[-1])


class Meet(torch.autograd.Function):
    """Every rank's half side by side (all_gather); backward, each half gets the sum of the
    ranks' gradients for it (all_reduce, then this rank's part)."""

    @staticmethod
    def forward(ctx, half):
        import torch.distributed as dist  # looked up at the call: the bootstrap times its collectives

        parts = [torch.empty_like(half) for _ in range(dist.get_world_size())]
        dist.all_gather(parts, half.contiguous())
        ctx.rank, ctx.world = dist.get_rank(), len(parts)
        return torch.cat(parts, dim=1)

    @staticmethod
    def backward(ctx, grad):
        import torch.distributed as dist

        grad = grad.contiguous()
        dist.all_reduce(grad)
        return grad.chunk(ctx.world, dim=1)[ctx.rank]


meet = Meet.apply


def _share(layer: nn.Module, rank: int, world: int) -> nn.Module:
    """This rank's share of a layer's outputs (its rows of the weight), as a layer of its own."""
    outputs = layer.out_features if isinstance(layer, nn.Linear) else layer.out_channels
    rows = slice(rank * outputs // world, (rank + 1) * outputs // world)
    weight = layer.weight[rows]
    if isinstance(layer, nn.Linear):
        mine = nn.Linear(weight.shape[1], weight.shape[0])
    else:
        mine = nn.Conv2d(weight.shape[1], weight.shape[0], layer.kernel_size, padding=layer.padding)
    with torch.no_grad():
        mine.weight.copy_(weight)
        mine.bias.copy_(layer.bias[rows])
    return mine


class Column(nn.Module):
    """One rank's column of nets.two_columns: the same function, its weights cut in halves.
    The halves meet where AlexNet's two GPUs exchanged activations: into the third
    convolution and into each dense layer (and the class scores, for the loss)."""

    def __init__(self, whole: nn.Sequential, rank: int, world: int):
        super().__init__()
        self.conv1, self.conv2, self.conv3, self.dense1, self.dense2 = (
            _share(m, rank, world) for m in whole if isinstance(m, (nn.Conv2d, nn.Linear)))
        self.relu, self.pool = nn.ReLU(), nn.MaxPool2d(2)

    def forward(self, x):
        a = self.pool(self.relu(self.conv2(self.relu(self.conv1(x)))))
        a = self.pool(self.relu(self.conv3(meet(a))))
        a = self.relu(self.dense1(meet(a).flatten(1)))
        return meet(self.dense2(meet(a)))


class TimedTraining:
    """One net's steps, timed, each said as a line."""

    def __init__(self, name: str, model: nn.Module, lr: float, device, loss_scale: float = 1.0):
        self.name, self.model, self.device = name, model.to(device), device
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=lr)
        # Column: every rank computes the same loss from the gathered scores, and all_gather's
        # backward sums the ranks' gradients, so each rank's loss counts 1/world of it
        self.loss_scale = loss_scale
        self.loss = nn.CrossEntropyLoss()

    def step(self, index: int, x, y, comm) -> None:
        started, comm_before = time.perf_counter(), comm()
        self.optimizer.zero_grad(set_to_none=True)
        loss = self.loss(self.model(x.to(self.device)), y.to(self.device))
        (loss * self.loss_scale).backward()
        self.optimizer.step()
        value = loss.item()
        say({"name": self.name, "step": index, "loss": value, "s": time.perf_counter() - started,
             "comm_s": comm() - comm_before})

    @torch.no_grad()
    def evaluate(self, index: int, data) -> None:
        self.model.eval()
        record = {"step": index}
        for split, x, y in (("train", data.x_train, data.y_train), ("test", data.x_test, data.y_test)):
            x, y = x[:EVAL_LIMIT].to(self.device), y[:EVAL_LIMIT].to(self.device)
            logits = self.model(x)
            record[f"{split}_loss"] = float(self.loss(logits, y))
            record[f"{split}_accuracy"] = float((logits.argmax(1) == y).float().mean())
        self.model.train()
        say({"name": self.name, "eval": record})


def say(message: dict) -> None:
    print(PREFIX + json.dumps(message), flush=True)


def train(trainer: TimedTraining, data, phase: dict, seed: int, part=None) -> None:
    """``phase["steps"]`` steps on the global batches of ``seed``; ``part(x)``: this rank's share."""
    stream = BatchStream(data.x_train, data.y_train, phase["batch"], seed)
    for index in range(1, phase["steps"] + 1):
        x, y = stream.next()
        trainer.step(index, *(part(x), part(y)) if part else (x, y), comm=phase["comm"])
        if index % phase["eval_every"] == 0 or index == phase["steps"]:
            trainer.evaluate(index, data)


def main(rank: int, world: int, device, step, config: dict) -> None:
    """The whole run on one rank (``step``: the %%ddp bootstrap's, whose counter times the collectives)."""
    from torch.nn.parallel import DistributedDataParallel

    kind, seed, lr = config["demo"], config["seed"], config["lr"]
    data = digits(seed)
    for number, phase in enumerate(config["phases"]):
        phase = dict(phase, comm=step.counter.seconds)
        handed_over = Path(config["folder"]) / f"phase{number}"
        torch.manual_seed(seed)
        whole = net(kind, phase, data)
        if rank == 0:  # one process: the others wait, idle, so it has the machine to itself
            train(TimedTraining(phase["one"], copy.deepcopy(whole), lr, device), data, phase, seed)
            handed_over.touch()
        while not handed_over.exists():
            time.sleep(0.05)
        name = phase["ranks"][rank]
        if kind == "parallel":
            model = DistributedDataParallel(whole.to(device))
            train(TimedTraining(name, model, lr, device), data, phase, seed, part=lambda t: t.tensor_split(world)[rank])
        else:
            train(TimedTraining(name, Column(whole, rank, world), lr, device, loss_scale=1 / world), data, phase, seed)


def code(config: dict) -> str:
    """What each rank runs (a module the launcher writes: nothing is pickled from the kernel)."""
    return ("import json\nfrom dlmagics.train.ranks import main\n"
            f"main(rank, world_size, device, step, json.loads({json.dumps(config)!r}))\n")
