"""The Earth's material: real continents from a shipped land mask, procedural everything else.

The unit sphere's object coordinates give longitude = atan2(y, x) (+X Greenwich, +Y 90°E) and
latitude = asin(z) (+Z north); they index two equirectangular maps in allo_addon/data/, made by
scripts/make_earth_landmask.py from the GLOBE 1 km land mask:

- earth_landmask.png: land fraction (coasts),
- earth_climate.png: R aridity (the great deserts), G ice sheet (Antarctica, Greenland),
  B land fraction blurred (shallow shelf seas).

Vegetation follows latitude (rainforest, savanna, temperate, boreal, tundra), sea ice rings
the poles, and clouds are noise thresholded by latitude: thick in the ITCZ and the storm belts,
thin over the subtropical highs and the deserts. The sun lamp does the lighting; the water's
low roughness gives the sun glint.
"""

from __future__ import annotations

import bpy

from ...core.dataset.poses import DATA_DIR

from .shader_graph import ShaderGraph

LAND_MASK = DATA_DIR / "earth_landmask.png"
CLIMATE_MAP = DATA_DIR / "earth_climate.png"

DEEP_OCEAN = (0.002, 0.008, 0.04, 1.0)  # RGBA: Mix node inputs
SHELF_SEA = (0.01, 0.04, 0.08, 1.0)
ICE = (0.78, 0.80, 0.84, 1.0)
SEA_ICE = (0.55, 0.58, 0.63, 1.0)
CLOUD = (0.82, 0.82, 0.84, 1.0)
# vegetation by |latitude| in degrees: rainforest, savanna, dry subtropics, temperate,
# boreal forest, tundra, polar
VEGETATION = [(0.0, (0.025, 0.055, 0.02)), (0.09, (0.03, 0.06, 0.022)), (0.17, (0.09, 0.095, 0.04)),
              (0.3, (0.07, 0.08, 0.04)), (0.45, (0.05, 0.075, 0.03)), (0.6, (0.03, 0.045, 0.025)),
              (0.74, (0.08, 0.075, 0.06)), (0.85, (0.3, 0.3, 0.3))]
DESERT = [(0.38, (0.28, 0.14, 0.06)), (0.5, (0.40, 0.25, 0.11)), (0.62, (0.50, 0.37, 0.20))]
# cloud cover bias by distance in latitude (degrees/90) from the ITCZ, a little north of the
# equator: subtropical highs near ±25°, storm belts near ±50°
ITCZ_LATITUDE = 0.04
CLOUD_BIAS = [(0.0, 0.04), (0.08, 0.0), (0.25, -0.1), (0.4, -0.03), (0.55, 0.07), (0.7, 0.05),
              (0.85, -0.03), (1.0, -0.06)]


def earth_material() -> bpy.types.Material:
    g = ShaderGraph("ALLO_earth")
    p = g.coords("Object")
    lon_lat = g.lon_lat(p)
    land_fraction = _sample(g, LAND_MASK, lon_lat).outputs["Color"]
    climate = g.node("ShaderNodeSeparateColor",
                     {"Color": _sample(g, CLIMATE_MAP, lon_lat).outputs["Color"]}).outputs
    latitude = g.node("ShaderNodeSeparateXYZ", {"Vector": lon_lat}).outputs["Y"]  # -1..1
    # a few degrees of noise so borders between zones are not circles of latitude
    jitter = _centred(g, g.noise(p, 3.0, detail=4.0), 0.12)
    abs_latitude = g.math("ADD", g.math("ABSOLUTE", latitude), jitter)

    # fractal detail on the coasts, seen in close-ups: the mask itself is 0.35° a pixel
    coast = g.math("ADD", land_fraction, _centred(g, g.noise(p, 90.0, detail=8.0, roughness=0.65), 0.9))
    land = g.scalar_ramp(coast, 0.0, 1.0, 0.45, 0.55)
    relief = g.noise(p, 22.0, detail=10.0, roughness=0.62)  # mountains and valleys in close-ups

    # relief shading: ±45 % brightness, so the ground has texture under the blue haze
    land_colour = g.node("ShaderNodeVectorMath", {0: _land_colour(g, p, abs_latitude, climate),
                                                  "Scale": g.scalar_ramp(relief, 0.55, 1.45, 0.3, 0.7)},
                         operation="SCALE").outputs[0]
    surface = g.mix_color(land, _ocean(g, p, climate[2]), land_colour)
    sea_ice = g.scalar_ramp(g.math("ADD", g.math("ABSOLUTE", latitude), g.math("MULTIPLY", jitter, 0.6)),
                            0.0, 1.0, 0.82, 0.86)
    surface = g.mix_color(g.math("MULTIPLY", sea_ice, g.math("SUBTRACT", 1.0, land)), surface, SEA_ICE)
    clouds = _clouds(g, p, latitude, climate[0])
    g.set(base_color=g.mix_color(clouds, surface, CLOUD),
          roughness=g.scalar_ramp(g.math("MAXIMUM", g.math("MAXIMUM", land, sea_ice), clouds),
                                  0.35, 1.0))
    g.set(normal=g.bump(g.math("MULTIPLY", relief, land), 0.15, 0.01))
    g.bsdf.inputs["IOR"].default_value = 1.33  # water
    _limb(g)
    return g.material


def _centred(g: ShaderGraph, noise, amplitude: float):
    """A noise value (about 0.5 ± 0.2) turned into ± amplitude/2 around zero."""
    return g.math("MULTIPLY", g.math("SUBTRACT", noise, 0.5), amplitude)


def _sample(g: ShaderGraph, path, lon_lat):
    image = bpy.data.images.load(str(path), check_existing=True)
    image.colorspace_settings.name = "Non-Color"
    return g.equirect_texture(lon_lat, image)


def _ocean(g: ShaderGraph, p, blurred_land):
    shelf = g.math("MULTIPLY", g.scalar_ramp(blurred_land, 0.0, 1.0, 0.15, 0.6),
                   g.noise(p, 12.0, detail=3.0))
    return g.mix_color(shelf, DEEP_OCEAN, SHELF_SEA)


def _land_colour(g: ShaderGraph, p, abs_latitude, climate):
    aridity, ice = climate[0], climate[1]
    vegetation = g.ramp(abs_latitude, VEGETATION)
    # patches of lighter and darker ground within each zone
    mottle = g.math("ADD", g.noise(p, 9.0, detail=6.0, roughness=0.6),
                    _centred(g, g.noise(p, 60.0, detail=3.0), 0.4))
    vegetation = g.node("ShaderNodeMix", {0: g.math("MULTIPLY", mottle, 0.5), 6: vegetation,
                                          7: (0.12, 0.11, 0.07, 1.0)},
                        data_type="RGBA", blend_type="MIX", clamp_factor=True).outputs[2]
    desert = g.ramp(mottle, DESERT)
    dry = g.scalar_ramp(g.math("ADD", aridity, _centred(g, mottle, 0.4)),
                        0.0, 1.0, 0.2, 0.7)
    colour = g.mix_color(dry, vegetation, desert)
    return g.mix_color(g.scalar_ramp(ice, 0.0, 1.0, 0.3, 0.6), colour, ICE)


def _clouds(g: ShaderGraph, p, latitude, aridity):
    # stretched along the pole axis' normal plane: zonal streaks, with swirls from distortion
    stretched = g.node("ShaderNodeVectorMath", {0: p, 1: (1.0, 1.0, 1.8)}, operation="MULTIPLY").outputs[0]
    pattern = g.node("ShaderNodeTexNoise", {"Vector": stretched, "Scale": 3.5, "Detail": 12.0,
                                            "Roughness": 0.62, "Distortion": 0.5}).outputs[0]
    band = g.node("ShaderNodeFloatCurve",
                  {"Value": g.math("ABSOLUTE", g.math("SUBTRACT", latitude, ITCZ_LATITUDE))})
    points = band.mapping.curves[0].points
    points[0].location, points[1].location = (0.0, CLOUD_BIAS[0][1] + 0.5), (1.0, CLOUD_BIAS[-1][1] + 0.5)
    for x, y in CLOUD_BIAS[1:-1]:
        points.new(x, y + 0.5)
    band.mapping.update()
    cover = g.math("ADD", pattern, g.math("SUBTRACT", band.outputs[0], 0.5))
    cover = g.math("SUBTRACT", cover, g.math("MULTIPLY", aridity, 0.15))
    return g.scalar_ramp(cover, 0.0, 0.95, 0.5, 0.64)


def _limb(g: ShaderGraph) -> None:
    """The thin blue atmosphere: blue sheen at grazing angles on the lit side, and a faint
    glow right at the silhouette (the camera sees it, Cycles does not sample it)."""
    g.bsdf.inputs["Sheen Weight"].default_value = 0.5
    g.bsdf.inputs["Sheen Tint"].default_value = (0.25, 0.5, 1.0, 1.0)
    g.bsdf.inputs["Sheen Roughness"].default_value = 0.35
    facing = g.node("ShaderNodeLayerWeight", {"Blend": 0.3}).outputs["Facing"]
    g.set(emission_color=(0.25, 0.5, 1.0, 1.0),
          emission_strength=g.math("MULTIPLY", g.math("POWER", facing, 6.0), 0.3))
