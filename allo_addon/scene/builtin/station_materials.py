"""Flight-hardware materials for the built-in station: beta cloth, MLI foils, solar cells,
radiator paint, bare aluminium, dark anodised parts, handrail paint.

Sizes in the textures are metres of UV (see mesh_builder: UVs are metric), so quilting seams and
solar cells keep their real size on every part.
"""

from __future__ import annotations

import bpy

from .shader_graph import BUILTIN_TAG, ShaderGraph


def station_materials() -> dict[str, bpy.types.Material]:
    """All station materials by short name; reuses the ones already in this file."""
    builders = {
        "beta_cloth": _beta_cloth,
        "gold_foil": lambda g: _foil(g, (0.95, 0.60, 0.22)),
        "silver_foil": lambda g: _foil(g, (0.80, 0.81, 0.83)),
        "solar_cells": _solar_cells,
        "solar_back": _solar_back,
        "radiator": _radiator,
        "aluminium": _aluminium,
        "dark_metal": lambda g: g.set(base_color=(0.035, 0.035, 0.04, 1), metallic=0.6, roughness=0.45),
        "handrail": lambda g: g.set(base_color=(0.72, 0.48, 0.08, 1), roughness=0.45),
        "hull_grey": _hull_grey,
        "backshell": _backshell,
        "heat_shield": _heat_shield,
        "window": lambda g: g.set(base_color=(0.01, 0.012, 0.015, 1), metallic=0.0, roughness=0.03,
                                  coat_weight=1.0, coat_roughness=0.0),
        "white_paint": _white_paint,
        "nozzle": _nozzle,
    }
    out = {}
    for key, build in builders.items():
        name = f"ALLO_{key}"
        existing = bpy.data.materials.get(name)
        if existing is not None and existing.get(BUILTIN_TAG) == name:
            out[key] = existing
            continue
        graph = ShaderGraph(name)
        build(graph)
        out[key] = graph.material
    return out


def _beta_cloth(g: ShaderGraph) -> None:
    # White Teflon-coated glass fabric over the MMOD shield: blanket panels ~1.2 × 0.8 m joined by
    # stitched seams, each quilted into soft ~0.3 m pillows by tack points, a woven texture that
    # scatters the light like cloth, and panels that have aged a little differently.
    uv = g.coords("UV")
    seams, panel_tone = g.tiles(uv, 1.2, 0.8, 0.014)
    warp = g.node("ShaderNodeTexNoise", {"Vector": uv, "Scale": 2.0, "Detail": 2.0}).outputs["Color"]
    wobble = g.node("ShaderNodeMix", {0: 0.05, 4: uv, 5: warp}, data_type="VECTOR")
    pillows, _ = g.tiles(wobble.outputs[1], 0.3, 0.267, 0.12, smooth=1.0)  # hand-stitched: not a perfect grid
    weave = g.noise(uv, 160.0, detail=1.0)
    grime = g.noise(uv, 1.3, detail=4.0)
    tone = g.math("ADD", g.math("MULTIPLY", panel_tone, 0.5), g.math("MULTIPLY", grime, 0.5))
    cloth = g.ramp(tone, [(0.25, (0.66, 0.64, 0.58)), (0.75, (0.84, 0.83, 0.79))])
    g.set(base_color=g.mix_color(g.math("MULTIPLY", seams, 0.7), cloth, (0.32, 0.31, 0.29, 1.0)),
          roughness=g.scalar_ramp(weave, 0.72, 0.92), sheen_weight=0.5, sheen_roughness=0.4)
    puff = g.math("POWER", pillows, 2.0)   # flat-topped pillows that dip at the tack lines
    height = g.math("SUBTRACT", g.math("MULTIPLY", puff, -0.3), g.math("MULTIPLY", seams, 0.6))
    g.set(normal=g.bump(g.math("ADD", height, g.math("MULTIPLY", weave, 0.04)), 0.5, 0.03))


def _foil(g: ShaderGraph, rgb) -> None:
    # Aluminised/goldised Kapton MLI: crumpled into flat facets that each throw a glint under a
    # hard sun, fine crinkles on top, and dark stitched seams between the blankets (~1 m).
    obj = g.coords("Object")
    uv = g.coords("UV")
    fine = g.noise(obj, 35.0, detail=3.0, roughness=0.6)
    seams = g.seams(uv, 1.1, 0.9, 0.012)
    g.set(base_color=g.mix_color(seams, (*rgb, 1.0), (0.12, 0.11, 0.1, 1.0)), metallic=0.92,
          roughness=g.scalar_ramp(fine, 0.25, 0.5))
    g.set(normal=g.bump(g.math("ADD", fine, seams), 0.35, 0.01, normal=g.facets(obj, 9.0, 0.4)))


def _solar_cells(g: ShaderGraph) -> None:
    # Dark-blue cells (~0.16 × 0.08 m) with silver interconnect lines and wider gaps between
    # panel strings; a clear coat gives the blue sheen at grazing sun angles.
    uv = g.coords("UV")
    cells = g.seams(uv, 0.16, 0.08, 0.006)
    strings = g.seams(uv, 1.6, 0.8, 0.004)
    lines = g.math("MAXIMUM", cells, strings)
    g.set(base_color=g.ramp(lines, [(0.0, (0.010, 0.018, 0.060)), (1.0, (0.55, 0.56, 0.58))]),
          metallic=g.scalar_ramp(lines, 0.25, 0.9),
          roughness=g.scalar_ramp(lines, 0.18, 0.4))
    g.bsdf.inputs["Coat Weight"].default_value = 0.6
    g.bsdf.inputs["Coat Roughness"].default_value = 0.08
    g.bsdf.inputs["Coat Tint"].default_value = (0.55, 0.65, 1.0, 1.0)


def _solar_back(g: ShaderGraph) -> None:
    uv = g.coords("UV")
    ribs = g.seams(uv, 1.6, 0.8, 0.01)
    g.set(base_color=g.ramp(ribs, [(0.0, (0.45, 0.38, 0.22)), (1.0, (0.25, 0.24, 0.22))]),
          roughness=0.55, normal=g.bump(ribs, 0.3))


def _radiator(g: ShaderGraph) -> None:
    # White silverised-Teflon radiator panels: bright, fairly glossy, with coolant tube ribs.
    uv = g.coords("UV")
    ribs = g.seams(uv, 4.0, 0.15, 0.05)
    g.set(base_color=(0.86, 0.87, 0.87, 1), roughness=g.scalar_ramp(ribs, 0.25, 0.45),
          normal=g.bump(ribs, 0.4, 0.01))


def _hull_grey(g: ShaderGraph) -> None:
    # Painted structure (docking adapters, bus frame): light grey with panel lines.
    uv = g.coords("UV")
    panels = g.seams(uv, 0.7, 0.7, 0.006)
    g.set(base_color=g.ramp(panels, [(0.0, (0.50, 0.50, 0.50)), (1.0, (0.2, 0.2, 0.2))]),
          roughness=0.5, normal=g.bump(panels, 0.3, 0.005))


def _backshell(g: ShaderGraph) -> None:
    # Orion's back shell: ~0.2 m tiles under silver aluminised tape; each tile catches the sun a
    # little differently (the tape is slightly domed), the gaps between them are dark.
    uv = g.coords("UV")
    gaps, tone = g.tiles(uv, 0.21, 0.19, 0.008)
    dome, _ = g.tiles(uv, 0.21, 0.19, 0.06, smooth=1.0)
    g.set(base_color=g.ramp(g.math("ADD", gaps, g.math("MULTIPLY", tone, 0.1)),
                            [(0.0, (0.66, 0.67, 0.69)), (0.1, (0.76, 0.77, 0.79)), (1.0, (0.08, 0.08, 0.09))]),
          metallic=g.scalar_ramp(gaps, 0.8, 0.2),
          roughness=g.scalar_ramp(tone, 0.26, 0.36),
          normal=g.bump(g.math("SUBTRACT", g.math("MULTIPLY", dome, -0.3), gaps), 0.3, 0.004))


def _heat_shield(g: ShaderGraph) -> None:
    # Avcoat ablator blocks: dark brown-grey, matte, with filled seams between the blocks.
    uv = g.coords("UV")
    seams, tone = g.tiles(uv, 0.9, 0.6, 0.01)
    grain = g.noise(uv, 25.0, detail=4.0)
    g.set(base_color=g.ramp(g.math("ADD", g.math("MULTIPLY", tone, 0.4), g.math("MULTIPLY", grain, 0.6)),
                            [(0.2, (0.06, 0.05, 0.045)), (0.8, (0.13, 0.11, 0.09))]),
          roughness=0.85, normal=g.bump(g.math("ADD", grain, seams), 0.25, 0.01))


def _white_paint(g: ShaderGraph) -> None:
    # White-painted structure (crew-module adapter, service-module panels): satin, panel lines.
    uv = g.coords("UV")
    panels, tone = g.tiles(uv, 1.2, 0.9, 0.005)
    g.set(base_color=g.ramp(g.math("ADD", panels, g.math("MULTIPLY", tone, 0.08)),
                            [(0.0, (0.78, 0.78, 0.76)), (0.08, (0.84, 0.84, 0.82)), (1.0, (0.3, 0.3, 0.3))]),
          roughness=g.scalar_ramp(tone, 0.35, 0.5), normal=g.bump(panels, 0.3, 0.004))


def _nozzle(g: ShaderGraph) -> None:
    # Niobium / columbium nozzle extension: dark grey-black with a faint bronze heat tint.
    uv = g.coords("UV")
    streaks = g.noise(uv, 6.0, detail=3.0)
    g.set(base_color=g.ramp(streaks, [(0.3, (0.03, 0.028, 0.026)), (0.7, (0.07, 0.055, 0.04))]),
          metallic=0.7, roughness=g.scalar_ramp(streaks, 0.35, 0.55))


def _aluminium(g: ShaderGraph) -> None:
    # Clear-anodised aluminium (booms, rings, struts): satin, a little brushed, slightly blotchy.
    blotch = g.noise(g.coords("Object"), 4.0, detail=3.0)
    g.set(base_color=(0.64, 0.65, 0.68, 1), metallic=1.0, roughness=g.scalar_ramp(blotch, 0.24, 0.4),
          anisotropic=0.4)
