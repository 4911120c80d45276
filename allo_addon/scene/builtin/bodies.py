"""The Moon, the Earth and the Sun as unit spheres with procedural materials.

Local +Z is the north pole and local +X longitude 0 (the Moon's near-side centre, Greenwich on
the Earth): the renderer orients and scales them per day. The textures are functions of the
object-space position on the unit sphere, so they do not depend on UVs and have no seam.
"""

from __future__ import annotations

import math

import bpy
from mathutils import Matrix

from ...core.assets.moon_map import HIGHLAND
from ...core.ephemeris.bodies import NEAREST_FIRST
from ...core.errors import UserError

from .earth_material import earth_material
from .mesh_builder import MeshBuilder
from .moon_albedo import moon_albedo_image
from .shader_graph import ShaderGraph

BODY_NAMES = NEAREST_FIRST  # from core/ephemeris/bodies.py
SUN_EMISSION = "ALLO sun disc"
# enough segments that the silhouette stays round when the Moon fills 50° of the view
_SEGMENTS = {"moon": (192, 96), "earth": (128, 64), "sun": (64, 32)}


def build_body(name: str, collection) -> bpy.types.Object:
    if name not in BODY_NAMES:
        raise UserError(f"unknown body {name!r}; expected one of {', '.join(BODY_NAMES)}")
    segments, rings = _SEGMENTS[name]
    # MeshBuilder writes the sphere out: bmesh.ops.create_uvsphere orders faces differently
    # from process to process, and renders must not depend on the process.
    builder = MeshBuilder(name)
    material = {"moon": _moon, "earth": _earth, "sun": _sun}[name]()
    builder.sphere(1.0, Matrix.Identity(4), material, segments=segments, rings=rings)
    obj = builder.to_object(collection)
    if name == "sun":
        # only the camera sees the disc: the sun lamp alone lights the scene, and mirror-like
        # foil must not reflect the disc on top of the lamp's own highlight
        for ray in ("diffuse", "glossy", "transmission", "volume_scatter", "shadow"):
            setattr(obj, f"visible_{ray}", False)
    return obj


def sun_disc_strength(lamp_irradiance: float, angular_radius_rad: float) -> float:
    """Emission strength of the Sun's disc that matches a sun lamp of this strength (W/m²).

    A Cycles emitter of strength S has radiance S, so a disc of solid angle
    Ω = π sin²(angular radius) gives an irradiance S·Ω: S = E / Ω (about 14 600 E at 1 au).
    tests/test_sun_disc.py checks it by lighting a plate with the disc alone and with the lamp.
    """
    return lamp_irradiance / (math.pi * math.sin(angular_radius_rad) ** 2)


def _moon() -> bpy.types.Material:
    g = ShaderGraph("ALLO_moon")
    p = g.coords("Object")
    # the real maria and rayed craters (core/assets/moon_map.py), shores roughened by a little noise
    shore = g.node("ShaderNodeVectorMath", {0: p, 1: g.math("MULTIPLY", g.noise(p, 6.0, detail=6.0), 0.04)},
                   operation="ADD").outputs[0]
    known = g.equirect_texture(g.lon_lat(shore), moon_albedo_image()).outputs["Color"]
    maria = g.scalar_ramp(known, 1.0, 0.0, 0.0, HIGHLAND)
    ejecta = g.scalar_ramp(known, 0.0, 1.0, HIGHLAND, 1.0)
    mottle = g.math("ADD", g.noise(p, 7.0, detail=3.0), g.math("MULTIPLY", g.noise(p, 40.0, detail=2.0), 0.5))
    highland = g.ramp(mottle, [(0.55, (0.10, 0.10, 0.095)), (1.0, (0.15, 0.148, 0.14))])
    mare = g.ramp(mottle, [(0.55, (0.045, 0.046, 0.048)), (1.0, (0.065, 0.065, 0.064))])
    height = None
    rims = None
    for scale, weight in ((4.0, 1.0), (11.0, 0.55), (30.0, 0.3), (80.0, 0.15)):
        crater, rim = _crater_field(g, p, scale)
        crater = g.math("MULTIPLY", crater, weight)
        height = crater if height is None else g.math("ADD", height, crater)
        if scale < 20.0:  # only the larger craters show bright ejecta at the Moon's apparent sizes
            rims = rim if rims is None else g.math("MAXIMUM", rims, rim)
    albedo = g.mix_color(maria, highland, mare)
    fresh = g.math("MAXIMUM", g.math("MULTIPLY", rims, 0.3), ejecta)   # bright rims, rays, ejecta
    albedo = g.mix_color(fresh, albedo, (0.2, 0.2, 0.19, 1.0))
    g.set(base_color=albedo, roughness=1.0, normal=g.bump(height, 0.8, 0.05))
    g.bsdf.inputs["Specular IOR Level"].default_value = 0.05
    return g.material


def _crater_field(g: ShaderGraph, p, scale: float):
    """Bowls with raised rims around Voronoi feature points, each with its own radius.

    Returns (height, rim): the height profile and a 0..1 mask of the rim (for brighter ejecta).
    """
    voronoi = g.node("ShaderNodeTexVoronoi", {"Vector": p, "Scale": scale, "Randomness": 1.0})
    size = g.math("ADD", g.math("MULTIPLY", g.math("POWER", voronoi.outputs["Color"], 2.0), 0.24), 0.05)
    r = g.math("DIVIDE", voronoi.outputs["Distance"], size)   # 1.0 on the rim
    curve = g.node("ShaderNodeFloatCurve", {"Value": g.math("MULTIPLY", r, 0.5)})
    points = curve.mapping.curves[0].points
    profile = [(0.0, 0.1), (0.3, 0.2), (0.45, 0.55), (0.5, 0.9), (0.6, 0.6), (0.8, 0.5), (1.0, 0.5)]
    points[0].location, points[1].location = profile[0], profile[-1]
    for x, y in profile[1:-1]:
        points.new(x, y)
    curve.mapping.update()
    rim = g.scalar_ramp(g.math("ABSOLUTE", g.math("SUBTRACT", r, 1.05)), 1.0, 0.0, 0.0, 0.35)
    return curve.outputs[0], rim


def _earth() -> bpy.types.Material:
    material = earth_material()  # continents from the shipped GLOBE land mask
    _seen_not_sampled(material)
    return material


def _sun() -> bpy.types.Material:
    g = ShaderGraph("ALLO_sun")
    emission = g.node("ShaderNodeEmission", {"Color": (1.0, 0.96, 0.9, 1.0), "Strength": 60.0})
    emission.name = SUN_EMISSION   # StationScene sets its strength from the sun lamp's
    g.tree.nodes.remove(g.bsdf)
    g.link(emission.outputs[0], g.output.inputs["Surface"])
    _seen_not_sampled(g.material)
    return g.material


def _seen_not_sampled(material) -> None:
    """The camera sees the glow, but Cycles does not sample it as a light: the sun lamp does
    the lighting (sampling the Sun's disc too would light the station twice), and emissive
    meshes sampled as lights made renders differ between processes."""
    material.cycles.emission_sampling = "NONE"
