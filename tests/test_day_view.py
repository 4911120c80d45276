"""The day view's pure parts (core/views/day_view.py): frame <-> day, marker labels and segments,
the station-view lens and the Quick Render size. No Blender."""

import math

import pytest

from allo_addon.core.dataset.poses import DATA_DIR
from allo_addon.core.ephemeris.reader import Body, DayGeometry, load_ephemeris
from allo_addon.core.views import day_view


def geometry(**extra):
    return DayGeometry(day=3, moon=Body(12.0, (0.0, 0.0, 500.0)),
                       sun=Body(19.0, (4000.0, 0.0, 0.0)), earth=Body(31.0, (0.0, -2000.0, 0.0)),
                       **extra)


@pytest.mark.parametrize("offset", [0, 1, -5, 1000])
def test_frame_and_day_are_inverse(offset):
    for day in (0, 1, 17, 364):
        frame = day_view.frame_for_day(day, offset)
        assert frame == day + offset
        assert day_view.day_for_frame(frame, offset) == day


def test_labels_of_the_original_format_give_scaled_units_and_no_sun_fraction():
    g = geometry()
    assert day_view.marker_label("moon", g) == \
        f"Moon {2 * math.degrees(math.asin(12 / 500)):.2f}° 500 u"
    assert day_view.marker_label("sun", g) == \
        f"Sun {2 * math.degrees(math.asin(19 / 4000)):.2f}° 4,000 u"   # no epoch: no fraction


@pytest.mark.parametrize("fraction, words", [(1.0, "sunlit"), (0.0, "eclipse: Sun hidden"),
                                             (0.37, "eclipse: 37% of the disc")])
def test_sun_label_says_how_much_of_the_disc_the_station_sees(fraction, words):
    g = geometry(epoch="2027-01-01T00:00:00Z", sun_visible_fraction=fraction,
                 distances_km={"sun": 1.47e8, "earth": 410_646.9, "moon": 71_222.1})
    assert day_view.marker_label("sun", g).endswith(f" 0.983 AU {words}")
    assert day_view.marker_label("earth", g).endswith(" 410,647 km")


def test_labels_of_the_default_extended_ephemeris_carry_true_distances():
    row = load_ephemeris(DATA_DIR / "default_ephemeris_extended.csv").day(0)
    assert row.distances_km["moon"] == pytest.approx(71222.0800255)   # the file's first row
    assert day_view.marker_label("moon", row) == "Moon 2.80° 71,222 km"
    assert day_view.marker_label("sun", row) == "Sun 0.54° 0.983 AU sunlit"
    assert load_ephemeris(DATA_DIR / "default_ephemeris.csv").day(0).distances_km is None


def test_marker_segment_points_from_the_station_toward_the_body():
    body = Body(31.0, (3.0, -4.0, 12.0))            # distance 13
    tail, tip = day_view.marker_segment(body, start=26.0, length=13.0)
    assert tail == pytest.approx((6.0, -8.0, 24.0))
    assert tip == pytest.approx((9.0, -12.0, 36.0))


@pytest.mark.parametrize("angle", [0.54, 1.95, 6.2])
def test_lens_shows_the_body_at_a_third_of_the_view(angle):
    lens = day_view.lens_for(angle)
    assert day_view.field_of_view_deg(lens) == pytest.approx(3 * angle, rel=1e-9)


@pytest.mark.parametrize("full, quick", [((1920, 1080), (240, 135)), ((128, 72), (128, 72)),
                                          ((1000, 1000), (240, 240))])
def test_quick_render_keeps_the_aspect_and_the_min_pixel_share(full, quick):
    assert day_view.quick_resolution(full) == quick
    share = day_view.quick_min_pixel(2000, full, quick) / (quick[0] * quick[1])
    assert share == pytest.approx(2000 / (full[0] * full[1]), abs=1 / (quick[0] * quick[1]))


@pytest.mark.parametrize("width, height, covered", [(1200, 800, 0), (1200, 800, 300),
                                                     (600, 900, 0)])
def test_fit_view_shows_the_whole_sphere_in_the_visible_part(width, height, covered):
    lens, radius = 50.0, 10.0
    distance, shift = day_view.fit_view(radius, lens, width, height, covered, margin=1.0)
    tan_long = 36.0 / lens                        # Blender's 3D view at lens 50
    px = 2 * distance * (tan_long if width >= height else tan_long * width / height) / width
    # the sphere's centre, seen `shift` to the left of the view's centre, is the visible middle
    assert (width / 2 - shift / px) == pytest.approx((width - covered) / 2)
    # and its silhouette (half-angle asin(r/d)) just fits the narrower visible half
    half_visible = min((width - covered) / 2, height / 2) * px / distance
    assert math.asin(radius / distance) == pytest.approx(math.atan(half_visible))
