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
    """An ice/frost patch (e.g. a leaking line freezing on the hull): irregular outline, 2–5 mm
    of crystalline build-up, thickest in the middle and feathering out to the edge."""
    ice = material("ALLO_anomaly_frost", (0.88, 0.92, 0.97), 0.0, 0.35, bump_scale=400.0,
                   bump_strength=0.6, subsurface_weight=0.3)
    offset = Vector([rng.uniform(-50, 50) for _ in range(3)])
    outline = _ragged(rng, rng.uniform(0.06, 0.15), 0.45, offset)
    depth = rng.uniform(0.002, 0.005)

    def height(x, y, t):
        lumps = 0.5 + 0.5 * noise.noise(Vector((x * 40, y * 40, 0.3)) + offset)
        return depth * (1.0 - t * t) * (0.5 + 0.5 * lumps)

    bm = bmesh.new()
    polar_sheet(bm, outline, height, rings=10, segments=48)
    thicken(bm, 0.0008)
    return finish_bmesh(bm, [ice], collection, "frost")


def mmod_hole(collection, rng: random.Random):
    """A micrometeoroid puncture: a ragged hole whose petals are bent outward, a scorched zone
    around it and a dark cavity below, in a patch of the surrounding skin (0.1–0.3 m)."""
    scorched = material("ALLO_anomaly_mmod_hole", (0.05, 0.045, 0.04), 0.5, 0.55,
                        bump_scale=150.0, bump_strength=0.5)
    skin = material("ALLO_anomaly_mmod_hole_rim", (0.45, 0.38, 0.3), 0.6, 0.45,
                    bump_scale=60.0, bump_strength=0.3)
    offset = Vector([rng.uniform(-50, 50) for _ in range(3)])
    hole = rng.uniform(0.008, 0.03)
    outer = rng.uniform(0.05, 0.15)
    inner = _ragged(rng, hole, 0.5, offset)
    outline = _ragged(rng, outer, 0.25, offset + Vector((7.0, 0.0, 0.0)))
    petals, phase = rng.randint(4, 7), rng.uniform(0, 2 * math.pi)
    lift = rng.uniform(0.003, 0.007)

    def height(x, y, t):
        a = math.atan2(y, x)
        petal = max(0.0, math.cos(petals * a + phase)) ** 0.5
        return lift * (1.0 - t) ** 4 * (0.3 + 0.7 * petal) \
            + 0.0008 * noise.noise(Vector((x * 80, y * 80, 0.0)) + offset)

    bm = bmesh.new()
    polar_sheet(bm, outline, height, rings=12, segments=48, inner=inner)
    cavity = [bm.verts.new((1.4 * hole * math.cos(a), 1.4 * hole * math.sin(a), -0.004))
              for a in (2 * math.pi * k / 24 for k in range(24))]
    bm.faces.new(cavity)
    thicken(bm, 0.001)
    burnt = 2.5 * hole   # faces nearer the centre than this are scorched

    def slot(face):
        return 0 if face.calc_center_median().xy.length < burnt else 1
    return finish_bmesh(bm, [scorched, skin], collection, "mmod_hole", slot=slot)
