"""A modest Gateway-class station built from code.

Layout (metres, station axis along world X, centred near the origin):

    PPE bus (gold MLI, thrusters, antenna, two solar wings along ±Y, ~21 m tip to tip)
    HALO habitat (beta cloth, radial airlock on +Z, free radial port on -Z)
    I-Hab habitat (radiator wings along ±Y, robotic arm base on +Z)
    logistics module (silver MLI end cones, axial docking port at +X)
    Orion-like crew vehicle docked at that port (station_orion.py): capsule, service module, wings

Every part is one mesh object whose volumes are closed (capped cylinders, boxes), so ray casts
and "is this point inside the station" tests behave; every face has a material.
"""

from __future__ import annotations

import math

import bpy
from mathutils import Matrix, Vector

from .mesh_builder import MeshBuilder, placed
from .station_fixtures import PORT_FACE, antenna, docking_port, eva_light, grapple_fixture, rails_on_barrel
from .station_orion import build_orion
from .station_materials import station_materials

X = (1.0, 0.0, 0.0)
Y = (0.0, 1.0, 0.0)
Z = (0.0, 0.0, 1.0)

# (name, x_start, x_end, radius) of the pressurised modules along the station axis
MODULES = (
    ("HALO", -12.6, -5.6, 1.50),
    ("IHab", -5.0, 2.2, 1.55),
    ("Logistics", 2.8, 7.8, 1.40),
)
PPE_X = (-16.0, -12.8)
PPE_RADIUS = 1.6
WING_ROOT = 2.6          # |y| where the solar blanket starts
WING_LENGTH = 8.0        # along ±Y
WING_WIDTH = 3.2         # along X
AIRLOCK_X = -9.2
NAME_PREFIX = "Station_"   # every part's object name; the `parts` annotation names it without


def build_station(collection) -> list[bpy.types.Object]:
    """Build the station into `collection`; returns every object created (meshes only)."""
    mats = station_materials()
    objects = [_ppe(collection, mats)]
    objects += [_solar_wing(collection, mats, side) for side in (1, -1)]
    for name, x0, x1, radius in MODULES:
        objects.append(_module(collection, mats, name, x0, x1, radius))
    objects.append(_airlock(collection, mats))
    objects.append(_radiators(collection, mats))
    objects.append(_robotic_arm(collection, mats))
    logistics_end = MODULES[-1][2]
    objects += build_orion(collection, mats, face=Vector((logistics_end + PORT_FACE, 0, 0)), axis=Vector(X))
    return objects


# ---------------------------------------------------------------- parts
def _ppe(collection, mats):
    b = MeshBuilder("Station_PPE")
    x0, x1 = PPE_X
    centre = (x0 + x1) / 2
    # octagonal bus wrapped in gold MLI, grey frame rings at both ends
    b.cylinder(PPE_RADIUS, x1 - x0, placed((centre, 0, 0), X, math.pi / 8), mats["gold_foil"], segments=8)
    for x in (x0 + 0.05, x1 - 0.05):
        b.cylinder(PPE_RADIUS + 0.03, 0.1, placed((x, 0, 0), X, math.pi / 8), mats["hull_grey"], segments=8,
                   caps=False)
    # adapter cone towards HALO and the aft thruster plate
    b.cylinder(1.3, 0.19, placed((x1 + 0.095, 0, 0), X), mats["hull_grey"], segments=40, radius_top=0.9)
    b.cylinder(1.2, 0.12, placed((x0 - 0.06, 0, 0), X), mats["dark_metal"], segments=40)
    for angle in range(45, 360, 90):  # four Hall thrusters on gimbals
        a = math.radians(angle)
        at = Vector((x0 - 0.35, 0.75 * math.cos(a), 0.75 * math.sin(a)))
        b.cylinder(0.22, 0.45, placed(at, X), mats["dark_metal"], segments=24, radius_top=0.14)
        b.cylinder(0.16, 0.05, placed(at - Vector((0.24, 0, 0)), X), mats["aluminium"], segments=24)
    # high-gain antenna on a mast on +Z
    b.cylinder(0.05, 1.1, placed((centre + 0.6, 0, PPE_RADIUS + 0.5), Z), mats["aluminium"], segments=12)
    b.cylinder(0.08, 0.22, placed((centre + 0.6, 0, PPE_RADIUS + 1.15), (0.3, 0, 1)), mats["beta_cloth"],
               segments=40, radius_top=0.65)
    # xenon tank fairings on the ±Z flats (silver MLI) and a star tracker box
    for sz in (1, -1):
        b.box((1.6, 1.0, 0.25), Matrix.Translation((centre - 0.5, 0, sz * (PPE_RADIUS - 0.02))),
              mats["silver_foil"])
    b.box((0.3, 0.25, 0.25), Matrix.Translation((x0 + 0.5, 0.9, 1.25)), mats["dark_metal"])
    # solar-wing gimbal booms along ±Y
    for sy in (1, -1):
        b.cylinder(0.09, WING_ROOT - PPE_RADIUS + 0.1, placed((centre, sy * (PPE_RADIUS + WING_ROOT) / 2, 0), Y),
                   mats["aluminium"], segments=16)
        b.box((0.35, 0.3, 0.35), Matrix.Translation((centre, sy * (PPE_RADIUS + 0.12), 0)), mats["dark_metal"])
    rails_on_barrel(b, mats, x0 + 0.4, x1 - 0.4, PPE_RADIUS * math.cos(math.pi / 8), (90 + 22.5, 270 - 22.5))
    return b.to_object(collection)


def _solar_wing(collection, mats, side: int):
    """A roll-out array: a thin blanket of cells on a backing, edge masts and a tip spreader bar."""
    b = MeshBuilder("Station_SolarWing_" + ("PortY" if side > 0 else "StbdY"))
    cx = (PPE_X[0] + PPE_X[1]) / 2
    cy = side * (WING_ROOT + WING_LENGTH / 2)
    b.box((WING_WIDTH, WING_LENGTH, 0.012), Matrix.Translation((cx, cy, 0.006)), mats["solar_cells"])
    b.box((WING_WIDTH, WING_LENGTH, 0.012), Matrix.Translation((cx, cy, -0.006)), mats["solar_back"])
    for dx in (-1, 1):  # booms along both long edges
        b.cylinder(0.05, WING_LENGTH + 0.2, placed((cx + dx * (WING_WIDTH / 2 + 0.05), cy, 0), Y),
                   mats["aluminium"], segments=12)
    for y in (WING_ROOT - 0.05, WING_ROOT + WING_LENGTH + 0.05):  # root and tip bars
        b.box((WING_WIDTH + 0.3, 0.12, 0.1), Matrix.Translation((cx, side * y, 0)), mats["hull_grey"])
    b.cylinder(0.07, WING_LENGTH, placed((cx, cy, -0.09), Y), mats["aluminium"], segments=12)  # spine
    return b.to_object(collection)


def _module(collection, mats, name, x0, x1, radius):
    b = MeshBuilder("Station_" + name)
    cone = 0.45
    skin = mats["beta_cloth"]
    end = mats["silver_foil"] if name == "Logistics" else mats["hull_grey"]
    # one closed outer surface: open barrel, open end cones, flat lids at the narrow ends
    b.cylinder(radius, x1 - x0 - 2 * cone, placed(((x0 + x1) / 2, 0, 0), X), skin, segments=64, caps=False)
    b.cylinder(0.85, cone, placed((x0 + cone / 2, 0, 0), X), end, segments=64, radius_top=radius, caps=False)
    b.cylinder(radius, cone, placed((x1 - cone / 2, 0, 0), X), end, segments=64, radius_top=0.85, caps=False)
    b.disc(0.85, placed((x0, 0, 0), (-1, 0, 0)), end, segments=64)
    b.disc(0.85, placed((x1, 0, 0), X), end, segments=64)
    # MMOD shield bands break the long barrel into panels
    length = x1 - x0 - 2 * cone
    bands = max(2, round(length / 1.6))
    for k in range(bands + 1):
        x = x0 + cone + k * length / bands
        b.cylinder(radius + 0.025, 0.07, placed((x, 0, 0), X), mats["hull_grey"], segments=64, caps=False)
    # axial docking ports (tunnels to the neighbours or free ports)
    for x, direction in ((x0, -1), (x1, 1)):
        docking_port(b, mats, Vector((x, 0, 0)), Vector((direction, 0, 0)))
    # handrails along the barrel and a few boxes (lights, cameras, grapple fixture)
    rails_on_barrel(b, mats, x0 + cone + 0.3, x1 - cone - 0.3, radius, (40, 140, 220, 320))
    mid = (x0 + x1) / 2
    b.box((0.25, 0.2, 0.15), Matrix.Translation((mid + 1.1, -radius * 0.7, radius * 0.72)), mats["dark_metal"])
    b.box((0.5, 0.5, 0.12), Matrix.Translation((mid - 1.2, 0, -radius - 0.04)), mats["aluminium"])
    b.cylinder(0.04, 0.3, placed((mid - 1.2, 0, -radius - 0.2), Z), mats["aluminium"], segments=12)
    # grapple fixture for the arm low on -Y, EVA light/camera heads near both ends, an antenna
    grip = Vector((0.0, -0.5, -0.866))
    grapple_fixture(b, mats, Vector((mid + 0.4, 0, 0)) + (radius - 0.02) * grip, grip)
    for x, angle, facing in ((x0 + cone + 0.5, 230, (1, 0, 0)), (x1 - cone - 0.5, 130, (-1, 0, 0))):
        a = math.radians(angle)
        normal = Vector((0, math.cos(a), math.sin(a)))
        eva_light(b, mats, Vector((x, 0, 0)) + (radius - 0.02) * normal, normal, Vector(facing) + normal)
    antenna(b, mats, Vector((mid + 1.6, 0.5, -radius + 0.1)), Vector((0, 0.3, -1)))
    if name == "HALO":
        docking_port(b, mats, Vector((AIRLOCK_X, 0, radius - 0.25)), Vector(Z))
        docking_port(b, mats, Vector((AIRLOCK_X, 0, -radius + 0.25)), Vector((0, 0, -1)))
    return b.to_object(collection)


def _airlock(collection, mats):
    b = MeshBuilder("Station_Airlock")
    radius, z0, z1 = 0.95, 2.05, 5.3
    b.cylinder(radius, z1 - z0, placed((AIRLOCK_X, 0, (z0 + z1) / 2), Z), mats["beta_cloth"], segments=48)
    b.cylinder(radius, 0.35, placed((AIRLOCK_X, 0, z1 + 0.175), Z), mats["silver_foil"], segments=48,
               radius_top=0.6)
    b.cylinder(0.55, 0.12, placed((AIRLOCK_X, 0, z1 + 0.41), Z), mats["aluminium"], segments=40)
    b.cylinder(0.5, 0.5, placed((AIRLOCK_X, 0, z0 - 0.15), Z), mats["hull_grey"], segments=40)
    for k, z in enumerate((z0 + 0.1, z1 - 0.1)):
        b.cylinder(radius + 0.02, 0.08, placed((AIRLOCK_X, 0, z), Z), mats["hull_grey"], segments=48, caps=False)
    # vertical handrails and an EVA light
    for angle in (20, 110, 200, 290):
        a = math.radians(angle)
        c, s = math.cos(a), math.sin(a)
        r = radius + 0.12
        b.tube([(AIRLOCK_X + r * c, r * s, z0 + 0.3), (AIRLOCK_X + r * c, r * s, z1 - 0.3)], 0.017,
               mats["handrail"], segments=8)
        for z in (z0 + 0.35, (z0 + z1) / 2, z1 - 0.35):
            b.tube([(AIRLOCK_X + (radius - 0.02) * c, (radius - 0.02) * s, z),
                    (AIRLOCK_X + r * c, r * s, z)], 0.012, mats["handrail"], segments=6)
    b.box((0.2, 0.2, 0.3), Matrix.Translation((AIRLOCK_X + radius + 0.08, 0.0, z1 - 0.6)), mats["dark_metal"])
    return b.to_object(collection)


def _radiators(collection, mats):
    """Two deployable radiator wings on the I-Hab, in the XY plane, on struts along ±Y."""
    b = MeshBuilder("Station_Radiators")
    x_c, radius = -1.4, 1.55
    for sy in (1, -1):
        b.box((3.0, 2.4, 0.06), Matrix.Translation((x_c, sy * (radius + 0.6 + 1.2), 0.4)), mats["radiator"])
        b.box((3.0, 0.08, 0.1), Matrix.Translation((x_c, sy * (radius + 0.6), 0.4)), mats["hull_grey"])
        for dx in (-1.2, 1.2):
            b.tube([(x_c + dx, sy * (radius - 0.05), 0.4), (x_c + dx, sy * (radius + 0.62), 0.4)], 0.04,
                   mats["aluminium"], segments=10)
            b.tube([(x_c + dx, sy * (radius + 0.62), 0.4), (x_c + dx * 0.9, sy * (radius + 3.5), 0.4)],
                   0.025, mats["aluminium"], segments=8)
    return b.to_object(collection)


def _robotic_arm(collection, mats):
    """A stowed two-boom arm (Canadarm3-like) on the I-Hab's +Z side: the inspection cameras' home."""
    b = MeshBuilder("Station_Arm")
    base = Vector((0.4, 0.0, 1.55))
    shoulder = base + Vector((0, 0, 0.75))
    elbow = shoulder + Vector((-5.2, 0.0, 1.3))
    wrist = elbow + Vector((4.3, 0.0, 0.9))
    b.cylinder(0.35, 0.25, placed(base + Vector((0, 0, 0.1)), Z), mats["aluminium"], segments=32)
    b.cylinder(0.22, 0.55, placed(base + Vector((0, 0, 0.45)), Z), mats["beta_cloth"], segments=32)
    for joint in (shoulder, elbow, wrist):
        b.cylinder(0.26, 0.5, placed(joint, Y), mats["beta_cloth"], segments=32)
        b.cylinder(0.27, 0.06, placed(joint + Vector((0, 0.27, 0)), Y), mats["dark_metal"], segments=32)
    for p, q in ((shoulder, elbow), (elbow, wrist)):
        d = q - p
        b.cylinder(0.17, d.length - 0.5, placed((p + q) / 2, d), mats["beta_cloth"], segments=32)
        for t in (0.2, 0.8):
            b.cylinder(0.19, 0.1, placed(p + t * d, d), mats["hull_grey"], segments=32)
    # end effector with a camera box: where inspection cameras look from
    b.cylinder(0.2, 0.6, placed(wrist + Vector((0.45, 0, 0)), X), mats["dark_metal"], segments=24)
    b.box((0.22, 0.18, 0.16), Matrix.Translation(wrist + Vector((0.5, 0, 0.28))), mats["dark_metal"])
    return b.to_object(collection)
