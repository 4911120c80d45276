"""Anomaly models: things that should not be floating next to (or growing on) the station.

Each builder makes ONE mesh object from a seed (same seed, same geometry, vertex for vertex in
every process), 0.1–1.2 m across, with its origin at the bounding-box centre. Every material is
a node material whose Principled BSDF "Base Color" is a plain value, because the colour
variation mode overwrites it. The kind names live in core/assets/catalog.py (no bpy there).
"""

from __future__ import annotations

import bpy

from ...core.assets.catalog import ANOMALY_KINDS, SURFACE_KINDS
from ...core.dataset.seeds import keyed_rng
from ...core.errors import UserError

from . import anomalies_hardware, anomalies_lines, anomalies_sheets, anomalies_surface
from .anomaly_kit import origin_to_bbox_centre

__all__ = ["ANOMALY_KINDS", "SURFACE_KINDS", "build_anomaly"]

BUILDERS = {
    "blanket": anomalies_sheets.blanket,
    "cable": anomalies_lines.cable,
    "drill": anomalies_hardware.drill,
    "panel": anomalies_sheets.panel,
    "power_cable": anomalies_lines.power_cable,
    "drone": anomalies_hardware.drone,
    "bolts": anomalies_hardware.bolts,
    "debris": anomalies_sheets.debris,
    "cargo_bag": anomalies_hardware.cargo_bag,
    "foot_restraint": anomalies_hardware.foot_restraint,
    "handrail": anomalies_lines.handrail,
    "frost": anomalies_surface.frost,
    "mmod_hole": anomalies_surface.mmod_hole,
}
assert tuple(BUILDERS) == ANOMALY_KINDS, "builders and catalog out of step"


def build_anomaly(kind: str, collection, seed: int) -> bpy.types.Object:
    if kind not in BUILDERS:
        raise UserError(f"unknown anomaly {kind!r}; the built-in anomalies are: {', '.join(ANOMALY_KINDS)}")
    obj = BUILDERS[kind](collection, keyed_rng(kind, seed))
    origin_to_bbox_centre(obj)
    return obj
