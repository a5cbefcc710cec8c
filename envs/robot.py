"""The garden rover: a differential-drive base with a watering nozzle (panda-gym's robot layer)."""

from __future__ import annotations

import math
from importlib import resources
from typing import NamedTuple

from envs.bullet import BulletWorld

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


class RoverState(NamedTuple):
    """The rover's planar state in the world frame, as :meth:`Rover.read_state` reads it."""

    x: float
    """Position (m)."""
    y: float
    """Position (m)."""
    yaw: float
    """Heading (rad, counter-clockwise from +x)."""
    vx: float
    """Velocity along x (m/s)."""
    vy: float
    """Velocity along y (m/s)."""
    yaw_rate: float
    """Turn rate (rad/s)."""


class Rover:
    """The rover's body in one :class:`BulletWorld`: wheel commands in, pose and velocities out.

    :param world: the physics client the rover lives in.
    """

    def __init__(self, world: BulletWorld) -> None:
        self.world = world
        self.body = world.load_urdf(ROVER_URDF, (0.0, 0.0, REST_HEIGHT))
        names = world.joint_names(self.body)
        self.wheel_joints = [names.index("left_wheel_joint"), names.index("right_wheel_joint")]
        # The caster ball slides freely; the wheels grip (ground friction sets the contact). With
        # fixed links merged (v1) the ball is part of the chassis, the base (link -1): the
        # chassis box then slides freely too, which it only notices along a fence or a drift.
        caster = names.index("caster_joint") if "caster_joint" in names else -1
        world.set_contact_dynamics(self.body, caster, lateral_friction=0.0, rolling_friction=0.0, spinning_friction=0.0)
        for joint in self.wheel_joints:
            world.set_contact_dynamics(self.body, joint, lateral_friction=1.0, rolling_friction=0.0, spinning_friction=0.0)
        # Unpowered joints otherwise hold still with a default motor; release them.
        world.release_joints(self.body, self.wheel_joints)
        # Bound once: this runs at every control step.
        self._drive = world.velocity_motors(self.body, self.wheel_joints, [MOTOR_TORQUE, MOTOR_TORQUE])

    def command(self, left: float, right: float) -> None:
        """Set wheel speed targets from commands in [-1, 1]; they hold until the next command."""
        self._drive(targetVelocities=[left * MAX_WHEEL_SPEED, right * MAX_WHEEL_SPEED])

    def place(self, x: float, y: float, yaw: float) -> None:
        """Put the rover at rest on the ground at a pose."""
        quaternion = (0.0, 0.0, math.sin(yaw / 2.0), math.cos(yaw / 2.0))
        self.world.set_base_pose(self.body, (x, y, REST_HEIGHT), quaternion)
        self.world.set_base_velocity(self.body, (0.0, 0.0, 0.0), (0.0, 0.0, 0.0))

    def read_state(self) -> RoverState:
        """Planar state in the world frame (two bridge calls)."""
        position, quaternion = self.world.base_pose(self.body)
        linear, angular = self.world.base_velocity(self.body)
        qx, qy, qz, qw = quaternion
        yaw = math.atan2(2.0 * (qw * qz + qx * qy), 1.0 - 2.0 * (qy * qy + qz * qz))
        return RoverState(position[0], position[1], yaw, linear[0], linear[1], angular[2])

    def push(self, force_x: float, force_y: float) -> None:
        """Apply a horizontal force (N, in the rover's own frame) at the chassis during the next step."""
        self.world.push(self.body, (force_x, force_y, 0.0))
