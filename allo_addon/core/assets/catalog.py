"""Names of the built-in assets, importable without Blender.

The CLI's `assets` command, config validation and the scene builders all read these tuples, so
a new kind is added in one place (and its builder in allo_addon/scene/builtin/).
"""

from __future__ import annotations

# kind: what it models (shown by `python -m allo_addon.headless assets --describe`)
ANOMALY_DESCRIPTIONS: dict[str, str] = {
    "blanket": "torn multi-layer insulation (MLI) sheet, gold or silver, 0.6-0.9 m",
    "cable": "drifting tether with metal end connectors, 0.6-0.9 m loop",
    "drill": "pistol-grip power tool with socket extension and tether ring, ~0.5 m",
    "panel": "bent-off MMOD shield or cover panel, 0.4-0.7 m",
    "power_cable": "thick power cable loop with round connectors and cable ties, 0.55-0.7 m",
    "drone": "small quad-rotor free flyer (ducted rotors, camera), 0.3-0.37 m",
    "bolts": "cluster of loose bolts, nuts and washers, 0.13-0.21 m",
    "debris": "jagged, crumpled metal fragment with a scorched face, 0.2-0.55 m",
    "cargo_bag": "cargo transfer bag (Nomex, straps and handles), 0.4-0.52 m",
    "foot_restraint": "portable foot restraint: foot plate, toe bar, stem and probe, 0.43-0.55 m",
    "handrail": "detached, slightly bent handrail segment with mounting feet, 0.45-1.0 m",
    "frost": "ice/frost patch bent onto the hull, 0.3-0.9 m wide, a few mm thick",
    "mmod_hole": "micrometeoroid impact: petalled 2-8 cm puncture in a 0.2-0.55 m torn, scorched zone",
}
ANOMALY_KINDS: tuple[str, ...] = tuple(ANOMALY_DESCRIPTIONS)

# Kinds that belong ON a station surface (local +Z is the outward normal, the patch's underside
# lies at local z = min): scene/placement.py puts them on a visible hull point.
SURFACE_KINDS: tuple[str, ...] = ("frost", "mmod_hole")

# object names of the built-in station parts, in build order
STATION_PARTS: tuple[str, ...] = (
    "Station_PPE", "Station_SolarWing_PortY", "Station_SolarWing_StbdY", "Station_HALO",
    "Station_IHab", "Station_Logistics", "Station_Airlock", "Station_Radiators", "Station_Arm",
    "Station_CrewModule", "Station_ServiceModule", "Station_SMSolarArrays",
)

# the bodies: core/ephemeris/bodies.py (NEAREST_FIRST is how the catalog lists them)
