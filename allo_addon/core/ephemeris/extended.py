"""Extended ephemeris CSV (docs/formats.md §1): a header line, then one row per time step.

Columns, in order (vectors in J2000 equatorial axes; README: "Frames and conventions"):
    epoch_utc                                   ISO 8601, e.g. 2027-01-01T00:00:00Z
    orbit_phase                                 fraction of the NRHO period, 0 = apolune
    station_x_km … station_z_km                 station − Moon
    station_vx_km_s … station_vz_km_s           its time derivative
    moon_distance_km, sun_…, earth_…            from the station
    moon_angular_radius_deg, sun_…, earth_…
    moon_r … earth_z                            the original format's 12 scaled columns
    sun_visible_fraction                        0 in umbra, 1 in full sunlight
    moon_rot_x … moon_rot_z, earth_rot_x … earth_rot_z   Blender XYZ Euler angles, radians

Readers look columns up by name: order and extra columns do not matter; the ones in REQUIRED
must be there. Row index = step index (the `day` of DayGeometry), like the original format.
"""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path

from ..errors import UserError
from .bodies import BODIES
from .geometry import COLUMNS, Ephemeris, geometry_from_values, row_problem

AXES = ("x", "y", "z")
EPOCH = "epoch_utc"
FRACTION = "sun_visible_fraction"
ROTATIONS = {body: tuple(f"{body}_rot_{axis}" for axis in AXES) for body in ("moon", "earth")}
EXTENDED_COLUMNS = (
    EPOCH, "orbit_phase",
    *(f"station_{axis}_km" for axis in AXES),
    *(f"station_v{axis}_km_s" for axis in AXES),
    *(f"{body}_distance_km" for body in BODIES),
    *(f"{body}_angular_radius_deg" for body in BODIES),
    *COLUMNS, FRACTION, *ROTATIONS["moon"], *ROTATIONS["earth"])
DISTANCES = {body: f"{body}_distance_km" for body in BODIES}
REQUIRED = (EPOCH, *COLUMNS, FRACTION, *ROTATIONS["moon"], *ROTATIONS["earth"])


def parse_extended(path, lines: list[str]) -> Ephemeris:
    """Rows of an extended file (`lines`: non-empty, non-comment lines, the header first)."""
    path = Path(path)
    header = [cell.strip() for cell in lines[0].split(",")]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise UserError(f"{path}: the header lacks the column(s) {', '.join(missing)}; an "
                        f"extended ephemeris needs {', '.join(REQUIRED)}")
    index = {name: header.index(name) for name in REQUIRED}
    # optional: the true distances (the day preview's labels); absent, the labels use units
    index.update({name: header.index(name) for name in DISTANCES.values() if name in header})
    days, bad = {}, {}
    for day, line in enumerate(lines[1:]):
        cells = [c.strip() for c in line.split(",")]
        if len(cells) != len(header):
            bad[day] = f"has {len(cells)} values, expected {len(header)} (one per header column)"
            continue
        try:
            days[day] = _geometry(day, {name: cells[i] for name, i in index.items()})
        except ValueError as problem:
            bad[day] = str(problem)
    return Ephemeris(path=path, days=days, bad_rows=bad, row_count=len(lines) - 1)


def _geometry(day: int, cells: dict[str, str]):
    """The DayGeometry of one row; ValueError says why the row cannot be one."""
    numbers = {}
    for name, text in cells.items():
        if name == EPOCH:
            continue
        try:
            numbers[name] = float(text)
        except ValueError:
            raise ValueError(f"{name} is {text[:40]!r}, not a number") from None
    problem = row_problem([numbers[name] for name in COLUMNS])
    if problem:
        raise ValueError(problem)
    fraction = numbers[FRACTION]
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"{FRACTION} is {fraction}, expected a value in [0, 1]")
    rotations = {}
    for body, names in ROTATIONS.items():
        rotations[body] = tuple(numbers[name] for name in names)
        if not all(math.isfinite(angle) and abs(angle) <= 2 * math.pi for angle in rotations[body]):
            raise ValueError(f"{body} rotation is {rotations[body]}, expected finite angles in "
                             f"radians within ±2π")
    try:
        datetime.fromisoformat(cells[EPOCH])
    except ValueError:
        raise ValueError(f"{EPOCH} is {cells[EPOCH][:40]!r}, not an ISO 8601 date-time") from None
    distances = {body: numbers[name] for body, name in DISTANCES.items()
                 if name in numbers and math.isfinite(numbers[name]) and numbers[name] > 0}
    return geometry_from_values(
        day, [numbers[name] for name in COLUMNS], epoch=cells[EPOCH],
        sun_visible_fraction=fraction, moon_rotation=rotations["moon"],
        earth_rotation=rotations["earth"], distances_km=distances or None)
