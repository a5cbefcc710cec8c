"""The lateral adapters of a progressive column (Rusu et al. 2016, eq. 2).

A new column reads every previous column's activations at the layer below through a small MLP:
each previous column's activations are scaled by a learned scalar alpha (initialized to a small
random value, so the new column starts close to its own features), laid side by side, projected
down to ``adapter_width`` (the paper's dimensionality reduction ``V``), passed through the
non-linearity and projected up to the target layer's width (``U``)::

    a_i = U tanh(V [alpha_1 h_{i-1}^(1), ..., alpha_{k-1} h_{i-1}^(k-1)])

A column's actor and critic have an adapter each; both are stored stacked on a leading axis of
size 2 (actor, critic) and computed as one batched product, which halves the number of tensor
operations per step (their per-call overhead, not arithmetic, dominates layers this small).

Progressive Neural Networks, https://arxiv.org/abs/1606.04671.
"""

from __future__ import annotations

import numpy as np
import torch as th
from torch import nn
from torch.nn import functional as F

#: Range of the alphas' random initial values ("a random small value" in the paper).
ALPHA_INIT = (0.01, 0.1)


def stacked_orthogonal(n_in: int, n_out: int, gain: float) -> nn.Parameter:
    """A ``(2, n_in, n_out)`` weight for ``baddbmm``: two orthogonal matrices (SB3's initialization)."""
    weight = th.empty(2, n_in, n_out)
    for stack in range(2):
        matrix = th.empty(n_out, n_in)
        nn.init.orthogonal_(matrix, gain=gain)
        weight[stack] = matrix.T
    return nn.Parameter(weight)


class LateralAdapter(nn.Module):
    """``U tanh(V [alpha_j h_j])`` from ``n_previous`` columns into a hidden layer, actor and critic stacked.

    :param n_previous: number of previous columns read
    :param in_width: width of the previous columns' layer read
    :param adapter_width: width of the reduced projection
    :param out_width: width of the layer the adapter adds into (``None``: no up-projection here,
        as for the outputs, whose actor and critic widths differ)
    """

    def __init__(self, n_previous: int, in_width: int, adapter_width: int, out_width: int | None) -> None:
        super().__init__()
        self.alphas = nn.Parameter(th.empty(2, n_previous).uniform_(*ALPHA_INIT))
        self.down_weight = stacked_orthogonal(n_previous * in_width, adapter_width, np.sqrt(2))  # V
        self.down_bias = nn.Parameter(th.zeros(2, 1, adapter_width))
        if out_width is not None:
            self.up_weight = stacked_orthogonal(adapter_width, out_width, np.sqrt(2))  # U
            self.up_bias = nn.Parameter(th.zeros(2, 1, out_width))

    def hidden(self, previous: list[th.Tensor]) -> th.Tensor:
        """``tanh(V [alpha_j h_j])``, ``(2, batch, adapter_width)``, from activations ``(2, batch, width)`` per column."""
        scaled = (th.stack(previous, dim=2) * self.alphas[:, None, :, None]).flatten(2)
        return th.tanh(th.baddbmm(self.down_bias, scaled, self.down_weight))

    def forward(self, previous: list[th.Tensor]) -> th.Tensor:
        """The lateral input ``(2, batch, out_width)`` into the layer."""
        return th.baddbmm(self.up_bias, self.hidden(previous), self.up_weight)


class OutputLateralAdapter(LateralAdapter):
    """The adapter into a column's outputs: stacked ``V``, then separate ``U`` for action mean and value."""

    def __init__(self, n_previous: int, in_width: int, adapter_width: int, action_width: int, value_width: int) -> None:
        super().__init__(n_previous, in_width, adapter_width, out_width=None)
        self.action_up = nn.Linear(adapter_width, action_width)
        self.value_up = nn.Linear(adapter_width, value_width)
        for layer, gain in ((self.action_up, 0.01), (self.value_up, 1.0)):  # SB3's output gains
            nn.init.orthogonal_(layer.weight, gain=gain)
            nn.init.zeros_(layer.bias)

    def forward(self, previous: list[th.Tensor]) -> tuple[th.Tensor, th.Tensor]:  # type: ignore[override]
        """Lateral inputs into the action mean ``(batch, action_width)`` and the value ``(batch, value_width)``."""
        hidden = self.hidden(previous)
        return (
            F.linear(hidden[0], self.action_up.weight, self.action_up.bias),
            F.linear(hidden[1], self.value_up.weight, self.value_up.bias),
        )
