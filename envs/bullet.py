"""One private PyBullet client per environment (the panda-gym ``PyBullet`` layer).

Everything that talks to the physics server goes through :class:`BulletWorld`, so several
environments in one process never share state and no code calls the global ``pybullet`` API.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Callable, Iterator, Sequence

import numpy as np

from envs.physics import PHYSICS_V0, PhysicsSettings


@contextlib.contextmanager
def silenced_native_output() -> Iterator[None]:
    """Redirect the process's stdout/stderr file descriptors to ``/dev/null`` for a moment.

    PyBullet's C++ core prints with ``printf`` (its build time on import, URDF notes on load),
    which Python-level redirection cannot catch; an environment must print nothing.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, devnull):
            os.close(fd)


with silenced_native_output():
    import pybullet
    from pybullet_utils.bullet_client import BulletClient


def display_available() -> bool:
    """Whether an X display exists for PyBullet's GUI."""
    return bool(os.environ.get("DISPLAY"))


class BulletWorld:
    """A PyBullet physics client with the simulation settings of one env version.

    One :meth:`step` advances ``physics.substeps`` physics steps of ``physics.time_step`` seconds
    inside Bullet (``numSubSteps``), so a control step costs one call across the Python bridge; an
    external force applied before it acts during all of its substeps.

    :param physics: the version's physics settings (:mod:`envs.physics`).
    :param gui: open the PyBullet GUI (needs a display) instead of the headless DIRECT mode.
    """

    def __init__(self, physics: PhysicsSettings = PHYSICS_V0, gui: bool = False) -> None:
        self.physics = physics
        self.time_step = physics.time_step
        self.substeps = physics.substeps
        self.gui = gui
        mode = pybullet.GUI if gui else pybullet.DIRECT
        with silenced_native_output():
            self.client = BulletClient(connection_mode=mode)
        self.id: int = self.client._client
        self.client.setGravity(0.0, 0.0, -9.81)
        # Deterministic pair ordering: required for bit-identical replays after restoreState
        # (bullet3#2442).
        self.client.setPhysicsEngineParameter(
            fixedTimeStep=physics.time_step * physics.substeps,
            numSubSteps=physics.substeps,
            deterministicOverlappingPairs=1,
        )
        # Only the settings a version gives, in a separate call, so that v0 (all defaults) makes
        # exactly the calls it always made.
        optional = {
            "numSolverIterations": physics.solver_iterations,
            "enableConeFriction": None if physics.cone_friction is None else int(physics.cone_friction),
        }
        given = {name: value for name, value in optional.items() if value is not None}
        if given:
            self.client.setPhysicsEngineParameter(**given)
        # Hot calls bound once: BulletClient's __getattr__ costs more than the call itself.
        bind = functools.partial
        self.step = bind(pybullet.stepSimulation, physicsClientId=self.id)
        self.apply_force = bind(pybullet.applyExternalForce, physicsClientId=self.id)
        self.base_pose = bind(pybullet.getBasePositionAndOrientation, physicsClientId=self.id)
        self.base_velocity = bind(pybullet.getBaseVelocity, physicsClientId=self.id)
        self.contact_points = bind(pybullet.getContactPoints, physicsClientId=self.id)
        self.motor_control = bind(pybullet.setJointMotorControlArray, physicsClientId=self.id)
        if gui:
            self.client.configureDebugVisualizer(pybullet.COV_ENABLE_GUI, 0)
            self.client.configureDebugVisualizer(pybullet.COV_ENABLE_SHADOWS, 1)
        self._closed = False

    # ----------------------------------------------------------------------------- bodies
    def create_ground(self, half_extents: tuple[float, float, float], rgba: tuple[float, float, float, float]) -> int:
        """Create the ground: an infinite collision plane at z = 0, drawn as a thin box of ``half_extents``."""
        c = self.client
        shape = c.createCollisionShape(pybullet.GEOM_PLANE)
        visual = c.createVisualShape(pybullet.GEOM_BOX, halfExtents=half_extents, rgbaColor=rgba)
        return c.createMultiBody(0.0, shape, visual, (0.0, 0.0, 0.0))

    def create_stem_with_crown(
        self,
        position: tuple[float, float, float],
        collision_radius: float,
        radius: float,
        length: float,
        rgba: tuple[float, float, float, float],
        crown_radius: float,
        crown_height: float,
        crown_rgba: tuple[float, float, float, float],
    ) -> int:
        """Create a fixed upright cylinder (its collision radius apart from the drawn one) with a sphere on top.

        The sphere is a visual-only link ``crown_height`` above the cylinder's centre (link 0, so
        :meth:`set_color` with ``link=0`` recolours it).
        """
        c = self.client
        shape = c.createCollisionShape(pybullet.GEOM_CYLINDER, radius=collision_radius, height=length)
        visual = c.createVisualShape(pybullet.GEOM_CYLINDER, radius=radius, length=length, rgbaColor=rgba)
        crown = c.createVisualShape(pybullet.GEOM_SPHERE, radius=crown_radius, rgbaColor=crown_rgba)
        return c.createMultiBody(
            baseMass=0.0,
            baseCollisionShapeIndex=shape,
            baseVisualShapeIndex=visual,
            basePosition=position,
            linkMasses=[0.0],
            linkCollisionShapeIndices=[-1],
            linkVisualShapeIndices=[crown],
            linkPositions=[(0.0, 0.0, crown_height)],
            linkOrientations=[(0.0, 0.0, 0.0, 1.0)],
            linkInertialFramePositions=[(0.0, 0.0, 0.0)],
            linkInertialFrameOrientations=[(0.0, 0.0, 0.0, 1.0)],
            linkParentIndices=[0],
            linkJointTypes=[pybullet.JOINT_FIXED],
            linkJointAxis=[(0.0, 0.0, 1.0)],
        )

    def load_urdf(self, path: str, position: tuple[float, float, float], fixed: bool = False) -> int:
        """Load a URDF file silently and return its body id.

        With ``physics.merge_fixed_links`` the links on fixed joints become part of their parent
        (Bullet combines their masses and inertias and keeps their collision shapes).
        """
        flags = pybullet.URDF_USE_INERTIA_FROM_FILE | pybullet.URDF_MAINTAIN_LINK_ORDER
        if self.physics.merge_fixed_links:
            flags |= pybullet.URDF_MERGE_FIXED_LINKS
        with silenced_native_output():
            return self.client.loadURDF(path, basePosition=position, useFixedBase=fixed, flags=flags)

    def create_static_body(
        self,
        shape: str,
        size: tuple[float, ...],
        position: tuple[float, float, float],
        rgba: tuple[float, float, float, float],
        collide: bool = True,
    ) -> int:
        """Create a fixed body from a primitive: ``box`` (half extents), ``cylinder`` (radius, height) or ``sphere``."""
        c = self.client
        if shape == "box":
            vis = c.createVisualShape(pybullet.GEOM_BOX, halfExtents=size, rgbaColor=rgba)
            col = c.createCollisionShape(pybullet.GEOM_BOX, halfExtents=size) if collide else -1
        elif shape == "cylinder":
            vis = c.createVisualShape(pybullet.GEOM_CYLINDER, radius=size[0], length=size[1], rgbaColor=rgba)
            col = c.createCollisionShape(pybullet.GEOM_CYLINDER, radius=size[0], height=size[1]) if collide else -1
        elif shape == "sphere":
            vis = c.createVisualShape(pybullet.GEOM_SPHERE, radius=size[0], rgbaColor=rgba)
            col = c.createCollisionShape(pybullet.GEOM_SPHERE, radius=size[0]) if collide else -1
        else:
            raise ValueError(f"unknown shape {shape!r}; valid shapes: box, cylinder, sphere")
        return c.createMultiBody(baseMass=0.0, baseCollisionShapeIndex=col, baseVisualShapeIndex=vis, basePosition=position)

    def set_contact_dynamics(
        self,
        body: int,
        link: int,
        lateral_friction: float,
        rolling_friction: float | None = None,
        spinning_friction: float | None = None,
        restitution: float | None = None,
    ) -> None:
        """Set a link's contact friction (and restitution); ``link=-1`` is the base. ``None`` keeps a value."""
        optional = {"rollingFriction": rolling_friction, "spinningFriction": spinning_friction, "restitution": restitution}
        given = {name: value for name, value in optional.items() if value is not None}
        self.client.changeDynamics(body, link, lateralFriction=lateral_friction, **given)

    def set_color(self, body: int, rgba: tuple[float, ...], link: int = -1) -> None:
        """Recolour a body's visual shape."""
        self.client.changeVisualShape(body, link, rgbaColor=rgba)

    def move_body(self, body: int, position: tuple[float, float, float]) -> None:
        """Teleport a (static) body."""
        self.client.resetBasePositionAndOrientation(body, position, (0.0, 0.0, 0.0, 1.0))

    def set_base_pose(
        self, body: int, position: tuple[float, float, float], orientation: tuple[float, float, float, float]
    ) -> None:
        """Teleport a body's base to a position and orientation (quaternion x, y, z, w)."""
        self.client.resetBasePositionAndOrientation(body, position, orientation)

    def set_base_velocity(self, body: int, linear: tuple[float, float, float], angular: tuple[float, float, float]) -> None:
        """Set a body's base linear and angular velocity (world frame)."""
        self.client.resetBaseVelocity(body, linear, angular)

    def push(self, body: int, force: tuple[float, float, float]) -> None:
        """Apply a force (N, in the body's own frame) at its base origin during the next :meth:`step`."""
        self.apply_force(body, -1, force, (0.0, 0.0, 0.0), pybullet.LINK_FRAME)

    # ----------------------------------------------------------------------------- joints
    def joint_names(self, body: int) -> list[str]:
        """The names of a body's joints, by joint index."""
        c = self.client
        return [c.getJointInfo(body, j)[1].decode() for j in range(c.getNumJoints(body))]

    def release_joints(self, body: int, joints: Sequence[int]) -> None:
        """Switch off the joints' default motors (velocity control with zero force), so they turn freely."""
        self.client.setJointMotorControlArray(body, joints, pybullet.VELOCITY_CONTROL, forces=[0.0] * len(joints))

    def velocity_motors(self, body: int, joints: Sequence[int], max_forces: Sequence[float]) -> Callable[..., None]:
        """A setter of the joints' velocity targets, ``set_targets(targetVelocities=[...])``.

        Everything but the targets is bound once: the setter runs at every control step, and a
        target holds (driven by at most ``max_forces``) until the next call.
        """
        return functools.partial(self.motor_control, body, joints, pybullet.VELOCITY_CONTROL, forces=list(max_forces))

    # ----------------------------------------------------------------------------- state
    def save_state(self) -> int:
        """Snapshot the whole world in memory."""
        return self.client.saveState()

    def restore_state(self, state_id: int, dynamic_bodies: tuple[int, ...] = ()) -> None:
        """Restore a snapshot made by :meth:`save_state`, with no contact history.

        ``restoreState`` keeps Bullet's contact manifolds (and their warm-start impulses), so the
        first steps after it would depend on what happened before (bullet3#2982). Moving the
        dynamic bodies out of every overlap and running collision detection drops those manifolds.
        """
        for k, body in enumerate(dynamic_bodies):
            self.client.resetBasePositionAndOrientation(body, (1000.0 + 10.0 * k, 1000.0, 1000.0), (0.0, 0.0, 0.0, 1.0))
        if dynamic_bodies:
            self.client.performCollisionDetection()
        self.client.restoreState(stateId=state_id)

    # ----------------------------------------------------------------------------- camera
    def render(
        self,
        width: int,
        height: int,
        target: tuple[float, float, float],
        distance: float,
        yaw: float,
        pitch: float,
        fov: float = 50.0,
    ) -> np.ndarray:
        """Render an RGB image (uint8, H x W x 3) from an orbiting camera."""
        c = self.client
        view = c.computeViewMatrixFromYawPitchRoll(
            cameraTargetPosition=target, distance=distance, yaw=yaw, pitch=pitch, roll=0.0, upAxisIndex=2
        )
        proj = c.computeProjectionMatrixFOV(fov=fov, aspect=width / height, nearVal=0.05, farVal=40.0)
        renderer = pybullet.ER_BULLET_HARDWARE_OPENGL if self.gui else pybullet.ER_TINY_RENDERER
        _, _, rgba, _, _ = c.getCameraImage(
            width=width,
            height=height,
            viewMatrix=view,
            projectionMatrix=proj,
            renderer=renderer,
            shadow=1,
            lightDirection=(2.0, 1.0, 4.0),
        )
        image = np.asarray(rgba, dtype=np.uint8).reshape(height, width, 4)
        return np.ascontiguousarray(image[:, :, :3])

    def close(self) -> None:
        """Disconnect from the physics server (idempotent)."""
        if not self._closed:
            self._closed = True
            with contextlib.suppress(pybullet.error):
                self.client.disconnect()
