"""The geometry an ephemeris gives, whatever its format: one DayGeometry per row, and the checks
that refuse a row that cannot be a real geometry.

Both readers build on this module (ephemeris.py, the original 12-column format, and
ephemeris_extended.py), so neither imports the other's internals: ephemeris.py imports
ephemeris_extended.py, never the reverse.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UserError
from .bodies import BODIES

COLUMNS = tuple(f"{body}_{part}" for body in BODIES for part in ("r", "x", "y", "z"))

# A scaled frame puts the Moon ~500, the Earth ~2000 and the Sun ~4000 units from the station.
# Anything far outside this is uninitialised memory, not geometry.
MIN_DISTANCE = 50.0       # inside this a body would swallow the station's neighbourhood
MAX_DISTANCE = 1.0e5
TINY = 1.0e-30            # denormals and near-denormals come from garbage memory


@dataclass(frozen=True)
class Body:
    radius: float
    position: tuple[float, float, float]

    @property
    def distance(self) -> float:
        return math.sqrt(sum(c * c for c in self.position))

    @property
    def angular_radius_deg(self) -> float:
        return math.degrees(math.asin(min(1.0, self.radius / self.distance)))


@dataclass(frozen=True)
class DayGeometry:
    day: int
    moon: Body
    sun: Body
    earth: Body
    epoch: str | None = None               # UTC, ISO 8601, extended files only
    sun_visible_fraction: float = 1.0      # 0 in umbra; extended files only
    moon_rotation: tuple[float, float, float] | None = None   # XYZ Euler, radians
    earth_rotation: tuple[float, float, float] | None = None  # XYZ Euler, radians
    distances_km: dict[str, float] | None = None   # body -> true distance; extended files only

    def body(self, name: str) -> Body:
        return getattr(self, name)


@dataclass
class Ephemeris:
    path: Path
    days: dict[int, DayGeometry]
    bad_rows: dict[int, str] = field(default_factory=dict)   # day -> why it was refused
    row_count: int = 0

    def __len__(self) -> int:
        return self.row_count

    def day(self, day: int) -> DayGeometry:
        if day in self.days:
            return self.days[day]
        if day in self.bad_rows:
            raise UserError(f"{self.path}: row {day} (day {day}) is corrupt and cannot be "
                            f"rendered: {self.bad_rows[day]}")
        raise UserError(f"{self.path}: day {day} is outside the ephemeris, which has "
                        f"{self.row_count} rows (days 0–{self.row_count - 1})")

    def check_days(self, days) -> list[int]:
        """The days among `days` that cannot be rendered (corrupt rows)."""
        missing = [d for d in days if d not in self.days and d not in self.bad_rows]
        if missing:
            listed = ", ".join(map(str, missing[:5])) + (", …" if len(missing) > 5 else "")
            raise UserError(f"{self.path}: day {listed} is outside the ephemeris, which has "
                            f"{self.row_count} rows (days 0–{self.row_count - 1}); check "
                            f"start_day, end_day and day_interval")
        return [d for d in days if d in self.bad_rows]


def row_problem(values: list[float]) -> str | None:
    """Why a 12-value row cannot be a real geometry, or None when it can."""
    for name, value in zip(COLUMNS, values):
        if not math.isfinite(value):
            return f"{name} is {value}"
        if value != 0.0 and abs(value) < TINY:
            return f"{name} is {value!r}, a denormal (uninitialised memory)"
    for i, body in enumerate(BODIES):
        r, x, y, z = values[4 * i: 4 * i + 4]
        distance = math.sqrt(x * x + y * y + z * z)
        if r <= 0:
            return f"{body}_r is {r}, expected a radius > 0"
        if distance < MIN_DISTANCE:
            return (f"the {body} is {distance:.6g} units from the station, expected at least "
                    f"{MIN_DISTANCE:g}")
        if distance > MAX_DISTANCE or r > MAX_DISTANCE:
            return (f"the {body} is {distance:.6g} units away with radius {r:.6g}, far outside "
                    f"the scaled frame (< {MAX_DISTANCE:g})")
        if r >= distance:
            return f"the {body}'s radius {r:.6g} reaches the station (distance {distance:.6g})"
    return None


def geometry_from_values(day: int, values: list[float], **extra) -> DayGeometry:
    bodies = {}
    for i, body in enumerate(BODIES):
        r, x, y, z = values[4 * i: 4 * i + 4]
        bodies[body] = Body(radius=r, position=(x, y, z))
    return DayGeometry(day=day, **bodies, **extra)
