"""`python -m allo_addon.headless assets`: list the built-in models (no bpy needed)."""

from __future__ import annotations

HELP = """List the built-in models: the anomaly kinds a config's `anomalies:` may name when
anomalies_path is not set (one per line), then the station parts and the bodies. --describe adds
what each anomaly kind models and marks the kinds that sit on a station surface."""


def add_arguments(parser):
    parser.add_argument("--describe", action="store_true",
                        help="add a one-line description after each anomaly kind")


def run(args) -> int:
    from ..core.ephemeris.bodies import NEAREST_FIRST
    from ..core.assets.catalog import (ANOMALY_DESCRIPTIONS, ANOMALY_KINDS, STATION_PARTS,
                                       SURFACE_KINDS)
    width = max(map(len, ANOMALY_KINDS))
    print("# anomalies")
    for kind in ANOMALY_KINDS:
        if args.describe:
            where = " (on a surface)" if kind in SURFACE_KINDS else ""
            print(f"{kind:<{width}}  {ANOMALY_DESCRIPTIONS[kind]}{where}")
        else:
            print(kind)
    print("\n# station parts")
    print("\n".join(STATION_PARTS))
    print("\n# bodies")
    print("\n".join(NEAREST_FIRST))
    return 0
