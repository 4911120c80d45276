"""Anomaly models: debris that should not be floating next to the station.

Each builder makes ONE mesh object from a seed (same seed, same geometry), 0.2–1.2 m across,
with its origin at the bounding-box centre. Every material is a node material whose Principled
BSDF "Base Color" is a plain value, because the colour variation mode overwrites it.
"""

from __future__ import annotations

import math
import random

import bmesh
import bpy
from mathutils import Matrix, Vector, noise

from ...core.errors import UserError

from .mesh_builder import MeshBuilder, placed
from .shader_graph import ShaderGraph

ANOMALY_KINDS: tuple[str, ...] = ("blanket", "cable", "drill", "panel")


def build_anomaly(kind: str, collection, seed: int) -> bpy.types.Object:
    builders = {"blanket": _blanket, "cable": _cable, "drill": _drill, "panel": _panel}
    if kind not in builders:
        raise UserError(f"unknown anomaly {kind!r}; the built-in anomalies are: {', '.join(ANOMALY_KINDS)}")
    obj = builders[kind](collection, random.Random(f"{kind}:{seed}"))
    _origin_to_bbox_centre(obj)
    return obj


# ---------------------------------------------------------------- materials
def _material(name: str, base_color, metallic: float, roughness: float, bump_scale: float = 0.0,
              bump_strength: float = 0.0):
    """A fresh material per anomaly (the colour mode edits it); base colour stays unlinked."""
    g = ShaderGraph(name)
    g.set(base_color=(*base_color, 1.0), metallic=metallic, roughness=roughness)
    if bump_strength:
        crinkle = g.noise(g.coords("Object"), bump_scale, detail=6.0, roughness=0.65)
        g.set(normal=g.bump(crinkle, bump_strength, 0.005))
    return g.material


# ---------------------------------------------------------------- blanket
def _blanket(collection, rng: random.Random):
    """A torn MLI sheet: a wrinkled, curled grid with a ragged tear, given a little thickness."""
    gold = rng.random() < 0.5
    colour = (0.95, 0.62, 0.25) if gold else (0.82, 0.83, 0.85)
    mat = _material("ALLO_anomaly_blanket", colour, 1.0, 0.3, bump_scale=30.0, bump_strength=0.8)
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
    _thicken(bm, 0.004)
    return _finish_bmesh(bm, mat, collection, "blanket")


# ---------------------------------------------------------------- cable
def _cable(collection, rng: random.Random):
    """A drifting tether: a smooth, slightly twisted open loop 1.5–2.5 cm thick with end connectors."""
    jacket = rng.choice([(0.05, 0.05, 0.055), (0.75, 0.75, 0.72), (0.8, 0.55, 0.1)])
    mat = _material("ALLO_anomaly_cable", jacket, 0.0, 0.55)
    metal = _material("ALLO_anomaly_cable_plug", (0.7, 0.7, 0.72), 1.0, 0.3)
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
    return _rename(b.to_object(collection), "cable")


# ---------------------------------------------------------------- drill
def _drill(collection, rng: random.Random):
    """A pistol-grip power tool (PGT-like): body, grip, battery, socket drive, trigger, tether ring."""
    body_colour = rng.choice([(0.08, 0.08, 0.09), (0.55, 0.55, 0.52), (0.12, 0.16, 0.3)])
    shell = _material("ALLO_anomaly_drill", body_colour, 0.0, 0.5)
    metal = _material("ALLO_anomaly_drill_metal", (0.72, 0.72, 0.74), 1.0, 0.25)
    screen = _material("ALLO_anomaly_drill_screen", (0.02, 0.02, 0.025), 0.0, 0.15)
    nose = rng.uniform(0.18, 0.24)           # motor housing length
    extension = rng.uniform(0.05, 0.12)      # socket extension length
    grip_angle = math.radians(rng.uniform(10, 20))
    b = MeshBuilder("drill")
    b.cylinder(0.04, nose, placed((0.02, 0, 0), (1, 0, 0)), shell, segments=24)           # motor housing
    b.box((0.16, 0.075, 0.09), Matrix.Translation((-0.07, 0, 0.0)), shell)                 # rear body
    b.box((0.07, 0.06, 0.012), Matrix.Translation((-0.08, 0, 0.05)), screen)               # display
    grip = Matrix.Translation((-0.06, 0, -0.11)) @ Matrix.Rotation(grip_angle, 4, "Y")
    b.box((0.05, 0.045, 0.17), grip, shell)                                                 # grip
    b.box((0.15, 0.09, 0.055), Matrix.Translation((-0.085, 0, -0.215)), shell)             # battery
    b.box((0.018, 0.016, 0.04), Matrix.Translation((-0.02, 0, -0.06)), metal)              # trigger
    front = 0.02 + nose / 2
    b.cylinder(0.028, 0.05, placed((front + 0.025, 0, 0), (1, 0, 0)), metal, segments=20)  # chuck
    b.cylinder(0.01, extension, placed((front + 0.05 + extension / 2, 0, 0), (1, 0, 0)), metal, segments=12)
    b.box((0.022, 0.022, 0.022), Matrix.Translation((front + 0.06 + extension, 0, 0)), metal)  # socket
    ring = [(-0.17 + 0.022 * math.cos(a), 0, 0.02 + 0.022 * math.sin(a))
            for a in (2 * math.pi * k / 16 for k in range(16))]
    b.tube(ring, 0.005, metal, segments=6, closed=True)                                     # tether ring
    return _rename(b.to_object(collection), "drill")


# ---------------------------------------------------------------- panel
def _panel(collection, rng: random.Random):
    """A bent-off MMOD shield or cover panel with a few bolt holes' worth of stubs."""
    mat = _material("ALLO_anomaly_panel", (0.8, 0.8, 0.78), 0.0, 0.45)
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
    _thicken(bm, 0.008)
    return _finish_bmesh(bm, mat, collection, "panel")


# ---------------------------------------------------------------- helpers
def _thicken(bm, thickness: float) -> None:
    """Give an open sheet thickness: a back copy along the vertex normals and side walls.

    Written out instead of bmesh.ops.solidify, whose output order varies from run to run:
    the same seed must give the same mesh, vertex for vertex, or renders differ.
    """
    bm.verts.index_update()
    bm.normal_update()
    front = list(bm.verts)
    back = [bm.verts.new(v.co - v.normal * thickness) for v in front]
    faces = list(bm.faces)
    for face in faces:
        bm.faces.new([back[v.index] for v in reversed(face.verts)])
        for loop in face.loops:
            edge = loop.edge
            if len(edge.link_faces) == 1:
                a, b = loop.vert, loop.link_loop_next.vert
                bm.faces.new([b, a, back[a.index], back[b.index]])


def _finish_bmesh(bm, material, collection, name):
    for face in bm.faces:
        face.smooth = True
        face.material_index = 0
    mesh = bpy.data.meshes.new(name)
    bm.to_mesh(mesh)
    bm.free()
    mesh.materials.append(material)
    obj = bpy.data.objects.new(name, mesh)
    collection.objects.link(obj)
    return obj


def _rename(obj, name):
    obj.name = name
    obj.data.name = name
    return obj


def _origin_to_bbox_centre(obj) -> None:
    coords = [v.co for v in obj.data.vertices]
    lo = Vector([min(c[i] for c in coords) for i in range(3)])
    hi = Vector([max(c[i] for c in coords) for i in range(3)])
    obj.data.transform(Matrix.Translation(-(lo + hi) / 2))
    obj.data.update()
