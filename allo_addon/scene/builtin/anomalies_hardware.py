"""Loose hardware: pistol-grip tool, free-flyer drone, bolts and washers, foot restraint,
cargo transfer bag. Built from MeshBuilder primitives (closed volumes, metric UVs)."""

from __future__ import annotations

import math
import random

from mathutils import Euler, Matrix, Vector, noise

from .anomaly_kit import material, rename
from .mesh_builder import MeshBuilder, placed


def drill(collection, rng: random.Random):
    """A pistol-grip power tool (PGT-like): body, grip, battery, socket drive, trigger, tether ring."""
    body_colour = rng.choice([(0.08, 0.08, 0.09), (0.55, 0.55, 0.52), (0.12, 0.16, 0.3)])
    shell = material("ALLO_anomaly_drill", body_colour, 0.0, 0.5)
    metal = material("ALLO_anomaly_drill_metal", (0.72, 0.72, 0.74), 1.0, 0.25)
    screen = material("ALLO_anomaly_drill_screen", (0.02, 0.02, 0.025), 0.0, 0.15)
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
    return rename(b.to_object(collection), "drill")


def drone(collection, rng: random.Random):
    """A small free-flying inspection drone: a central pod, four arms with ducted rotors
    (two-blade props), a camera ball and a status light bar."""
    colour = rng.choice([(0.85, 0.85, 0.83), (0.1, 0.1, 0.11), (0.9, 0.45, 0.08)])
    shell = material("ALLO_anomaly_drone", colour, 0.0, 0.4)
    dark = material("ALLO_anomaly_drone_parts", (0.03, 0.03, 0.035), 0.3, 0.35)
    lens = material("ALLO_anomaly_drone_lens", (0.01, 0.01, 0.02), 0.0, 0.05, coat_weight=1.0)
    arm = rng.uniform(0.1, 0.14)
    duct = rng.uniform(0.055, 0.075)
    pod = Vector((rng.uniform(0.11, 0.15), rng.uniform(0.09, 0.12), rng.uniform(0.045, 0.06)))
    b = MeshBuilder("drone")
    b.box(pod, Matrix(), shell)
    b.sphere(pod.y * 0.42, Matrix.Translation((0, 0, pod.z * 0.45)) @ Matrix.Diagonal((1.3, 1, 0.55, 1)), shell)
    b.sphere(0.022, Matrix.Translation((pod.x / 2 + 0.01, 0, -pod.z * 0.25)), lens)        # camera ball
    b.box((0.004, pod.y * 0.6, 0.008), Matrix.Translation((-pod.x / 2 - 0.002, 0, 0)), dark)  # light bar
    for k in range(4):
        a = math.pi / 4 + k * math.pi / 2
        d = Vector((math.cos(a), math.sin(a), 0.0))
        hub = d * (arm + duct * 0.3)
        b.cylinder(0.008, arm, placed(d * (arm / 2 + 0.03), d), dark, segments=10)          # arm
        ring = [hub + duct * Vector((math.cos(t), math.sin(t), 0))
                for t in (2 * math.pi * j / 28 for j in range(28))]
        b.tube(ring, 0.006, shell, segments=8, closed=True)                                # duct
        b.cylinder(0.012, 0.02, placed(hub), dark, segments=12)                            # motor
        spin = rng.uniform(0, math.pi)
        blade = Matrix.Translation(hub + Vector((0, 0, 0.012))) @ Matrix.Rotation(spin, 4, "Z")
        b.box((duct * 1.8, 0.012, 0.002), blade, dark)                                      # prop
    return rename(b.to_object(collection), "drone")


def bolts(collection, rng: random.Random):
    """A loose cluster of fasteners drifting together: hex bolts, nuts and washers."""
    steel = material("ALLO_anomaly_bolts", (0.7, 0.7, 0.72), 1.0, rng.uniform(0.2, 0.35),
                     bump_scale=200.0, bump_strength=0.3)
    spread = rng.uniform(0.05, 0.1)
    b = MeshBuilder("bolts")

    def somewhere():
        offset = Vector([rng.uniform(-1, 1) for _ in range(3)]) * spread
        spin = Euler([rng.uniform(0, 2 * math.pi) for _ in range(3)], "XYZ").to_matrix().to_4x4()
        return Matrix.Translation(offset) @ spin

    for _ in range(rng.randint(4, 7)):                       # bolts: hex head + shank
        m, head = somewhere(), rng.uniform(0.008, 0.012)
        shank = rng.uniform(0.03, 0.06)
        b.cylinder(head, head * 0.6, m, steel, segments=6)
        b.cylinder(head * 0.55, shank, m @ Matrix.Translation((0, 0, -shank / 2)), steel, segments=10)
    for _ in range(rng.randint(3, 5)):                       # washers: flat rings
        m, r = somewhere(), rng.uniform(0.008, 0.014)
        ring = [(r * math.cos(t), r * math.sin(t), 0) for t in (2 * math.pi * j / 16 for j in range(16))]
        b.tube([m @ Vector(p) for p in ring], r * 0.35, steel, segments=6, closed=True)
    for _ in range(rng.randint(2, 3)):                       # nuts
        b.cylinder(rng.uniform(0.008, 0.011), 0.008, somewhere(), steel, segments=6)
    return rename(b.to_object(collection), "bolts")


def foot_restraint(collection, rng: random.Random):
    """A portable foot restraint: foot plate with grip pads, heel and toe loops, a stem with an
    adjustment knob and the probe that plugs into a worksite socket."""
    alu = material("ALLO_anomaly_foot_restraint", (0.6, 0.61, 0.63), 1.0, 0.35)
    pad = material("ALLO_anomaly_foot_restraint_pad", (0.05, 0.05, 0.05), 0.0, 0.8)
    paint = material("ALLO_anomaly_foot_restraint_loop", (0.72, 0.48, 0.08), 0.0, 0.45)
    length, width = rng.uniform(0.3, 0.36), rng.uniform(0.13, 0.16)
    stem = rng.uniform(0.25, 0.4)
    tilt = math.radians(rng.uniform(0, 25))
    b = MeshBuilder("foot_restraint")
    b.box((length, width, 0.016), Matrix(), alu)                                            # plate
    b.box((length * 0.85, width * 0.8, 0.004), Matrix.Translation((0, 0, 0.01)), pad)        # grip pad
    toe_x = length * 0.15
    arch = [Vector((toe_x, width / 2 * math.cos(t), 0.008 + 0.07 * math.sin(t))) for t in
            (math.pi * j / 20 for j in range(21))]
    b.tube(arch, 0.007, paint, segments=8)                                                  # toe loop
    heel = [Vector((-length / 2 + 0.03 - 0.05 * math.sin(t), width * 0.4 * math.cos(t), 0.05)) for t in
            (math.pi * j / 16 for j in range(17))]
    b.tube([heel[0] - Vector((0, 0, 0.042))] + heel + [heel[-1] - Vector((0, 0, 0.042))], 0.006, paint,
           segments=8)                                                                        # heel clip
    down = Vector((math.sin(tilt), 0.0, -math.cos(tilt)))
    b.cylinder(0.045, 0.03, placed((0, 0, -0.023)), alu, segments=24)                      # swivel
    b.cylinder(0.02, stem, placed(Vector((0, 0, -0.038)) + down * stem / 2, down), alu, segments=16)
    b.cylinder(0.04, 0.015, placed(Vector((0, 0, -0.038)) + down * stem * 0.35, down), pad, segments=20)
    tip = Vector((0, 0, -0.038)) + down * stem
    b.cylinder(0.014, 0.05, placed(tip + down * 0.025, down), alu, segments=12, radius_top=0.009)
    return rename(b.to_object(collection), "foot_restraint")


def cargo_bag(collection, rng: random.Random):
    """A cargo transfer bag: a soft, slightly bulging box of white Nomex (rounded edges), two
    strap handles, a zip flap and a label window."""
    nomex = material("ALLO_anomaly_cargo_bag", (0.8, 0.79, 0.74), 0.0, 0.85,
                     bump_scale=300.0, bump_strength=0.15)
    strap = material("ALLO_anomaly_cargo_bag_strap", (0.75, 0.74, 0.7), 0.0, 0.7)
    label = material("ALLO_anomaly_cargo_bag_label", (0.9, 0.9, 0.92), 0.0, 0.2)
    half = Vector((rng.uniform(0.2, 0.26), rng.uniform(0.15, 0.21), rng.uniform(0.1, 0.13)))
    offset = Vector([rng.uniform(-50, 50) for _ in range(3)])
    b = MeshBuilder("cargo_bag")
    b.sphere(1.0, Matrix(), nomex, segments=32, rings=16)
    for v in b.bm.verts:   # unit sphere -> rounded box (superellipsoid) with soft bulges
        d = v.co.copy()
        box = Vector([math.copysign(abs(c) ** 0.25, c) * h for c, h in zip(d, half)])
        v.co = box * (1.0 + 0.03 * noise.noise(d * 2.0 + offset))
    top = half.z * 0.98
    for y in (-half.y * 0.45, half.y * 0.45):                                              # handles
        loop = [Vector((half.x * 0.35 * math.cos(t), y, top + 0.035 * math.sin(t)))
                for t in (math.pi * j / 12 for j in range(13))]
        b.tube(loop, 0.008, strap, segments=6)
    b.box((half.x * 1.6, 0.02, 0.006), Matrix.Translation((0, 0, top)), strap)             # zip flap
    b.box((0.006, half.y * 0.8, half.z * 0.7), Matrix.Translation((half.x * 0.985, 0, 0)), label)
    return rename(b.to_object(collection), "cargo_bag")
