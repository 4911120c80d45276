"""`python -m allo_addon.headless ephemeris`: generate ephemeris CSVs for any dates (no bpy)."""

from __future__ import annotations

import time

HELP = """Generate an ephemeris: where the Moon, the Earth and the Sun are seen from the station
on its 9:2 NRHO, one row per step. --out writes the original 12-column CSV (what
render_config.yaml's ephemeris_path reads); --extended-out writes the extended CSV (epoch, station
state, true distances, eclipses, body rotations), which configs can point at too. Give one or both.
Example: ephemeris --start 2027-01-01 --days 365 --step 1h --out eph.csv --extended-out eph_ext.csv"""


def add_arguments(parser):
    parser.add_argument("--start", required=True,
                        help="first epoch, UTC, ISO 8601: 2027-01-01 or 2027-01-01T06:30")
    parser.add_argument("--days", default="365", help="length of the span in days (default 365)")
    parser.add_argument("--step", default="1d", help="time step: 1d, 6h, 30min (default 1d)")
    parser.add_argument("--phase", default="0",
                        help="orbit phase at --start as a fraction of the 6.56-day period: "
                             "0 = apolune (default), 0.5 = perilune")
    parser.add_argument("--out", help="original 12-column CSV to write (no header)")
    parser.add_argument("--extended-out", help="extended CSV to write (header, epoch, physics)")


def run(args) -> int:
    from ..core.ephemeris.generator import EphemerisRequest
    from ..core.ephemeris.writer import generate_files

    request = EphemerisRequest.from_text(args.start, args.days, args.step, args.phase)
    started = time.perf_counter()
    table, written = generate_files(request, args.out, args.extended_out)
    eclipsed = int((table.sun_visible_fraction < 1.0).sum())
    print(f"{len(table)} rows from {table.epochs[0]:%Y-%m-%dT%H:%M:%SZ} every {args.step.strip()} "
          f"({eclipsed} with the Sun partly or fully hidden) in "
          f"{time.perf_counter() - started:.2f} s: {', '.join(map(str, written))}")
    return 0
