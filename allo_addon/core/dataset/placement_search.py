"""Where an anomaly goes: the attempt loop of placement, decided without Blender (#13 §5).

Each attempt draws a candidate from the job's placement seed, asks the scene's geometry about
it in a fixed order, and is refused with a reason at the first check it fails; the first one
that passes every check is kept. The draws, the order of the checks, the thresholds and the
reasons live here and are tested in plain Python; scene/placement.py answers the questions by
ray casts and BVH overlaps (FreeSpace, Hull) and moves the anomaly.

The draws happen exactly where the loop always made them (a surface kind's roll only after its
hull point passed), so a config and seed place every anomaly where they always did.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Protocol, Sequence

from .seeds import rng_from

MIN_FACING = 0.3            # cos of the steepest angle at which a surface kind is put on the hull
OUTSIDE_VIEW = "outside the view"
INTERSECTS = "intersects the station"
INSIDE = "inside the station"
NO_SURFACE = "no station surface there"
OBLIQUE = "surface seen too obliquely"
NOT_SMOOTH = "hull under the patch not smooth (edge or step)"
NO_HULL_IN_VIEW = "the camera sees no station surface"


def too_few_pixels(min_pixel: int) -> str:
    return f"≤ {min_pixel} visible pixels"


@dataclass(frozen=True)
class Placement:
    location: tuple[float, float, float]
    rotation: tuple[float, float, float]
    estimated_pixels: int
    attempts: int
    seconds: float = 0.0


@dataclass(frozen=True)
class PlacementFailure:
    attempts: int
    reasons: dict[str, int]     # why attempts were refused, with counts

    def describe(self) -> str:
        why = ", ".join(f"{n}× {reason}" for reason, n in sorted(self.reasons.items()))
        return f"no valid placement in {self.attempts} attempts ({why})"


class FreeSpace(Protocol):
    """The anomaly in front of the camera. A candidate is whatever pose() returns; the other
    methods are asked about it in the order search_free_space gives."""

    def pose(self, rotation: tuple, offset: tuple):
        """The anomaly rotated (XYZ Euler, rad) at anomaly_distance + offset[2] along the view,
        offset[0] right and offset[1] up (m)."""

    def in_view(self, candidate) -> bool: ...
    def intersects_station(self, candidate) -> bool: ...
    def inside_station(self, candidate) -> bool: ...
    def visible_pixels(self, candidate) -> int: ...

    def accept(self, candidate) -> tuple[tuple, tuple]:
        """Move the anomaly to the candidate; its (location, rotation)."""


class Hull(Protocol):
    """A surface kind on the station's hull: cells() are the patches of a coarse ray grid that
    see hull (each with a .weight), surface() aims into one of them."""

    def cells(self) -> Sequence: ...

    def surface(self, cell, dx: float, dy: float):
        """The hull where the ray through the cell's centre moved by (dx, dy) cells meets it,
        with .facing (cos between ray and normal, the normal turned to face the camera), or
        None where the ray misses the station."""

    def pose(self, surface, roll: float):
        """The patch on that surface, its +Z along the normal, rolled `roll` rad about it."""

    def in_view(self, candidate) -> bool: ...

    def conform(self, candidate) -> bool:
        """Bend the patch onto the hull; False where the hull under it is not smooth."""

    def visible_pixels(self, candidate) -> int: ...
    def accept(self, candidate) -> tuple[tuple, tuple]: ...


def search_free_space(space: FreeSpace, seed: int, attempts: int, box: float,
                      min_pixel: int) -> Placement | PlacementFailure:
    """A random rotation and an offset within ±box m of the point anomaly_distance ahead."""
    rng = rng_from(seed)
    reasons = Counter()
    refusals = ((OUTSIDE_VIEW, lambda c: not space.in_view(c)),
                (INTERSECTS, space.intersects_station),
                (INSIDE, space.inside_station))
    for attempt in range(1, attempts + 1):
        rotation = tuple(rng.uniform(0.0, 2 * math.pi) for _ in range(3))
        offset = tuple(rng.uniform(-box, box) for _ in range(3))
        candidate = space.pose(rotation, offset)
        placed = _judged(space, candidate, refusals, min_pixel, reasons, attempt)
        if placed is not None:
            return placed
    return PlacementFailure(attempts, dict(reasons))


def search_hull(hull: Hull, seed: int, attempts: int,
                min_pixel: int) -> Placement | PlacementFailure:
    """A hull point drawn from the cells, weighted by how large a patch there would look (so
    attempts are not spent on empty sky and near hull wins), then a random roll."""
    rng = rng_from(seed)
    cells = hull.cells()
    if not cells:
        return PlacementFailure(0, {NO_HULL_IN_VIEW: 1})
    weights = [cell.weight for cell in cells]
    reasons = Counter()
    refusals = ((OUTSIDE_VIEW, lambda c: not hull.in_view(c)),
                (NOT_SMOOTH, lambda c: not hull.conform(c)))   # conform bends the patch
    for attempt in range(1, attempts + 1):
        cell = rng.choices(cells, weights)[0]
        dx = rng.uniform(-0.5, 0.5)
        dy = rng.uniform(-0.5, 0.5)
        surface = hull.surface(cell, dx, dy)
        if surface is None:
            reasons[NO_SURFACE] += 1
            continue
        if surface.facing < MIN_FACING:
            reasons[OBLIQUE] += 1
            continue
        candidate = hull.pose(surface, rng.uniform(0.0, 2 * math.pi))
        placed = _judged(hull, candidate, refusals, min_pixel, reasons, attempt)
        if placed is not None:
            return placed
    return PlacementFailure(attempts, dict(reasons))


def _judged(search: FreeSpace | Hull, candidate, refusals, min_pixel: int, reasons: Counter,
            attempt: int) -> Placement | None:
    """Both searches' checks of a drawn candidate: `refusals`, (reason, refused(candidate)) in
    the order asked, then the visible pixels. The first check that fails counts its reason and
    gives None; a candidate that passes all is accepted: its Placement."""
    for reason, refused in refusals:
        if refused(candidate):
            reasons[reason] += 1
            return None
    pixels = search.visible_pixels(candidate)
    if pixels <= min_pixel:
        reasons[too_few_pixels(min_pixel)] += 1
        return None
    return Placement(*search.accept(candidate), pixels, attempt)
