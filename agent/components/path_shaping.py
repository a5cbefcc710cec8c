"""Path shaping: a training-time reward term for progress along the path around obstacles.

The garden's own ``progress`` term pays for closing the straight-line distance between the nozzle
and the nearest plant that needs water. Where a bush or a snow drift stands between them that line
runs through the obstacle, and the term pulls the rover into it. :class:`PathShaping` adds the
potential-based term ``F = gamma * Phi(s') - Phi(s)`` (Ng, Harada & Russell 1999, "Policy
invariance under reward transformations", ICML) with

``Phi(s) = -w * (min_p D_path(nozzle, p) - min_p D_open(nozzle, p))``

over the plants ``p`` that need water: ``D_path`` is the path length on a 10 cm grid around the
season's solid obstacles, ``D_open`` the same grid's path length without them (so ``Phi`` is zero
in open ground and the grid's rounding cancels), and ``w`` the season's ``progress`` weight. The
env's term plus ``F`` then pays for progress along the path. Being potential-based, ``F`` leaves
the season's optimal policies unchanged. The learner trains on the shaped reward; evaluation, the
``Monitor``'s episode returns and every reported number keep the env's reward (``make_vec_env``'s
``wrapper_class`` wraps outside the ``Monitor``). ``info["reward_path_shaping"]`` carries ``F``.
"""

from __future__ import annotations

import math
from typing import Any, SupportsFloat

import gymnasium as gym
import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import dijkstra

from envs.garden import MOISTURE_THRESHOLD
from envs.garden_env import GardenWateringEnv
from envs.garden_grid import MOVES, GardenGrid
from envs.season_spec import PLANT_KINDS

#: Grid cell (m), and the clearance (m) the nozzle's path keeps from a bush or a snow drift.
CELL, OBSTACLE_CLEARANCE = 0.1, 0.2


class PathShaping(gym.Wrapper[np.ndarray, np.ndarray, np.ndarray, np.ndarray]):
    """Add potential-based shaping by the path around obstacles to a garden env's reward (for training).

    :param env: a ``GardenWatering`` env (possibly wrapped, e.g. in a ``Monitor``).
    :param gamma: the learner's discount factor (the shaping keeps the optimal policies only with it).
    :param weight: reward per metre of path (default: the season's ``progress`` weight).
    """

    def __init__(self, env: gym.Env, gamma: float, weight: float | None = None) -> None:
        super().__init__(env)
        garden_env = env.unwrapped
        if not isinstance(garden_env, GardenWateringEnv):
            raise TypeError(f"PathShaping wraps a GardenWatering env, got {type(garden_env).__name__}")
        if not 0.0 < gamma <= 1.0:
            raise ValueError(f"PathShaping: gamma must be in (0, 1], got {gamma}")
        self.garden_env = garden_env
        spec = garden_env.spec_season
        self.gamma = gamma
        self.weight = spec.rewards.progress if weight is None else weight
        self._thirsty_kinds = {PLANT_KINDS.index(kind) for kind in spec.thirsty_kinds}
        self._grid = GardenGrid(CELL)
        # The fence is no obstacle (touching it costs nothing): only bushes and snow drifts block.
        self._graph = _grid_graph(self._grid, self._grid.obstacle_mask(spec.obstacles, OBSTACLE_CLEARANCE, fence=0.0))
        self._fields: dict[tuple[int, int], np.ndarray] = {}  # per goal cell; the obstacles never move
        self._potential = 0.0

    def reset(self, **kwargs: Any) -> tuple[np.ndarray, dict[str, Any]]:
        """Reset the env and the potential."""
        obs, info = self.env.reset(**kwargs)
        self._potential = self.potential()
        return obs, info

    def step(self, action: np.ndarray) -> tuple[np.ndarray, SupportsFloat, bool, bool, dict[str, Any]]:
        """Step the env; add ``gamma * Phi(s') - Phi(s)`` to its reward."""
        obs, reward, terminated, truncated, info = self.env.step(action)
        potential = self.potential()  # zero once nothing needs water, so a finished day ends at 0
        shaping = self.gamma * potential - self._potential
        self._potential = potential
        info["reward_path_shaping"] = shaping
        return obs, float(reward) + shaping, terminated, truncated, info

    def detour(self) -> float:
        """How much longer (m) the path around the obstacles to the nearest needy plant is than in open ground."""
        garden = self.garden_env.garden
        here = self._grid.cell(*garden.nozzle_point(self.garden_env.state))
        path = open_ground = math.inf
        for x, y, kind, moisture in garden.standing_plants():
            if kind in self._thirsty_kinds and moisture < MOISTURE_THRESHOLD:
                goal = self._grid.cell(x, y)
                path = min(path, self._grid.field_at(self._field(goal), here))
                open_ground = min(open_ground, _open_length(here, goal, self._grid.size))
        detour = path - open_ground if math.isfinite(path) else 0.0
        # Summed and multiplied grid lengths differ in the last bits: open ground is exactly 0.
        return detour if detour > 1e-9 else 0.0

    def potential(self) -> float:
        """``Phi`` of the env's current state: minus the weight times :meth:`detour` (0 when nothing needs water)."""
        return -self.weight * self.detour()

    def _field(self, goal: tuple[int, int]) -> np.ndarray:
        # scipy's Dijkstra, not GardenGrid.distance_field's Python one: a training run meets most of
        # the grid's cells as plant cells in each of its envs, and this is tens of times faster per field.
        field = self._fields.get(goal)
        if field is None:
            n = self._grid.n
            lengths = dijkstra(self._graph, directed=True, indices=goal[0] * n + goal[1])
            field = self._fields[goal] = np.asarray(lengths).reshape(n, n)
        return field


def _grid_graph(grid: GardenGrid, blocked: np.ndarray) -> csr_array:
    """The grid's eight moves as a directed graph with an edge into every cell that is not blocked.

    The moves and lengths of :meth:`GardenGrid.distance_field`, so that the path lengths from a
    goal cell are that method's field for the goal.
    """
    n = grid.n
    i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    sources, targets, lengths = [], [], []
    for di, dj, w in MOVES:
        a, b = i + di, j + dj
        inside = (a >= 0) & (a < n) & (b >= 0) & (b < n)
        inside[inside] &= ~blocked[a[inside], b[inside]]
        sources.append((i * n + j)[inside])
        targets.append((a * n + b)[inside])
        lengths.append(np.full(int(inside.sum()), w * grid.size))
    data = (np.concatenate(lengths), (np.concatenate(sources), np.concatenate(targets)))
    return csr_array(data, shape=(n * n, n * n))


def _open_length(a: tuple[int, int], b: tuple[int, int], size: float) -> float:
    """The grid's path length between two cells in open ground (straight and diagonal moves, as :data:`MOVES`)."""
    di, dj = abs(a[0] - b[0]), abs(a[1] - b[1])
    return size * (max(di, dj) - min(di, dj) + 1.414 * min(di, dj))
