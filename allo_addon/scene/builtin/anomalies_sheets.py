"""Sheet-like anomalies: torn MLI blanket, bent-off panel, crumpled metal fragment."""

from __future__ import annotations

import math
import random

import bmesh
from mathutils import Vector, noise

from .anomaly_kit import finish_bmesh, material, polar_sheet, thicken


def blanket(collection, rng: random.Random):
    """A torn MLI sheet: a wrinkled, curled grid with a ragged tear, given a little thickness."""
    gold = rng.random() < 0.5
    colour = (0.95, 0.62, 0.25) if gold else (0.82, 0.83, 0.85)
    mat = material("ALLO_anomaly_blanket", colour, 1.0, 0.3, bump_scale=30.0, bump_strength=0.8)
    width, height = rng.uniform(0.6, 0.9), rng.uniform(0.4, 0.65)
    nx, ny = 48, 36
    offset = Vector([rng.uniform(-50, 50) for _ in range(3)])
    curl = rng.uniform(0.6, 1.6)
    tear_a, tear_b = rng.uniform(0.15, 0.35), rng.uniform(-0.8, 0.8)
    bm = bmesh.new()
    grid = {}
    for i in range(nx + 1):
        for j in range(ny + 1):
            u, v = i / nx - 0.5, j / ny - 0.5
            # ragged tear: drop the part of the sheet beyond a noisy diagonal line
            ragged = 0.07 * noise.noise(Vector((u * 7, v * 7, 0.0)) + offset)
            if u + tear_b * v + ragged > tear_a:
                continue
            x, y = u * width, v * height
            wrinkle = 0.025 * noise.noise(Vector((x * 9, y * 9, 0.0)) + offset) \
                + 0.008 * noise.noise(Vector((x * 40, y * 40, 1.0)) + offset)
            bend = curl * x
            grid[i, j] = bm.verts.new((math.sin(bend) / curl if curl else x,
                                       y, (1 - math.cos(bend)) / curl + wrinkle + 0.06 * y * y))
    for i in range(nx):
        for j in range(ny):
            quad = [grid.get(k) for k in ((i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1))]
            if all(quad):
                bm.faces.new(quad)
    loose = [v for v in bm.verts if not v.link_faces]
    bmesh.ops.delete(bm, geom=loose, context="VERTS")
    thicken(bm, 0.004)
    return finish_bmesh(bm, [mat], collection, "blanket")


def panel(collection, rng: random.Random):
    """A bent-off MMOD shield or cover panel."""
    mat = material("ALLO_anomaly_panel", (0.8, 0.8, 0.78), 0.0, 0.45)
    width, height = rng.uniform(0.4, 0.7), rng.uniform(0.3, 0.5)
    bend = rng.uniform(0.3, 0.9)
    bm = bmesh.new()
    nx, ny = 24, 12
    grid = {}
    for i in range(nx + 1):
        for j in range(ny + 1):
            x, y = (i / nx - 0.5) * width, (j / ny - 0.5) * height
            z = 0.0 if x < 0 else (1 - math.cos(bend * x / width * math.pi)) * width * 0.3
            grid[i, j] = bm.verts.new((x, y, z))
    for i in range(nx):
        for j in range(ny):
            bm.faces.new([grid[i, j], grid[i + 1, j], grid[i + 1, j + 1], grid[i, j + 1]])
    thicken(bm, 0.008)
    return finish_bmesh(bm, [mat], collection, "panel")


def debris(collection, rng: random.Random):
    """A jagged fragment of aluminium skin: star-shaped torn outline, crumpled, 2 mm thick,
    with a soot-darkened face (second material) on the side that faced the breakup."""
    bare = material("ALLO_anomaly_debris", (0.66, 0.66, 0.68), 1.0, rng.uniform(0.25, 0.45),
                    bump_scale=25.0, bump_strength=0.5)
    scorched = material("ALLO_anomaly_debris_scorched", (0.09, 0.08, 0.07), 0.4, 0.6,
                        bump_scale=40.0, bump_strength=0.4)
    size = rng.uniform(0.07, 0.15)                      # mean outline radius
    stretch = rng.uniform(1.0, 1.6)                    # elongated shards are common
    spikes = [(rng.uniform(0.45, 1.25), rng.uniform(0, 2 * math.pi)) for _ in range(7)]
    offset = Vector([rng.uniform(-50, 50) for _ in range(3)])
    fold = rng.uniform(-1.2, 1.2)

    def outline(a):
        jag = sum(0.12 * amp * math.cos((k + 2) * a + phase) for k, (amp, phase) in enumerate(spikes))
        r = size * (1.0 + jag) * (1.0 + 0.5 * noise.noise(Vector((math.cos(a) * 3, math.sin(a) * 3, 0)) + offset))
        return max(0.25 * size, r) * math.sqrt((stretch * math.cos(a)) ** 2 + math.sin(a) ** 2)

    def height(x, y, t):
        crumple = 0.03 * size / 0.1 * noise.noise(Vector((x * 18, y * 18, 0.5)) + offset)
        return crumple + 0.25 * fold * max(0.0, x) ** 2 / size   # a folded-over corner

    bm = bmesh.new()
    polar_sheet(bm, outline, height, rings=8, segments=40)
    back = set(thicken(bm, 0.002))  # membership only: never iterated
    return finish_bmesh(bm, [bare, scorched], collection, "debris",
                        slot=lambda face: 1 if face in back else 0)
