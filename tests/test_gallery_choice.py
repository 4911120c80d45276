"""Which days and views the gallery shows (pure logic, on the shipped default ephemeris)."""

from allo_addon.core.dataset.batch_request import DEFAULT_EPHEMERIS
from allo_addon.core.ephemeris.reader import load_ephemeris
from allo_addon.core.views.gallery_choice import (angle_deg, best, contrasting_sun_days,
                                                  sun_direction)


def test_second_day_has_the_most_different_sun():
    ephemeris = load_ephemeris(DEFAULT_EPHEMERIS)
    first, second = contrasting_sun_days(ephemeris, 2, 10)
    assert first == 10
    chosen = angle_deg(sun_direction(ephemeris, 10), sun_direction(ephemeris, second))
    every = [angle_deg(sun_direction(ephemeris, 10), sun_direction(ephemeris, d))
             for d, g in ephemeris.days.items() if g.sun_visible_fraction >= 1.0]
    assert chosen == max(every) and chosen > 90.0
    assert ephemeris.day(second).sun_visible_fraction == 1.0


def test_best_takes_the_highest_scores_ties_to_the_lower_index():
    assert best({0: 0.1, 1: 0.5, 2: 0.5, 3: 0.9}, 3) == [3, 1, 2]
    assert best({}, 2) == []
