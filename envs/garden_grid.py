"""A 10 cm grid over the garden for the v1 gardener's paths: keep-out masks, distance fields, descents.

The fields are path lengths (m) over the grid's eight moves; blocked cells are never entered. A
field's lowest cells are its goals; walking from any cell to a lower neighbour reaches one.
"""

from __future__ import annotations

import heapq
import math

import numpy as np

from envs.scene import HALF_SIZE
from envs.season_spec import ObstacleSpec

#: The eight grid moves (cells along x, cells along y, length in cells).
MOVES = ((1, 0, 1.0), (-1, 0, 1.0), (0, 1, 1.0), (0, -1, 1.0), (1, 1, 1.414), (1, -1, 1.414), (-1, 1, 1.414), (-1, -1, 1.414))


class GardenGrid:
    """Cell centres over [-HALF_SIZE, HALF_SIZE] on both axes, and path searches on them.

    :param cell: the cell size (m).
    """

    def __init__(self, cell: float = 0.1) -> None:
        self.size = cell
        self.n = round(2 * HALF_SIZE / cell)
        centers = -HALF_SIZE + cell * (np.arange(self.n) + 0.5)
        self.x, self.y = np.meshgrid(centers, centers, indexing="ij")

    def cell(self, x: float, y: float) -> tuple[int, int]:
        """The cell of a point (clamped to the garden)."""
        n = self.n
        return (min(n - 1, max(0, int((x + HALF_SIZE) / self.size))), min(n - 1, max(0, int((y + HALF_SIZE) / self.size))))

    def centre(self, cell: tuple[int, int]) -> np.ndarray:
        """The centre (x, y) of a cell."""
        return np.array([self.x[cell], self.y[cell]])

    def obstacle_mask(self, obstacles: tuple[ObstacleSpec, ...], clearance: float, fence: float) -> np.ndarray:
        """Cells closer than ``clearance`` to a solid obstacle (bush, snow drift) or than ``fence`` to the fence."""
        gx, gy = self.x, self.y
        blocked = (np.abs(gx) > HALF_SIZE - fence) | (np.abs(gy) > HALF_SIZE - fence)
        for o in obstacles:
            if o.kind == "bush":
                blocked |= np.hypot(gx - o.x, gy - o.y) < o.size[0] + clearance
            elif o.kind == "snow_drift":
                dx = np.maximum(np.abs(gx - o.x) - o.size[0], 0.0)
                dy = np.maximum(np.abs(gy - o.y) - o.size[1], 0.0)
                blocked |= np.hypot(dx, dy) < clearance
        return blocked

    def leaf_pile_cost(self, obstacles: tuple[ObstacleSpec, ...], cost: float) -> np.ndarray:
        """Cost of a metre through each cell: 1, and ``cost`` inside a leaf pile."""
        costs = np.ones_like(self.x)
        for o in obstacles:
            if o.kind == "leaf_pile":
                costs[np.hypot(self.x - o.x, self.y - o.y) < o.size[0]] = cost
        return costs

    def distance_field(
        self, goal: np.ndarray, blocked: np.ndarray, cost: np.ndarray, seed: np.ndarray | None = None
    ) -> np.ndarray:
        """Path length (m, weighted by ``cost``) from every free cell to a goal cell, plus that cell's ``seed`` (Dijkstra)."""
        n = self.n
        field = np.full((n, n), math.inf)
        queue = []
        for i, j in zip(*np.nonzero(goal), strict=True):
            start = 0.0 if seed is None else float(seed[i, j])
            if start < math.inf:
                field[i, j] = start
                queue.append((start, int(i), int(j)))
        heapq.heapify(queue)
        while queue:
            d, i, j = heapq.heappop(queue)
            if d > field[i, j]:
                continue
            for di, dj, w in MOVES:
                a, b = i + di, j + dj
                if 0 <= a < n and 0 <= b < n and not blocked[a, b]:
                    nd = d + w * self.size * cost[a, b]
                    if nd < field[a, b]:
                        field[a, b] = nd
                        heapq.heappush(queue, (nd, a, b))
        return field

    def descent_directions(self, field: np.ndarray) -> np.ndarray:
        """Unit vectors (n, n, 2) from each cell towards its lowest neighbour in ``field``."""
        n = self.n
        padded = np.pad(field, 1, constant_values=math.inf)
        neighbours = np.stack([padded[1 + di : 1 + di + n, 1 + dj : 1 + dj + n] for di, dj, _ in MOVES])
        moves = np.array([(di, dj) for di, dj, _ in MOVES], dtype=np.float64)
        moves /= np.linalg.norm(moves, axis=1, keepdims=True)
        return moves[np.argmin(neighbours, axis=0)]

    def free_cell(self, field: np.ndarray, cell: tuple[int, int]) -> tuple[int, int] | None:
        """``cell`` if the field reaches it, else the nearest cell within 3 cells that it reaches (None if none).

        The rover may stand in a blocked cell: it slid close to a stem or an obstacle, or just
        sprayed a plant from nearer than planned. It leaves by the nearest free cell, never by the
        one nearest the goal, which may lie across the stem.
        """
        if field[cell] < math.inf:
            return cell
        i, j = cell
        i0, j0 = max(0, i - 3), max(0, j - 3)
        around = field[i0 : i + 4, j0 : j + 4]
        if not np.isfinite(around).any():
            return None
        di, dj = np.meshgrid(np.arange(around.shape[0]) + i0 - i, np.arange(around.shape[1]) + j0 - j, indexing="ij")
        distance = np.where(np.isfinite(around), np.hypot(di, dj), math.inf)
        a, b = np.unravel_index(int(np.argmin(distance)), around.shape)
        return (i0 + int(a), j0 + int(b))

    def field_at(self, field: np.ndarray, cell: tuple[int, int]) -> float:
        """Path length (m) from a cell to the goal, through the nearest free cell when it is blocked."""
        free = self.free_cell(field, cell)
        if free is None:
            return math.inf
        return float(field[free]) + self.size * math.hypot(free[0] - cell[0], free[1] - cell[1])

    def line_is_clear(self, blocked: np.ndarray, start: np.ndarray, end: np.ndarray) -> bool:
        """Whether the segment crosses no blocked cell (ignoring its first 0.15 m: the rover may stand in one)."""
        length = float(np.hypot(*(end - start)))
        for t in np.arange(0.15, length, 0.05) / max(length, 1e-9):
            if blocked[self.cell(*(start + t * (end - start)))]:
                return False
        return True

    def descend(self, route: np.ndarray, goal: np.ndarray, start: tuple[int, int], length: float) -> list[np.ndarray]:
        """Cell centres down ``route``'s steepest descent from ``start`` for up to ``length`` m, stopping at a goal cell."""
        n = self.n
        i, j = start
        points = [self.centre(start)]
        travelled = 0.0
        while not goal[i, j] and travelled < length:
            best, step = route[i, j], None
            for di, dj, w in MOVES:
                a, b = i + di, j + dj
                if 0 <= a < n and 0 <= b < n and route[a, b] < best:
                    best, step = route[a, b], (a, b, w)
            if step is None:
                break
            i, j, w = step
            travelled += w * self.size
            points.append(self.centre((i, j)))
        return points
