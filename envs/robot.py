"""The garden rover: a differential-drive base with a watering nozzle (panda-gym's robot layer)."""

from __future__ import annotations

import functools
import math
from importlib import resources

from envs.bullet import BulletWorld, pybullet

ROVER_URDF = str(resources.files("envs").joinpath("assets", "rover.urdf"))

#: Height of the chassis centre when the rover rests on flat ground (m).
REST_HEIGHT = 0.0702
#: Wheel radius (m) and the top wheel speed an action of 1.0 commands (rad/s).
WHEEL_RADIUS = 0.06
MAX_WHEEL_SPEED = 14.0
#: Largest wheel torque the motors give (N m).
MOTOR_TORQUE = 2.5
#: Where the spray lands, ahead of the chassis centre (m), and the radius it wets (m).
NOZZLE_REACH = 0.38
SPRAY_RADIUS = 0.4
#: Top speed on grippy ground, used to scale the velocity readings (m/s).
TOP_SPEED = WHEEL_RADIUS * MAX_WHEEL_SPEED


class Rover:
    """The rover's body in one :class:`BulletWorld`: wheel commands in, pose and velocities out.

    :param world: the physics client the rover lives in.
    """

    def __init__(self, world: BulletWorld) -> None:
        self.world = world
        self.body = world.load_urdf(ROVER_URDF, (0.0, 0.0, REST_HEIGHT))
        client = world.client
        names = [client.getJointInfo(self.body, j)[1].decode() for j in range(client.getNumJoints(self.body))]
        self.wheel_joints = [names.index("left_wheel_joint"), names.index("right_wheel_joint")]
        caster = names.index("caster_joint")
        # The caster ball slides freely; the wheels grip (ground friction sets the contact).
        client.changeDynamics(self.body, caster, lateralFriction=0.0, rollingFriction=0.0, spinningFriction=0.0)
        for joint in self.wheel_joints:
            client.changeDynamics(self.body, joint, lateralFriction=1.0, rollingFriction=0.0, spinningFriction=0.0)
        # Unpowered joints otherwise hold still with a default motor; release them.
        client.setJointMotorControlArray(self.body, self.wheel_joints, pybullet.VELOCITY_CONTROL, forces=[0.0, 0.0])
        # Every argument but the targets bound once: this runs at every control step.
        self._drive = functools.partial(
            world.motor_control,
            self.body,
            self.wheel_joints,
            pybullet.VELOCITY_CONTROL,
            forces=[MOTOR_TORQUE, MOTOR_TORQUE],
        )

    def command(self, left: float, right: float) -> None:
        """Set wheel speed targets from commands in [-1, 1]; they hold until the next command."""
        self._drive(targetVelocities=[left * MAX_WHEEL_SPEED, right * MAX_WHEEL_SPEED])

    def place(self, x: float, y: float, yaw: float) -> None:
        """Put the rover at rest on the ground at a pose."""
        quaternion = (0.0, 0.0, math.sin(yaw / 2.0), math.cos(yaw / 2.0))
        self.world.client.resetBasePositionAndOrientation(self.body, (x, y, REST_HEIGHT), quaternion)
        self.world.client.resetBaseVelocity(self.body, (0.0, 0.0, 0.0), (0.0, 0.0, 0.0))

    def read_state(self) -> tuple[float, float, float, float, float, float]:
        """Planar state ``(x, y, yaw, vx, vy, yaw_rate)`` in the world frame (two bridge calls)."""
        position, quaternion = self.world.base_pose(self.body)
        linear, angular = self.world.base_velocity(self.body)
        qx, qy, qz, qw = quaternion
        yaw = math.atan2(2.0 * (qw * qz + qx * qy), 1.0 - 2.0 * (qy * qy + qz * qz))
        return (position[0], position[1], yaw, linear[0], linear[1], angular[2])

    def push(self, force_x: float, force_y: float) -> None:
        """Apply a horizontal force (N, in the rover's own frame) at the chassis during the next step."""
        self.world.apply_force(self.body, -1, (force_x, force_y, 0.0), (0.0, 0.0, 0.0), pybullet.LINK_FRAME)
