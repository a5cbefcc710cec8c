"""Physics settings as data: one frozen :class:`PhysicsSettings` per env version.

Each registered env version (``GardenWatering-v0``, ``GardenWatering-v1``) builds its world from
one instance here, so an older version stays runnable, bit for bit, beside a newer one: the
physics of a version is never edited; a change is a new version with a new instance. Why v1's
values were chosen, with the measurements, is in ``docs/garden.md`` (``python -m
experiments.benchmarks.physics_settings`` prints them).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass(frozen=True)
class PhysicsSettings:
    """How :class:`envs.bullet.BulletWorld` steps the garden and loads the rover.

    The control step is ``time_step * substeps`` seconds, 0.2 s in every version: the seasons'
    day lengths, the reward's per-step terms and the gardener's gains count control steps.
    ``None`` leaves a Bullet default alone (the call that would set it is not made at all).
    """

    version: int
    """The env version these settings belong to (the ``-vN`` of its ids)."""
    time_step: float
    """Physics time step (s)."""
    substeps: int
    """Physics steps per control step, run inside Bullet by one ``stepSimulation`` call."""
    solver_iterations: int | None = None
    """Most constraint-solver iterations per physics step (Bullet's default: 50; it stops earlier once converged)."""
    cone_friction: bool | None = None
    """Friction cones (True, Bullet's default) or the cheaper friction pyramid (False)."""
    merge_fixed_links: bool = False
    """Load the rover with its fixed links (caster ball, nozzle) merged into the chassis: one
    rigid body with the same total mass and inertia, two fewer links for the dynamics to step."""

    @property
    def control_period(self) -> float:
        """Seconds of simulated time per control step."""
        return self.time_step * self.substeps

    def replace(self, **changes: object) -> PhysicsSettings:
        """A copy with some fields changed (for experiments; a registered version never changes)."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


#: v0: the garden as first released: 12 physics steps of 1/60 s per control step, Bullet's
#: solver defaults, the rover as four links.
PHYSICS_V0 = PhysicsSettings(version=0, time_step=1.0 / 60.0, substeps=12)

#: v1: the same garden over twice as fast: 5 physics steps of 1/25 s per control step and at most
#: 20 solver iterations per physics step.
PHYSICS_V1 = PhysicsSettings(version=1, time_step=1.0 / 25.0, substeps=5, solver_iterations=20)

#: Settings by env version.
PHYSICS: dict[int, PhysicsSettings] = {0: PHYSICS_V0, 1: PHYSICS_V1}
#: Env versions, oldest first.
ENV_VERSIONS: tuple[int, ...] = tuple(sorted(PHYSICS))
#: The newest env version.
LATEST_VERSION = ENV_VERSIONS[-1]


def physics_settings(version: int) -> PhysicsSettings:
    """The settings of an env version; ValueError naming the valid versions for an unknown one."""
    if isinstance(version, bool) or not isinstance(version, int) or version not in PHYSICS:
        raise ValueError(f"unknown env version {version!r}; valid versions: {', '.join(map(str, ENV_VERSIONS))}")
    return PHYSICS[version]
