"""The crew vehicle docked at the station's free axial port: an Orion-like capsule and its
European-style service module, at real dimensions.

Everything is laid out along the docking axis from the mating face of the station's port:
`u` below is the distance from that face (metres). The capsule's apex carries its own docking
mechanism, rolled 60° so the two sets of guide petals interleave.

    u 0.00 - 0.58   docking mechanism (ring face at u = 0)
    u 0.58 - 3.32   crew module: forward bay, back shell cone (Ø 5.02 m base), heat shield
    u 3.20 - 7.05   crew-module adapter ring and service module (Ø 4.1 m), four X-shaped wings
    u 7.05 - 8.75   main engine (gimbal and bell) and eight auxiliary thrusters
"""

from __future__ import annotations

import math

from mathutils import Matrix, Vector

from .mesh_builder import MeshBuilder, placed
from .station_fixtures import PORT_FACE, docking_port

# crew module outline (radius, u): counter-clockwise, see MeshBuilder.lathe
CONE_FROM, CONE_TO = (1.08, 0.88), (2.42, 2.98)     # the back shell's slanted side (r, u)
CONE_STEPS = 5   # rings on the cone: tile rows keep their width from the top to the shoulder
CM_OUTLINE = ((0.0, PORT_FACE), (1.0, PORT_FACE),
              *(tuple(a + k / CONE_STEPS * (b - a) for a, b in zip(CONE_FROM, CONE_TO)) for k in range(CONE_STEPS)),
              CONE_TO, (2.51, 3.06), (2.51, 3.12), (2.3, 3.25), (0.0, 3.32))
SM_RADIUS = 2.05
SM_OUTLINE = ((0.0, 3.2), (2.25, 3.2), (SM_RADIUS, 3.75), (SM_RADIUS, 5.45), (SM_RADIUS, 6.75), (1.5, 7.05),
              (0.0, 7.05))
WING_ROOT_U = 4.55          # along the axis: the wings' hinge line
PANEL_SIZE = (2.0, 2.15)    # (width, radial length) of each of the three panels of a wing
PANEL_GAP = 0.1
# the wings are turned on their gimbals to face one fixed direction (as if tracking the Sun)
WING_FACING = Vector((-0.4, -0.55, 0.75)).normalized()


class DockingFrame:
    """World placement of the vehicle: `u` along `axis` from the mating face `face`."""

    def __init__(self, face: Vector, axis: Vector):
        self.face, self.axis = Vector(face), Vector(axis).normalized()
        helper = Vector((0, 0, 1)) if abs(self.axis.z) < 0.9 else Vector((1, 0, 0))
        self.side = helper.cross(self.axis).normalized()    # azimuth 0
        self.up = self.axis.cross(self.side)                 # azimuth 90°

    def point(self, u: float, radius: float = 0.0, azimuth_deg: float = 0.0) -> Vector:
        return self.face + u * self.axis + radius * self.radial(azimuth_deg)

    def radial(self, azimuth_deg: float) -> Vector:
        a = math.radians(azimuth_deg)
        return math.cos(a) * self.side + math.sin(a) * self.up

    def tangent(self, azimuth_deg: float) -> Vector:
        return self.axis.cross(self.radial(azimuth_deg))

    def along(self, u: float, roll: float = 0.0) -> Matrix:
        """Matrix whose local +Z is the axis, origin at u (for lathes and coaxial cylinders)."""
        return placed(self.point(u), self.axis, roll)


def build_crew_module(frame: DockingFrame, mats) -> MeshBuilder:
    b = MeshBuilder("Station_CrewModule")
    shell, shield = mats["backshell"], mats["heat_shield"]
    b.lathe(CM_OUTLINE, frame.along(0.0), [shell] * (2 + CONE_STEPS) + [shield] * 5, segments=72)
    docking_port(b, mats, frame.point(PORT_FACE), -frame.axis, roll=math.pi / 3)
    # forward bay cover seam and the docking target, lights and camera around the port
    b.cylinder(1.1, 0.04, frame.along(0.9), mats["hull_grey"], segments=72, caps=False)
    for azimuth, size in ((35, (0.18, 0.14, 0.12)), (155, (0.18, 0.14, 0.12)), (270, (0.28, 0.2, 0.1))):
        at = frame.point(PORT_FACE - 0.05, 0.88, azimuth)
        b.box(size, _surface_matrix(frame, at, -frame.axis, azimuth), mats["dark_metal"])
    # four crew windows and the side hatch (with its own window) on the back shell
    for azimuth, t in ((62, 0.45), (118, 0.45), (40, 0.62), (140, 0.62)):
        m = _on_cone(frame, t, azimuth)
        b.box((0.44, 0.40, 0.06), m, mats["hull_grey"])
        b.box((0.32, 0.28, 0.08), m, mats["window"])
    hatch = _on_cone(frame, 0.5, 90)
    b.box((0.9, 0.9, 0.16), hatch @ Matrix.Translation((0, 0, -0.04)), shell)
    b.box((0.22, 0.22, 0.08), hatch @ Matrix.Translation((0, 0.18, 0)), mats["window"])
    for dx in (-0.3, 0.3):
        b.tube([hatch @ Vector((dx, -0.25, 0.02)), hatch @ Vector((dx, -0.25, 0.1)),
                hatch @ Vector((dx, -0.05, 0.1)), hatch @ Vector((dx, -0.05, 0.02))], 0.015, mats["handrail"],
               segments=6)
    # twelve reaction-control thrusters in four clusters near the forward bay
    for cluster in range(4):
        for k, (da, t) in enumerate(((-9, 0.16), (9, 0.16), (0, 0.3))):
            m = _on_cone(frame, t, 45 + 90 * cluster + da)
            b.cylinder(0.075, 0.05, m, mats["dark_metal"], segments=16)
            b.cylinder(0.045, 0.06, m @ Matrix.Translation((0, 0, 0.01)), mats["nozzle"], segments=12)
    return b


def build_service_module(frame: DockingFrame, mats) -> MeshBuilder:
    b = MeshBuilder("Station_ServiceModule")
    white, dark = mats["white_paint"], mats["dark_metal"]
    b.lathe(SM_OUTLINE, frame.along(0.0),
            [white, white, mats["radiator"], mats["silver_foil"], mats["gold_foil"], mats["silver_foil"], dark],
            segments=72)
    for u in (3.75, 5.45, 6.75):   # seam rings between the adapter and the panel bands
        b.cylinder(SM_RADIUS + 0.02, 0.06, frame.along(u), mats["hull_grey"], segments=72, caps=False)
    # main engine: gimbal housing and a thin-walled bell
    b.cylinder(0.35, 0.3, frame.along(7.2), dark, segments=32)
    _bell(b, frame.along(7.35), 0.15, 0.57, 1.4, mats["nozzle"], segments=40)
    # eight auxiliary thrusters in pairs on the aft cone, canted slightly outward
    for pair in range(4):
        for da in (-11, 11):
            azimuth = 90 * pair + da
            at = frame.point(6.92, 1.72, azimuth)
            direction = frame.axis + 0.08 * frame.radial(azimuth)
            b.cylinder(0.1, 0.16, placed(at, direction), dark, segments=16)
            _bell(b, placed(at + 0.08 * direction, direction), 0.035, 0.1, 0.3, mats["nozzle"], segments=16)
    # six reaction-control pods on the silver band, four nozzles each
    for pod in range(6):
        azimuth = 60 * pod + 15
        at = frame.point(6.15, SM_RADIUS + 0.08, azimuth)
        m = _surface_matrix(frame, at, frame.radial(azimuth), azimuth)
        b.box((0.36, 0.3, 0.2), m, mats["white_paint"])
        for direction in (frame.axis, -frame.axis, frame.tangent(azimuth), -frame.tangent(azimuth)):
            tip = at + 0.19 * direction.normalized() + 0.02 * frame.radial(azimuth)
            b.cylinder(0.045, 0.08, placed(tip, direction), mats["nozzle"], segments=12, radius_top=0.025)
    # antennas and star trackers on the radiator band, solar-wing hinge boxes
    for azimuth in (0, 180):
        at = frame.point(4.2, SM_RADIUS + 0.15, azimuth)
        b.cylinder(0.03, 0.3, placed(at, frame.radial(azimuth)), mats["aluminium"], segments=10)
        b.cylinder(0.12, 0.04, placed(at + 0.16 * frame.radial(azimuth), frame.radial(azimuth)),
                   mats["white_paint"], segments=24)
    b.box((0.25, 0.25, 0.3), _surface_matrix(frame, frame.point(5.0, SM_RADIUS + 0.1, 300),
                                                 frame.radial(300), 300), dark)
    for azimuth in (45, 135, 225, 315):
        m = _surface_matrix(frame, frame.point(WING_ROOT_U, SM_RADIUS + 0.1, azimuth), frame.radial(azimuth),
                            azimuth)
        b.box((0.45, 0.35, 0.3), m, mats["hull_grey"])
    return b


def build_sm_arrays(frame: DockingFrame, mats) -> MeshBuilder:
    """Four wings in an X, each a boom and three panels (~7 m from the hull to the tip)."""
    b = MeshBuilder("Station_SMSolarArrays")
    width, length = PANEL_SIZE
    for azimuth in (45, 135, 225, 315):
        radial = frame.radial(azimuth)
        facing = WING_FACING - WING_FACING.dot(radial) * radial
        facing = facing.normalized() if facing.length > 1e-3 else frame.axis
        across = radial.cross(facing)
        root = frame.point(WING_ROOT_U, SM_RADIUS + 0.2, azimuth)
        b.tube([root, root + 0.6 * radial], 0.05, mats["aluminium"], segments=10)
        b.cylinder(0.09, 0.2, placed(root + 0.55 * radial, radial), mats["dark_metal"], segments=16)
        for k in range(3):
            centre = root + (0.7 + length / 2 + k * (length + PANEL_GAP)) * radial
            basis = Matrix((across, radial, facing)).transposed().to_4x4()
            for side, material in ((1, mats["solar_cells"]), (-1, mats["solar_back"])):
                m = Matrix.Translation(centre + side * 0.006 * facing) @ basis
                b.box((width, length, 0.012), m, material)
            for edge in (-1, 1):  # panel frame bars along the radial edges
                m = Matrix.Translation(centre + edge * (width / 2 + 0.02) * across) @ basis
                b.box((0.04, length, 0.04), m, mats["aluminium"])
            if k < 2:   # hinge bar to the next panel
                m = Matrix.Translation(centre + (length + PANEL_GAP) / 2 * radial) @ basis
                b.box((width + 0.08, PANEL_GAP + 0.04, 0.03), m, mats["hull_grey"])
    return b


def build_orion(collection, mats, face: Vector, axis: Vector):
    """Crew module, service module and its wings docked at the port whose face is `face`."""
    frame = DockingFrame(face, axis)
    return [build(frame, mats).to_object(collection)
            for build in (build_crew_module, build_service_module, build_sm_arrays)]


# ---------------------------------------------------------------- placement helpers
def _on_cone(frame: DockingFrame, t: float, azimuth: float) -> Matrix:
    """Matrix on the back shell at fraction t from the forward bay to the shoulder: local Z out
    of the surface, local Y up the slope towards the apex."""
    (r0, u0), (r1, u1) = CONE_FROM, CONE_TO
    radial = frame.radial(azimuth)
    at = frame.point(u0 + t * (u1 - u0), r0 + t * (r1 - r0), azimuth)
    slope = ((r1 - r0) * radial + (u1 - u0) * frame.axis).normalized()
    normal = ((u1 - u0) * radial - (r1 - r0) * frame.axis).normalized()
    return Matrix.Translation(at) @ Matrix(((-slope).cross(normal), -slope, normal)).transposed().to_4x4()


def _surface_matrix(frame: DockingFrame, at: Vector, normal: Vector, azimuth: float) -> Matrix:
    """Local X along the axis, local Z along `normal`: boxes sitting on the hull."""
    normal = normal.normalized()
    x = (frame.axis - frame.axis.dot(normal) * normal)
    x = x.normalized() if x.length > 1e-6 else frame.tangent(azimuth)
    return Matrix.Translation(at) @ Matrix((x, normal.cross(x), normal)).transposed().to_4x4()


def _bell(b: MeshBuilder, matrix: Matrix, throat: float, exit_radius: float, length: float, material,
          segments: int = 32, wall: float = 0.015) -> None:
    """A thin-walled nozzle bell from the throat (local z = 0) to the exit (z = length)."""
    steps = [i / 6 for i in range(7)]
    outer = [(throat + (exit_radius - throat) * s ** 0.6 + wall, length * s) for s in steps]
    inner = [(r - 2 * wall, z) for r, z in reversed(outer)]
    b.lathe(outer + inner, matrix, material, segments=segments)
