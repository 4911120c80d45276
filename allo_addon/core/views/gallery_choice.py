"""What the gallery shows: days whose suns differ most, and the views that see the most station.

Pure logic (no bpy): the gallery command measures the views in Blender and asks here which to use.
"""

from __future__ import annotations

import math

from ..ephemeris.reader import Ephemeris


def sun_direction(ephemeris: Ephemeris, day: int) -> tuple[float, float, float]:
    x, y, z = ephemeris.day(day).sun.position
    norm = math.sqrt(x * x + y * y + z * z)
    return (x / norm, y / norm, z / norm)


def angle_deg(a, b) -> float:
    dot = max(-1.0, min(1.0, sum(p * q for p, q in zip(a, b))))
    return math.degrees(math.acos(dot))


def contrasting_sun_days(ephemeris: Ephemeris, count: int, first: int) -> list[int]:
    """`first`, then each time the day whose sun direction is farthest from every day chosen so
    far (sunlit days only: an eclipsed day shows a black station). Ties go to the earlier day."""
    sunlit = {day: sun_direction(ephemeris, day) for day, geometry in sorted(ephemeris.days.items())
              if geometry.sun_visible_fraction >= 1.0}
    chosen = [first]
    while len(chosen) < min(count, len(sunlit)):
        directions = [sun_direction(ephemeris, day) for day in chosen]
        farthest = max((d for d in sunlit if d not in chosen),
                       key=lambda d: (min(angle_deg(sunlit[d], c) for c in directions), -d))
        chosen.append(farthest)
    return chosen


def best(scores: dict[int, float], count: int) -> list[int]:
    """The `count` indices with the highest scores (ties: lower index first)."""
    return sorted(scores, key=lambda index: (-scores[index], index))[:count]
