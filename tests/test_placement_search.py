"""The placement attempt loop without Blender (core/dataset/placement_search.py, issue #13 §5).

The geometry here is a plain-Python stand-in for the scene's ray casts (pure logic, not bpy):
it answers each check from a script of verdicts, so the loop's order of checks, reasons,
draws and accept/refuse decisions are tested on their own. The real ray casts are tested with
real Blender (test_builtin_assets, test_render_batch).
"""

import math
from dataclasses import dataclass

from allo_addon.core.dataset.placement_search import (INSIDE, INTERSECTS, MIN_FACING, NO_HULL_IN_VIEW,
                                                      NO_SURFACE, NOT_SMOOTH, OBLIQUE, OUTSIDE_VIEW,
                                                      Placement, PlacementFailure, search_free_space,
                                                      search_hull)
from allo_addon.core.dataset.seeds import rng_from


class ScriptedSpace:
    """Attempt n fails the check named in script[n] ("view", "overlap", "inside", or a pixel
    count); records every question asked."""

    def __init__(self, script):
        self.script, self.asked, self.poses, self.accepted = list(script), [], [], None

    def pose(self, rotation, offset):
        self.poses.append((rotation, offset))
        return len(self.poses) - 1

    def _verdict(self, c):
        return self.script[c]

    def in_view(self, c):
        self.asked.append((c, "view"))
        return self._verdict(c) != "view"

    def intersects_station(self, c):
        self.asked.append((c, "overlap"))
        return self._verdict(c) == "overlap"

    def inside_station(self, c):
        self.asked.append((c, "inside"))
        return self._verdict(c) == "inside"

    def visible_pixels(self, c):
        self.asked.append((c, "pixels"))
        return self._verdict(c)

    def accept(self, c):
        self.accepted = c
        return (1.0, 2.0, 3.0), self.poses[c][0]


def test_free_space_takes_the_first_candidate_that_passes_every_check():
    space = ScriptedSpace(["view", "overlap", "inside", 40, 41, 900])
    found = search_free_space(space, seed=11, attempts=11, box=0.5, min_pixel=40)
    assert isinstance(found, Placement)
    # 40 pixels is not more than min_pixel 40: refused; 41 is the first kept, attempt 5
    assert (found.attempts, found.estimated_pixels, space.accepted) == (5, 41, 4)
    assert found.location == (1.0, 2.0, 3.0) and found.rotation == space.poses[4][0]
    # a refused check ends the attempt: nothing after it is asked
    assert space.asked == [(0, "view"), (1, "view"), (1, "overlap"), (2, "view"), (2, "overlap"),
                           (2, "inside"), (3, "view"), (3, "overlap"), (3, "inside"),
                           (3, "pixels"), (4, "view"), (4, "overlap"), (4, "inside"),
                           (4, "pixels")]


def test_free_space_draws_three_angles_then_three_offsets_per_attempt_from_the_seed():
    space = ScriptedSpace(["view"] * 3)
    search_free_space(space, seed=123, attempts=3, box=0.5, min_pixel=10)
    rng = rng_from(123)
    expected = []
    for _ in range(3):
        rotation = tuple(rng.uniform(0.0, 2 * math.pi) for _ in range(3))
        expected.append((rotation, tuple(rng.uniform(-0.5, 0.5) for _ in range(3))))
    assert space.poses == expected
    assert all(-0.5 <= v <= 0.5 for _, offset in space.poses for v in offset)
    # the first draw of seed 123 as scene/placement.py drew it before the loop moved here
    # (random.Random(123), printed by that code; Mersenne Twister: exact on every machine)
    assert space.poses[0][0][0] == 0.32901019493129924


def test_free_space_failure_counts_every_reason():
    space = ScriptedSpace(["view", "overlap", "overlap", "inside", 3])
    found = search_free_space(space, seed=1, attempts=5, box=0.5, min_pixel=10)
    assert found == PlacementFailure(5, {OUTSIDE_VIEW: 1, INTERSECTS: 2, INSIDE: 1,
                                         "≤ 10 visible pixels": 1})
    assert found.describe() == ("no valid placement in 5 attempts (1× inside the station, "
                                "2× intersects the station, 1× outside the view, "
                                "1× ≤ 10 visible pixels)")
    assert space.accepted is None


@dataclass(frozen=True)
class Cell:
    name: str
    weight: float


@dataclass(frozen=True)
class Surface:
    cell: str
    facing: float


class ScriptedHull:
    """surface() misses for cells named "sky"; script[n] is what attempt n's patch fails
    ("view", "bumpy", or a pixel count); facing comes from the cell's name."""

    def __init__(self, cells, script, facing=0.9):
        self._cells, self.script, self.facing = cells, list(script), facing
        self.aims, self.rolls, self.conformed, self.accepted = [], [], [], None

    def cells(self):
        return self._cells

    def surface(self, cell, dx, dy):
        self.aims.append((cell.name, dx, dy))
        return None if cell.name == "sky" else Surface(cell.name, self.facing)

    def pose(self, surface, roll):
        self.rolls.append(roll)
        return len(self.rolls) - 1

    def in_view(self, c):
        return self.script[c] != "view"

    def conform(self, c):
        self.conformed.append(c)
        return self.script[c] != "bumpy"

    def visible_pixels(self, c):
        return self.script[c]

    def accept(self, c):
        self.accepted = c
        return (0.0, 0.0, 0.0), (self.rolls[c], 0.0, 0.0)


def test_hull_draws_cell_jitter_then_roll_only_for_a_surface_it_keeps():
    hull = ScriptedHull([Cell("near", 3.0), Cell("far", 1.0)], ["view", "bumpy", 5, 50])
    found = search_hull(hull, seed=7, attempts=11, min_pixel=10)
    assert isinstance(found, Placement) and (found.attempts, found.estimated_pixels) == (4, 50)
    assert hull.accepted == 3 and hull.conformed == [1, 2, 3]   # in view first, then bent
    rng = rng_from(7)
    cells = hull.cells()
    for aim, roll in zip(hull.aims, hull.rolls):
        cell = rng.choices(cells, [c.weight for c in cells])[0]
        assert aim == (cell.name, rng.uniform(-0.5, 0.5), rng.uniform(-0.5, 0.5))
        assert roll == rng.uniform(0.0, 2 * math.pi)


def test_hull_refuses_sky_and_oblique_surfaces_without_drawing_a_roll():
    sky = ScriptedHull([Cell("sky", 1.0)], [])
    assert search_hull(sky, seed=3, attempts=4, min_pixel=10) == PlacementFailure(
        4, {NO_SURFACE: 4})
    assert sky.rolls == []
    steep = ScriptedHull([Cell("wall", 1.0)], [], facing=MIN_FACING - 0.01)
    assert search_hull(steep, seed=3, attempts=4, min_pixel=10) == PlacementFailure(
        4, {OBLIQUE: 4})
    assert steep.rolls == []
    # the same seed aims the same way whatever the surfaces say: draws do not depend on them
    assert [a[1:] for a in sky.aims] == [a[1:] for a in steep.aims]


def test_hull_with_no_cell_in_view_makes_no_attempt():
    hull = ScriptedHull([], [])
    assert search_hull(hull, seed=3, attempts=11, min_pixel=10) == PlacementFailure(
        0, {NO_HULL_IN_VIEW: 1})
    assert hull.aims == []


def test_bumpy_patch_is_refused_with_its_reason():
    hull = ScriptedHull([Cell("a", 1.0)], ["bumpy", "bumpy"])
    assert search_hull(hull, seed=5, attempts=2, min_pixel=10) == PlacementFailure(
        2, {NOT_SMOOTH: 2})
