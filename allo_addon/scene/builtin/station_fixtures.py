"""Small fittings shared by the station's parts: docking ports and handrails."""

from __future__ import annotations

import math

from mathutils import Matrix, Vector

from .mesh_builder import MeshBuilder, placed

PORT_FACE = 0.58  # metres from where a docking port leaves the hull to its ring's mating face


def docking_port(b: MeshBuilder, mats, at: Vector, direction: Vector, roll: float = 0.0) -> None:
    """Tunnel, grey flange and an aluminium docking ring with three guide petals.

    `at` is where the tunnel leaves the hull; the ring's mating face lies PORT_FACE further along
    `direction`. Two docked ports face each other with one rolled by 60° so the petals interleave.
    """
    b.cylinder(0.62, 0.45, placed(at + 0.226 * direction, direction), mats["hull_grey"], segments=40)
    b.cylinder(0.8, 0.08, placed(at + 0.42 * direction, direction), mats["dark_metal"], segments=40)
    b.cylinder(0.7, 0.12, placed(at + (PORT_FACE - 0.06) * direction, direction), mats["aluminium"], segments=40)
    for k in range(3):
        m = placed(at + 0.62 * direction, direction, 2 * math.pi * k / 3 + roll)
        b.box((0.12, 0.3, 0.2), m @ Matrix.Translation((0.0, 0.55, 0.0)) @ Matrix.Rotation(0.4, 4, "X"),
              mats["aluminium"])


def rails_on_barrel(b: MeshBuilder, mats, x0, x1, radius, angles_deg):
    """Handrails parallel to the axis, 0.12 m off the skin, stanchions every ~0.6 m."""
    standoff = radius + 0.12
    for angle in angles_deg:
        a = math.radians(angle)
        c, s = math.cos(a), math.sin(a)
        segments = max(1, round((x1 - x0) / 2.2))
        seg_len = (x1 - x0) / segments
        for k in range(segments):
            ra, rb = x0 + k * seg_len + 0.15, x0 + (k + 1) * seg_len - 0.15
            b.tube([(ra, standoff * c, standoff * s), (rb, standoff * c, standoff * s)], 0.017,
                   mats["handrail"], segments=8)
            legs = max(2, round((rb - ra) / 0.6) + 1)
            for j in range(legs):
                x = ra + j * (rb - ra) / (legs - 1)
                b.tube([(x, (radius - 0.02) * c, (radius - 0.02) * s), (x, standoff * c, standoff * s)],
                       0.012, mats["handrail"], segments=6)


def grapple_fixture(b: MeshBuilder, mats, at: Vector, normal: Vector) -> None:
    """A power-data grapple fixture for the robotic arm: base plate, white housing, grapple pin
    and three alignment guides."""
    n = Vector(normal).normalized()
    b.cylinder(0.32, 0.08, placed(at + 0.02 * n, n), mats["hull_grey"], segments=24)
    b.cylinder(0.26, 0.14, placed(at + 0.13 * n, n), mats["white_paint"], segments=24)
    b.cylinder(0.05, 0.26, placed(at + 0.32 * n, n), mats["aluminium"], segments=12)
    b.cylinder(0.08, 0.05, placed(at + 0.46 * n, n), mats["dark_metal"], segments=12)
    for k in range(3):
        m = placed(at + 0.24 * n, n, 2 * math.pi * k / 3)
        b.box((0.05, 0.08, 0.12), m @ Matrix.Translation((0.0, 0.2, 0.0)), mats["dark_metal"])


def eva_light(b: MeshBuilder, mats, at: Vector, normal: Vector, facing: Vector) -> None:
    """An EVA light and camera head on a short stalk, looking along `facing`."""
    n = Vector(normal).normalized()
    b.cylinder(0.04, 0.3, placed(at + 0.15 * n, n), mats["aluminium"], segments=10)
    head = at + 0.36 * n
    b.box((0.16, 0.16, 0.16), placed(head, facing), mats["white_paint"])
    b.cylinder(0.05, 0.06, placed(head + 0.09 * Vector(facing).normalized(), facing), mats["window"], segments=16)


def antenna(b: MeshBuilder, mats, at: Vector, normal: Vector, length: float = 0.6) -> None:
    """A UHF/S-band whip antenna on an insulating base."""
    n = Vector(normal).normalized()
    b.cylinder(0.07, 0.06, placed(at + 0.03 * n, n), mats["dark_metal"], segments=16)
    b.cylinder(0.012, length, placed(at + (0.06 + length / 2) * n, n), mats["white_paint"], segments=8)
    b.cylinder(0.025, 0.04, placed(at + (0.08 + length) * n, n), mats["white_paint"], segments=8)
