"""Anomalies that belong on a station surface: a frost patch and an MMOD impact.

Both are thin patches in the local XY plane, local +Z pointing out of the surface, the
underside near local z = min. Placement onto the hull (align +Z with the surface normal, sit
the underside on the surface) is done by the caller.
"""

from __future__ import annotations

import math
import random

import bmesh
from mathutils import Vector, noise

from .anomaly_kit import finish_bmesh, material, polar_sheet, thicken


def _ragged(rng: random.Random, mean: float, roughness: float, offset: Vector):
    phases = [rng.uniform(0, 2 * math.pi) for _ in range(5)]

    def radius(a):
        wave = sum(0.5 ** k * math.cos((k + 2) * a + p) for k, p in enumerate(phases)) / 2
        edge = noise.noise(Vector((3 * math.cos(a), 3 * math.sin(a), 0.0)) + offset)
        return mean * (1.0 + roughness * (0.6 * wave + 0.4 * edge))
    return radius


def frost(collection, rng: random.Random):
    """An ice/frost patch (e.g. a leaking coolant line freezing on the hull): an irregular
    outline 0.3–0.9 m across, 2–5 mm of crystalline build-up, thickest in the middle and
    feathering out to the edge."""
    ice = material("ALLO_anomaly_frost", (0.88, 0.92, 0.97), 0.0, 0.35, bump_scale=400.0,
                   bump_strength=0.6, subsurface_weight=0.3)
    offset = Vector([rng.uniform(-50, 50) for _ in range(3)])
    outline = _ragged(rng, rng.uniform(0.15, 0.36), 0.45, offset)
    depth = rng.uniform(0.002, 0.005)

    def height(x, y, t):
        lumps = 0.5 + 0.5 * noise.noise(Vector((x * 40, y * 40, 0.3)) + offset)
        return depth * (1.0 - t * t) * (0.5 + 0.5 * lumps)

    bm = bmesh.new()
    polar_sheet(bm, outline, height, rings=14, segments=64)  # fine enough to bend
    thicken(bm, 0.0008)
    return finish_bmesh(bm, [ice], collection, "frost")


def mmod_hole(collection, rng: random.Random):
    """A micrometeoroid puncture: a ragged 2–8 cm hole whose petals are bent outward, a
    scorched zone around it and a dark cavity below, in a 0.15–0.45 m zone of torn, discoloured
    blanket around it (what an inspection camera picks up first)."""
    scorched = material("ALLO_anomaly_mmod_hole", (0.03, 0.027, 0.025), 0.5, 0.55,
                        bump_scale=150.0, bump_strength=0.5)
    burnt = material("ALLO_anomaly_mmod_hole_burnt", (0.16, 0.11, 0.07), 0.3, 0.6,
                     bump_scale=90.0, bump_strength=0.5)
    torn = material("ALLO_anomaly_mmod_hole_torn", (0.55, 0.52, 0.46), 0.2, 0.7,
                    bump_scale=60.0, bump_strength=0.8)
    offset = Vector([rng.uniform(-50, 50) for _ in range(3)])
    hole = rng.uniform(0.01, 0.04)
    outer = rng.uniform(0.1, 0.25)
    inner = _ragged(rng, hole, 0.5, offset)
    outline = _ragged(rng, outer, 0.25, offset + Vector((7.0, 0.0, 0.0)))
    petals, phase = rng.randint(4, 7), rng.uniform(0, 2 * math.pi)
    lift = rng.uniform(0.003, 0.007)

    def height(x, y, t):
        a = math.atan2(y, x)
        petal = max(0.0, math.cos(petals * a + phase)) ** 0.5
        buckle = 0.004 * t ** 2 * (0.5 + 0.5 * noise.noise(Vector((x * 25, y * 25, 2.0)) + offset))
        return lift * (1.0 - t) ** 4 * (0.3 + 0.7 * petal) + buckle \
            + 0.0008 * noise.noise(Vector((x * 80, y * 80, 0.0)) + offset)

    bm = bmesh.new()
    polar_sheet(bm, outline, height, rings=16, segments=64, inner=inner)
    cavity = [bm.verts.new((1.4 * hole * math.cos(a), 1.4 * hole * math.sin(a), -0.004))
              for a in (2 * math.pi * k / 24 for k in range(24))]
    bm.faces.new(cavity)
    thicken(bm, 0.001)

    # soot near the hole, a ragged ring of burnt blanket, torn and delaminated layers outside
    def slot(face):
        centre = face.calc_center_median()
        a = math.atan2(centre.y, centre.x)
        wobble = 1.0 + 0.35 * noise.noise(Vector((4 * math.cos(a), 4 * math.sin(a), 1.5)) + offset)
        reach = centre.xy.length / wobble
        if reach < 2.5 * hole:
            return 0
        return 1 if reach < 2.5 * hole + 0.45 * (outer - 2.5 * hole) else 2
    return finish_bmesh(bm, [scorched, burnt, torn], collection, "mmod_hole", slot=slot)
