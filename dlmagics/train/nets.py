"""The networks the demos race: small enough to train in seconds on a laptop CPU."""

from __future__ import annotations

import torch
from torch import nn

ACTIVATIONS = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh}


def mlp(sizes: list[int], activation: str = "relu", init: str = "default", dropout: float = 0.0,
        batchnorm: bool = False) -> nn.Sequential:
    """Linear layers of ``sizes`` (input first, classes last) with an activation between them.

    ``init``: torch's default, ``he`` (Kaiming normal, for ReLU) or ``xavier``.
    """
    layers: list[nn.Module] = [nn.Flatten()]
    for i, (fan_in, fan_out) in enumerate(zip(sizes, sizes[1:])):
        linear = nn.Linear(fan_in, fan_out)
        if init == "he":
            nn.init.kaiming_normal_(linear.weight, nonlinearity="relu")
            nn.init.zeros_(linear.bias)
        elif init == "xavier":
            nn.init.xavier_normal_(linear.weight)
            nn.init.zeros_(linear.bias)
        layers.append(linear)
        if i < len(sizes) - 2:
            if batchnorm:
                layers.append(nn.BatchNorm1d(fan_out))
            layers.append(ACTIVATIONS[activation]())
            if dropout:
                layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers)


def linear_layers(model: nn.Module) -> list[nn.Module]:
    """The layers with a weight matrix, input side first (for per-layer gradient norms)."""
    return [m for m in model.modules() if isinstance(m, (nn.Linear, nn.Conv2d))]


class Block(nn.Module):
    """LayerNorm, Linear, ReLU; with ``residual`` the input is added back (He et al., 2015)."""

    def __init__(self, width: int, residual: bool):
        super().__init__()
        self.residual = residual
        self.body = nn.Sequential(nn.LayerNorm(width), nn.Linear(width, width), nn.ReLU())

    def forward(self, x):
        return x + self.body(x) if self.residual else self.body(x)


def deep_net(features: int, width: int, depth: int, classes: int, residual: bool) -> nn.Sequential:
    """``depth`` blocks of the same width between an input and an output layer."""
    return nn.Sequential(nn.Flatten(), nn.Linear(features, width),
                         *[Block(width, residual) for _ in range(depth)], nn.Linear(width, classes))


def small_cnn(classes: int = 10, size: int = 8, dropout: float = 0.25, in_channels: int = 1) -> nn.Sequential:
    """Conv, conv, pool, dropout, linear: the AlexNet ingredients at the scale of 8x8 digits
    (``size`` x ``size`` images of ``in_channels``: 1 grey, 3 colour)."""
    return nn.Sequential(
        nn.Conv2d(in_channels, 32, 3, padding=1), nn.ReLU(),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(),
        nn.MaxPool2d(2), nn.Dropout(dropout), nn.Flatten(),
        nn.Linear(64 * (size // 2) ** 2, classes),
    )


def conv_then_dense(classes: int, size: int = 8, in_channels: int = 1, channels: tuple[int, int] = (16, 32),
                    hidden: int = 256) -> nn.Sequential:
    """Two convolutions and a pool (features that hold for any image), two dense hidden layers
    (features of the task at hand) and a linear output: a net that can be frozen by kind of
    layer (the transfer demo)."""
    first, second = channels
    return nn.Sequential(
        nn.Conv2d(in_channels, first, 3, padding=1), nn.ReLU(),
        nn.Conv2d(first, second, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(second * (size // 2) ** 2, hidden), nn.ReLU(),
        nn.Linear(hidden, hidden), nn.ReLU(),
        nn.Linear(hidden, classes),
    )


def layer_prefixes(model: nn.Sequential, *kinds: type) -> tuple[str, ...]:
    """The parameter-name prefixes ("0.", "2.", ...) of a Sequential's layers of these kinds."""
    return tuple(f"{i}." for i, layer in enumerate(model) if isinstance(layer, kinds))


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


class RBM(nn.Module):
    """A restricted Boltzmann machine with binary units, trained by contrastive divergence.

    Hinton's recipe (2002, 2006): one Gibbs step from the data (CD-1) gives the "negative"
    statistics; the weights move by the difference of the data and model correlations.
    """

    def __init__(self, visible: int, hidden: int):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(visible, hidden) * 0.01)
        self.visible_bias = nn.Parameter(torch.zeros(visible))
        self.hidden_bias = nn.Parameter(torch.zeros(hidden))

    def hidden_probs(self, v):
        return torch.sigmoid(v @ self.weight + self.hidden_bias)

    def visible_probs(self, h):
        return torch.sigmoid(h @ self.weight.t() + self.visible_bias)

    def reconstruct(self, v):
        return self.visible_probs(self.hidden_probs(v))

    @torch.no_grad()
    def contrastive_divergence(self, v0, lr: float, k: int = 1) -> float:
        """One CD-k update on a batch; returns the batch's reconstruction error (mean squared)."""
        h0 = self.hidden_probs(v0)
        h = torch.bernoulli(h0)
        for _ in range(k):
            v = self.visible_probs(h)
            hk = self.hidden_probs(v)
            h = torch.bernoulli(hk)
        n = v0.shape[0]
        self.weight += lr * (v0.t() @ h0 - v.t() @ hk) / n
        self.visible_bias += lr * (v0 - v).mean(0)
        self.hidden_bias += lr * (h0 - hk).mean(0)
        return float(((v0 - self.reconstruct(v0)) ** 2).mean())


def two_columns(classes: int, width: int, hidden: int, size: int = 8, columns: int = 2) -> nn.Sequential:
    """AlexNet's layout in small, on one device: ``columns`` columns of ``width`` filters each.
    The second convolution sees only its own column (a grouped convolution, as each of
    AlexNet's GPUs saw only its own half there); the third convolution and the dense layers see
    every column. ranks.Column runs one column of it on each rank."""
    all_filters, all_hidden = columns * width, columns * hidden
    return nn.Sequential(
        nn.Conv2d(1, all_filters, 3, padding=1), nn.ReLU(),
        nn.Conv2d(all_filters, all_filters, 3, padding=1, groups=columns), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(all_filters, all_filters, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(all_filters * (size // 4) ** 2, all_hidden), nn.ReLU(),
        nn.Linear(all_hidden, classes),
    )
