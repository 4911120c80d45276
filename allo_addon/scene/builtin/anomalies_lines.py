"""Anomalies swept along a path: drifting tether, power cable loop, detached handrail."""

from __future__ import annotations

import math
import random

from mathutils import Matrix, Vector

from .anomaly_kit import material, rename
from .mesh_builder import MeshBuilder, placed


def cable(collection, rng: random.Random):
    """A drifting tether: a smooth, slightly twisted open loop 1.5–2.5 cm thick with end connectors."""
    jacket = rng.choice([(0.05, 0.05, 0.055), (0.75, 0.75, 0.72), (0.8, 0.55, 0.1)])
    mat = material("ALLO_anomaly_cable", jacket, 0.0, 0.55)
    metal = material("ALLO_anomaly_cable_plug", (0.7, 0.7, 0.72), 1.0, 0.3)
    radius = rng.uniform(0.3, 0.45)
    thickness = rng.uniform(0.008, 0.0125)
    phases = [rng.uniform(0, 2 * math.pi) for _ in range(4)]
    turns = rng.uniform(1.1, 1.6)
    points = []
    n = 160
    for k in range(n + 1):
        t = k / n * 2 * math.pi * turns
        r = radius * (1 + 0.25 * math.sin(2 * t + phases[0]) + 0.1 * math.sin(5 * t + phases[1]))
        points.append(Vector((r * math.cos(t), r * math.sin(t) * 0.8,
                              0.12 * math.sin(1.5 * t + phases[2]) + 0.05 * k / n + 0.04 * math.sin(4 * t + phases[3]))))
    b = MeshBuilder("cable")
    b.tube(points, thickness, mat, segments=12)
    for end, prev in ((points[0], points[1]), (points[-1], points[-2])):
        direction = (end - prev).normalized()
        b.cylinder(thickness * 2.2, 0.06, placed(end + 0.03 * direction, direction), metal, segments=16)
        b.cylinder(thickness * 1.4, 0.03, placed(end + 0.075 * direction, direction), metal, segments=16)
    return rename(b.to_object(collection), "cable")


def power_cable(collection, rng: random.Random):
    """A thick (2.5–3.5 cm) power cable coiled into one loose loop whose ends cross, with round
    multi-pin connectors, strain reliefs and a few cable ties."""
    jacket = rng.choice([(0.03, 0.03, 0.035), (0.85, 0.35, 0.05), (0.2, 0.22, 0.25)])
    mat = material("ALLO_anomaly_power_cable", jacket, 0.0, 0.6)
    shell = material("ALLO_anomaly_power_cable_plug", (0.55, 0.56, 0.58), 1.0, 0.35)
    tie = material("ALLO_anomaly_power_cable_tie", (0.85, 0.85, 0.82), 0.0, 0.5)
    radius = rng.uniform(0.22, 0.32)
    thickness = rng.uniform(0.0125, 0.0175)
    sweep = rng.uniform(1.15, 1.35) * 2 * math.pi     # a bit more than one turn: the ends cross
    pitch = rng.uniform(0.04, 0.1)
    wobble = [rng.uniform(0, 2 * math.pi) for _ in range(2)]
    n = 140
    points = []
    for k in range(n + 1):
        s = k / n
        t = s * sweep
        r = radius * (1 + 0.12 * math.sin(3 * t + wobble[0]))
        points.append(Vector((r * math.cos(t), r * math.sin(t),
                              pitch * s + 0.03 * math.sin(2 * t + wobble[1]))))
    b = MeshBuilder("power_cable")
    b.tube(points, thickness, mat, segments=14)
    for end, prev in ((points[0], points[1]), (points[-1], points[-2])):
        d = (end - prev).normalized()
        b.cylinder(thickness * 1.1, 0.05, placed(end + 0.02 * d, d), mat, segments=16,
                   radius_top=thickness * 1.6)                                          # strain relief
        b.cylinder(thickness * 2.4, 0.07, placed(end + 0.08 * d, d), shell, segments=24)  # shell
        b.cylinder(thickness * 2.7, 0.015, placed(end + 0.1 * d, d), shell, segments=24)  # coupling nut
    for s in sorted(rng.uniform(0.15, 0.85) for _ in range(rng.randint(2, 3))):
        k = int(s * n)
        p, t = points[k], (points[k + 1] - points[k - 1]).normalized()
        u = t.orthogonal().normalized()
        v = t.cross(u)
        ring = [p + thickness * 1.15 * (math.cos(a) * u + math.sin(a) * v)
                for a in (2 * math.pi * j / 16 for j in range(16))]
        b.tube(ring, 0.003, tie, segments=6, closed=True)
    return rename(b.to_object(collection), "power_cable")


def handrail(collection, rng: random.Random):
    """A handrail torn off its mounts: a 3 cm bar between two stand-offs with rounded corners,
    bent a little, with the mounting feet (and sheared bolt stubs) still attached."""
    paint = material("ALLO_anomaly_handrail", (0.72, 0.48, 0.08), 0.0, 0.45)
    metal = material("ALLO_anomaly_handrail_bolt", (0.6, 0.6, 0.62), 1.0, 0.3)
    length = rng.uniform(0.4, 1.0)
    rise = rng.uniform(0.07, 0.1)
    corner = 0.035
    sag, twist = rng.uniform(-0.08, 0.08), rng.uniform(-0.06, 0.06)
    path = [Vector((0.0, 0.0, 0.0))]
    for k in range(9):                      # rounded corner, leg up to rail
        a = math.pi / 2 * k / 8
        path.append(Vector((corner - corner * math.cos(a), 0.0, rise - corner + corner * math.sin(a))))
    for k in range(1, 24):
        path.append(Vector((corner + (length - 2 * corner) * k / 24, 0.0, rise)))
    for k in range(9):                      # rounded corner, rail down to the other leg
        a = math.pi / 2 * k / 8
        path.append(Vector((length - corner + corner * math.sin(a), 0.0, rise - corner + corner * math.cos(a))))
    path.append(Vector((length, 0.0, 0.0)))
    for p in path:                          # the damage: a bow and a sideways kink
        s = p.x / length
        p.z += sag * math.sin(math.pi * s)
        p.y += twist * s * s
    b = MeshBuilder("handrail")
    b.tube(path, 0.0125, paint, segments=10)
    for foot in (path[0], path[-1]):
        b.box((0.06, 0.045, 0.012), Matrix.Translation(foot - Vector((0, 0, 0.006))), paint)
        for dx in (-0.018, 0.018):
            b.cylinder(0.004, 0.02, placed(foot + Vector((dx, 0, -0.02))), metal, segments=8)
    return rename(b.to_object(collection), "handrail")
