"""A column of a progressive network: actor and critic MLPs with lateral adapters from earlier columns.

Column ``k`` (0-based) reads columns ``0..k-1`` at each hidden layer after the first and at its
outputs (Rusu et al. 2016, https://arxiv.org/abs/1606.04671, Figure 1 and eq. 2)::

    h_1 = f(W_1 x)
    h_i = f(W_i h_{i-1} + adapter_i(h_{i-1} of columns 0..k-1))
    out = W_out h_L + adapter_out(h_L of columns 0..k-1)

with ``f`` the policy's ``activation_fn`` (tanh by default; the adapters' own non-linearity stays
tanh), once for the action mean and once for the value (SB3's PPO keeps actor and critic separate
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

#: How a new column starts (the ``column_init`` option of ``progressive`` and ``progress-compress``).
COLUMN_INITS = ("random", "latest", "best")


def check_column_init(value: str) -> None:
    """ValueError naming the option and its valid values unless ``value`` is one of :data:`COLUMN_INITS`."""
    if value not in COLUMN_INITS:
        raise ValueError(f"method option column_init must be one of {', '.join(COLUMN_INITS)}, got {value!r}")


class ProgressiveColumn(nn.Module):
    """One column: stacked actor/critic hidden layers, adapters, heads and per-head log-stds.

    :param in_dim: input width (the observation without the season one-hot)
    :param hidden: hidden widths of the actor and of the critic
    :param action_dim: action dimensions
    :param n_heads: output heads (selected per sample by the caller)
    :param n_previous: earlier columns read through adapters
    :param adapter_width: width of the adapters' reduced projection
    :param log_std_init: initial log-std of every head
    :param activation_fn: the hidden layers' non-linearity (a ``torch.nn`` module class, as SB3's)
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
        activation_fn: type[nn.Module] = nn.Tanh,
    ) -> None:
        super().__init__()
        self.activation = activation_fn()
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

    def start_from(self, other: ProgressiveColumn, head: int = 0) -> None:
        """Start as a copy of ``other`` (its hidden layers and output head ``head``), the laterals silent.

        The adapters' projections into this column (``U``, and the output adapter's) are zeroed, so
        the column computes exactly what ``other`` computes at ``head`` until training moves them;
        the adapters' ``V`` and alphas and the log-std stay as initialized. For a column of one head.
        """
        if self.n_heads != 1:
            raise ValueError("start_from copies one head into a column of one head")
        a = self.action_dim
        with th.no_grad():
            for mine, theirs in zip([*self.weights, *self.biases], [*other.weights, *other.biases], strict=True):
                mine.copy_(theirs)
            self.action_head.weight.copy_(other.action_head.weight[head * a : (head + 1) * a])
            self.action_head.bias.copy_(other.action_head.bias[head * a : (head + 1) * a])
            self.value_head.weight.copy_(other.value_head.weight[head : head + 1])
            self.value_head.bias.copy_(other.value_head.bias[head : head + 1])
            for adapter in self.adapters:
                assert isinstance(adapter, LateralAdapter)
                adapter.up_weight.zero_()
                adapter.up_bias.zero_()
            if self.output_adapter is not None:
                for layer in (self.output_adapter.action_up, self.output_adapter.value_up):
                    layer.weight.zero_()
                    layer.bias.zero_()

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
            h = self.activation(z)
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
