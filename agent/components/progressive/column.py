"""A column of a progressive network: actor and critic MLPs with lateral adapters from earlier columns.

Column ``k`` (0-based) reads columns ``0..k-1`` at each hidden layer after the first and at its
outputs (Rusu et al. 2016, https://arxiv.org/abs/1606.04671, Figure 1 and eq. 2)::

    h_1 = tanh(W_1 x)
    h_i = tanh(W_i h_{i-1} + adapter_i(h_{i-1} of columns 0..k-1))
    out = W_out h_L + adapter_out(h_L of columns 0..k-1)

once for the action mean and once for the value (SB3's PPO keeps actor and critic separate
too). The two MLPs have the same widths and are stored stacked on a leading axis of size 2
(actor, critic), so each layer is one batched product. Each column has its own action-mean head,
log-std and value head; a column may have several heads (one per season one-hot slot), which is
how the fixed-size knowledge base of progress-and-compress keeps per-season outputs.
"""

from __future__ import annotations

import itertools

import numpy as np
import torch as th
from torch import nn
from torch.nn import functional as F

from agent.components.progressive.adapter import LateralAdapter, OutputLateralAdapter, stacked_orthogonal


class ProgressiveColumn(nn.Module):
    """One column: stacked actor/critic hidden layers, adapters, heads and per-head log-stds.

    :param in_dim: input width (the observation without the season one-hot)
    :param hidden: hidden widths of the actor and of the critic
    :param action_dim: action dimensions
    :param n_heads: output heads (selected per sample by the caller)
    :param n_previous: earlier columns read through adapters
    :param adapter_width: width of the adapters' reduced projection
    :param log_std_init: initial log-std of every head
    """

    def __init__(
        self,
        in_dim: int,
        hidden: list[int],
        action_dim: int,
        n_heads: int,
        n_previous: int,
        adapter_width: int,
        log_std_init: float,
    ) -> None:
        super().__init__()
        widths = [in_dim, *hidden]
        self.weights = nn.ParameterList(stacked_orthogonal(a, b, np.sqrt(2)) for a, b in itertools.pairwise(widths))
        self.biases = nn.ParameterList(nn.Parameter(th.zeros(2, 1, b)) for b in hidden)
        self.action_head = nn.Linear(hidden[-1], action_dim * n_heads)
        self.value_head = nn.Linear(hidden[-1], n_heads)
        for layer, gain in ((self.action_head, 0.01), (self.value_head, 1.0)):  # SB3's output gains
            nn.init.orthogonal_(layer.weight, gain=gain)
            nn.init.zeros_(layer.bias)
        # adapters[i] feeds hidden layer i + 1; output_adapter feeds the heads.
        self.adapters = nn.ModuleList(
            LateralAdapter(n_previous, hidden[i], adapter_width, hidden[i + 1]) for i in range(len(hidden) - 1) if n_previous
        )
        self.output_adapter = (
            OutputLateralAdapter(n_previous, hidden[-1], adapter_width, action_dim * n_heads, n_heads) if n_previous else None
        )
        self.log_std = nn.Parameter(th.full((n_heads, action_dim), float(log_std_init)))
        self.n_heads, self.action_dim = n_heads, action_dim

    def forward(
        self, x: th.Tensor, previous: list[list[th.Tensor]], with_output: bool = True
    ) -> tuple[list[th.Tensor], th.Tensor | None, th.Tensor | None]:
        """Hidden activations ``(2, batch, width)`` per layer, action means ``(batch, heads, action_dim)``
        and values ``(batch, heads)``.

        ``previous[j]`` holds column ``j``'s hidden activations, layer by layer. Without
        ``with_output`` only the activations are computed (a frozen column read by a later one).
        """
        activations: list[th.Tensor] = []
        h = x.unsqueeze(0).expand(2, -1, -1)
        for i, (weight, bias) in enumerate(zip(self.weights, self.biases, strict=True)):
            z = th.baddbmm(bias, h, weight)
            if i > 0 and previous:
                z = z + self.adapters[i - 1]([column[i - 1] for column in previous])
            h = th.tanh(z)
            activations.append(h)
        if not with_output:
            return activations, None, None
        mean = F.linear(h[0], self.action_head.weight, self.action_head.bias)
        value = F.linear(h[1], self.value_head.weight, self.value_head.bias)
        if previous:
            assert self.output_adapter is not None
            lateral_mean, lateral_value = self.output_adapter([column[-1] for column in previous])
            mean, value = mean + lateral_mean, value + lateral_value
        return activations, mean.view(len(x), self.n_heads, self.action_dim), value
