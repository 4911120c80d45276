"""The ephemeris generator against the issue's verification list (JPL DE421 as the reference)."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from allo_addon.core.ephemeris.bodies import BODIES
from allo_addon.core.ephemeris.generator import EphemerisRequest, generate
from allo_addon.core.ephemeris.orbit import frames
from allo_addon.core.ephemeris.orbit.eclipse import angle_between, sun_visible_fraction
from allo_addon.core.ephemeris.orbit.timescales import julian_date_utc, tt_from_utc
from allo_addon.core.ephemeris.reader import load_ephemeris
from allo_addon.core.ephemeris.writer import generate_files
from allo_addon.core.errors import UserError

ROOT = Path(__file__).resolve().parent.parent


def directions(table, body):
    i = BODIES.index(body)
    vectors = table.scaled[:, 4 * i + 1: 4 * i + 4]
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def jd_tt(table):
    return tt_from_utc(np.array([julian_date_utc(epoch) for epoch in table.epochs]))


@pytest.fixture(scope="module")
def year_hourly():
    return generate(EphemerisRequest.from_text("2027-01-01", 365, "1h"))


@pytest.fixture(scope="module")
def de421():
    jplephem = pytest.importorskip("jplephem")
    kernel = pytest.importorskip("de421")
    return jplephem.Ephemeris(kernel)


@pytest.fixture(scope="module")
def sampled_2026_2030():
    # 53 epochs, ~29 days apart, so they fall at every orbit phase and every lunar phase.
    return generate(EphemerisRequest.from_text("2026-01-01T03:00", 1461, "701h", 0.137))


def de421_geocentric(de421, jd):
    """DE421 Moon and Sun relative to the Earth's centre (km, ICRF axes)."""
    moon = np.stack([de421.position("moon", t)[:, 0] for t in jd])
    earth_moon_barycentre = np.stack([de421.position("earthmoon", t)[:, 0] for t in jd])
    earth = earth_moon_barycentre - moon * de421.earth_share
    sun = np.stack([de421.position("sun", t)[:, 0] for t in jd]) - earth
    return moon, sun


def station_centred_errors(de421, table):
    """Degrees between our Sun and Moon directions and DE421's, both seen from our station."""
    moon, sun = de421_geocentric(de421, jd_tt(table))
    station = -directions(table, "earth") * table.distance_km["earth"][:, None]   # geocentric
    return (np.degrees(angle_between(directions(table, "sun"), sun - station)),
            np.degrees(angle_between(directions(table, "moon"), moon - station)))


def test_sun_and_moon_directions_agree_with_de421_from_the_station(de421, sampled_2026_2030):
    table = sampled_2026_2030
    assert len(table) >= 50
    sun_error, moon_error = station_centred_errors(de421, table)
    assert sun_error.max() < 0.05
    assert moon_error.max() < 0.5
    # The station offset really is the table's: Moon − station = −(station − Moon).
    np.testing.assert_allclose(directions(table, "moon") * table.distance_km["moon"][:, None],
                               -table.station_position_km, rtol=1e-9)


def test_moon_direction_holds_at_perilune_where_errors_matter_most(de421):
    # 3,249 km from the Moon's centre a 10 km error in the lunar theory is 0.18°.
    for start in ("2026-03-01", "2027-07-15T06:00", "2028-12-24", "2029-10-02T18:00"):
        table = generate(EphemerisRequest.from_text(start, 1, "1d", 0.5))
        assert table.distance_km["moon"][0] == pytest.approx(3249, abs=30)
        sun_error, moon_error = station_centred_errors(de421, table)
        assert sun_error.max() < 0.05 and moon_error.max() < 0.5


def test_moon_orientation_matches_de421_librations(de421, sampled_2026_2030):
    jd = jd_tt(sampled_2026_2030)
    angles = np.stack([de421.compute("librations", t)[:3, 0] for t in jd])
    principal_axes = (frames.rotation_z(angles[:, 0]) @ frames.rotation_x(angles[:, 1])
                      @ frames.rotation_z(angles[:, 2]))
    ours = frames.moon_orientation(jd)
    relative = np.swapaxes(principal_axes, 1, 2) @ ours
    rotation = np.degrees(np.arccos(np.clip((np.trace(relative, axis1=1, axis2=2) - 1) / 2, -1, 1)))
    # mean-Earth vs principal-axis frames differ by a fixed ~0.024°; anything more is an error
    assert rotation.max() < 0.05


def test_bodies_turn_as_the_scene_expects(year_hourly):
    table = year_hourly
    def local_axis(euler, axis):
        matrices = (frames.rotation_z(euler[:, 2]) @ frames.rotation_y(euler[:, 1])
                    @ frames.rotation_x(euler[:, 0]))
        return matrices[:, :, axis]
    # Moon's +X (mean sub-Earth point) off the Earth direction by the optical libration only:
    # up to 7.9° in longitude and 6.7° in latitude, so never more than ~10.4° together
    earth_from_moon = directions(table, "earth") * table.distance_km["earth"][:, None] \
        - directions(table, "moon") * table.distance_km["moon"][:, None]
    libration = np.degrees(angle_between(local_axis(table.moon_rotation, 0), earth_from_moon))
    assert 7 < libration.max() < 10.5
    # Earth's pole near J2000 +Z; at 12:00 UTC Greenwich faces the Sun within the equation of time
    assert np.degrees(angle_between(local_axis(table.earth_rotation, 2), [0, 0, 1])).max() < 0.3
    noon = np.array([epoch.hour == 12 for epoch in table.epochs])
    greenwich = local_axis(table.earth_rotation[noon], 0)
    sun = directions(table, "sun")[noon]
    hour_angle = np.arctan2(greenwich[:, 1], greenwich[:, 0]) - np.arctan2(sun[:, 1], sun[:, 0])
    assert np.degrees(np.abs(np.angle(np.exp(1j * hour_angle)))).max() < 4.6


def test_angular_radii_over_a_year(year_hourly):
    radius = year_hourly.angular_radius_deg
    assert 0.261 <= radius["sun"].min() and radius["sun"].max() <= 0.272
    assert 0.85 <= radius["earth"].min() and radius["earth"].max() <= 1.03
    assert radius["moon"].min() == pytest.approx(1.40, abs=0.02)    # apolune
    assert radius["moon"].max() > 30                                  # near perilune
    for i, body in enumerate(BODIES):
        scaled = year_hourly.scaled[:, 4 * i: 4 * i + 4]
        true_size = np.degrees(np.arcsin(scaled[:, 0] / np.linalg.norm(scaled[:, 1:], axis=1)))
        np.testing.assert_allclose(true_size, radius[body], rtol=1e-9)


def eclipses(table, body, step_minutes):
    """Durations (min) and deepest hidden fraction of each eclipse by one body."""
    visible = sun_visible_fraction(directions(table, "sun"),
                                   np.radians(table.angular_radius_deg["sun"]),
                                   [(directions(table, body),
                                     np.radians(table.angular_radius_deg[body]))])
    hidden = np.r_[False, visible < 1.0, False].astype(int)
    starts, ends = np.flatnonzero(np.diff(hidden) == 1), np.flatnonzero(np.diff(hidden) == -1)
    return [((end - start) * step_minutes, 1 - visible[start:end].min())
            for start, end in zip(starts, ends)]


def test_eclipses_by_the_moon_are_several_a_year_and_short_by_the_earth_rare():
    table = generate(EphemerisRequest.from_text("2027-01-01", 365, "5min"))
    by_moon, by_earth = eclipses(table, "moon", 5), eclipses(table, "earth", 5)
    assert 4 <= len(by_moon) <= 30
    assert max(duration for duration, _ in by_moon) <= 75 + 5      # ± one 5-minute step
    assert sum(depth == 1.0 for _, depth in by_moon) >= 4           # total ones: the umbra
    assert len(by_earth) <= 3 and len(by_earth) < len(by_moon) / 3
    assert np.all((table.sun_visible_fraction >= 0) & (table.sun_visible_fraction <= 1))
    assert (table.sun_visible_fraction == 0).any()


def test_files_round_trip_through_the_loader_without_a_flagged_row(tmp_path, year_hourly):
    request = EphemerisRequest.from_text("2028-02-28T18:00", 3, "30min", 0.5)
    table, written = generate_files(request, tmp_path / "eph.csv", tmp_path / "eph_ext.csv")
    original, extended = (load_ephemeris(path) for path in written)
    assert len(original) == len(extended) == 144
    assert not original.bad_rows and not extended.bad_rows
    assert extended.day(3).epoch == "2028-02-28T19:30:00Z"
    assert extended.day(3).moon.position == original.day(3).moon.position
    np.testing.assert_allclose(extended.day(3).moon_rotation, table.moon_rotation[3], rtol=1e-9)
    # written under temporary names, then renamed: nothing else is left in the folder
    assert sorted(p.name for p in tmp_path.iterdir()) == ["eph.csv", "eph_ext.csv"]


@pytest.fixture(scope="module")
def default_script():
    spec = importlib.util.spec_from_file_location("make_default_ephemeris",
                                                  ROOT / "scripts" / "make_default_ephemeris.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    return script


def test_shipped_defaults_are_what_the_script_regenerates(default_script):
    # As numbers within the script's TOLERANCE, not as text: another CPU rounds numpy's
    # transcendental functions differently in the last bit (the comment at TOLERANCE says how much).
    for path, text in default_script.default_files().items():
        found = default_script.differences(path.read_text(encoding="utf-8"), text)
        assert found == [], f"{path.name} is stale: {found}"
    shipped = load_ephemeris(ROOT / "allo_addon" / "data" / "default_ephemeris.csv")
    assert len(shipped) == 365 and not shipped.bad_rows


def last_bits_noise(function, rng, ulps):
    """`function` with each result moved by up to `ulps` units in the last place, as a CPU whose
    vectorised libm rounds differently may give."""
    def noisy(*args, **kwargs):
        result = np.asarray(function(*args, **kwargs), dtype=float)
        return result + rng.integers(-ulps, ulps + 1, result.shape) * np.spacing(result)
    return noisy


def test_the_comparison_passes_cpu_rounding_and_catches_a_stale_row(default_script, monkeypatch):
    fresh = default_script.default_files()
    rng = np.random.default_rng(0)
    for name in ("sin", "cos", "tan", "arcsin", "arccos", "arctan2", "sqrt"):
        monkeypatch.setattr(np, name, last_bits_noise(getattr(np, name), rng, 4))
    rounded_elsewhere = default_script.default_files()
    monkeypatch.undo()
    for path, text in fresh.items():
        assert rounded_elsewhere[path] != text, "the noise should reach the printed digits"
        assert default_script.differences(text, rounded_elsewhere[path]) == [], path.name

    original = next(text for path, text in fresh.items() if path.name == "default_ephemeris.csv")
    rows = [line.split(",") for line in original.splitlines()]
    column = [abs(float(row[2])) for row in rows]     # moon_y: a position, in scene units
    def with_row_99(value):
        changed = [list(row) for row in rows]
        changed[99][2] = value
        return "\n".join(",".join(row) for row in changed) + "\n"
    moved = float(rows[99][2]) + 1e-6 * max(column)   # 10 x the tolerance, still < 1e-3 units
    assert default_script.differences(with_row_99(f"{moved:.12g}"), original) == [
        f"row 100, column 3: shipped {moved:.12g}, fresh {rows[99][2]}"]
    last_digit = float(rows[99][2]) * (1 + 2e-12)     # what another CPU prints
    assert f"{last_digit:.12g}" != rows[99][2]
    assert default_script.differences(with_row_99(f"{last_digit:.12g}"), original) == []
    assert default_script.differences(original.rsplit("\n", 2)[0] + "\n", original)  # a row short
    extended = next(text for path, text in fresh.items() if path.name != "default_ephemeris.csv")
    shifted = extended.replace("2027-03-01T00:00:00Z", "2027-03-01T00:00:01Z")
    assert default_script.differences(shifted, extended) == [
        "row 61, column 1: shipped 2027-03-01T00:00:01Z, fresh 2027-03-01T00:00:00Z"]


@pytest.mark.parametrize("start, days, step, phase, message", [
    ("2027-02-30", 1, "1d", 0, "is not a date"),
    ("2027-01-01", 1, "0h", 0, "longer than zero"),
    ("2027-01-01", 1, "-2h", 0, "longer than zero"),
    ("2027-01-01", 1, "2 weeks", 0, "not a duration"),
    ("2027-01-01", -1, "1d", 0, "expected a number > 0"),
    ("2027-01-01", 1, "1d", 1.2, "phase"),
    ("2050-12-01", 60, "1d", 0, "leaves the range"),
    ("1969-07-20", 1, "1h", 0, "leaves the range"),
])
def test_bad_requests_are_user_errors(start, days, step, phase, message):
    with pytest.raises(UserError, match=message):
        EphemerisRequest.from_text(start, days, step, phase)


def test_rows_follow_days_and_step():
    assert EphemerisRequest.from_text("2027-01-01", 365, "1h").rows == 8760
    assert EphemerisRequest.from_text("2027-01-01", 1, "30min").rows == 48
    request = EphemerisRequest.from_text("2027-01-01T23:00+02:00", 1, "12h")
    assert [e.isoformat() for e in request.epochs()] == ["2027-01-01T21:00:00+00:00",
                                                         "2027-01-02T09:00:00+00:00"]


@pytest.mark.parametrize("start, days, step", [
    ("2027-01-01", 365, "1h"), ("2027-03-01T06:30:00.25", 3, "7min"), ("2027-01-01", 30, "1d"),
    ("2027-01-01", 1, "1.3333min"), ("2027-01-01", 0.02, "1.0000001min")])
def test_epochs_are_start_plus_k_steps(start, days, step):
    # Whole-second steps are added row after row (#14 §5): the same datetimes as start + k·step.
    from datetime import timedelta
    request = EphemerisRequest.from_text(start, days, step)
    assert request.epochs() == [request.start + timedelta(seconds=k * request.step_seconds)
                                for k in range(request.rows)]


def test_command_line_writes_files_and_exits_2_on_bad_input(tmp_path, capsys):
    pytest.importorskip("allo_addon.headless.render")   # the dispatcher loads every command
    from allo_addon.headless import main
    out = tmp_path / "eph.csv"
    assert main(["ephemeris", "--start", "2027-01-01", "--days", "2", "--step", "6h",
                 "--out", str(out)]) == 0
    assert len(load_ephemeris(out).days) == 8
    assert main(["ephemeris", "--start", "2027-01-01", "--step=-1d", "--out", str(out)]) == 2
    assert "error: step '-1d' must be longer than zero" in capsys.readouterr().err
    assert main(["ephemeris", "--start", "2099-01-01", "--out", str(out)]) == 2
    assert main(["ephemeris", "--start", "2027-01-01"]) == 2
    assert "nothing to write" in capsys.readouterr().err


def test_csv_rows_print_numbers_as_numpy_savetxt_does():
    # The writer formats all rows in one call for speed; the files must read as before.
    import io
    from allo_addon.core.ephemeris.writer import NUMBER_FORMAT, _csv
    matrix = np.array([[1e-300, -0.0, 123456789012345.0, 1 / 3, -2.5e-7, 0.0],
                       [np.pi, -np.e, 1e22, 7.0, 0.1, 384400.0]])
    expected = io.StringIO()
    np.savetxt(expected, matrix, fmt=NUMBER_FORMAT, delimiter=",")
    assert _csv(matrix) == expected.getvalue()


@pytest.mark.parametrize("start, days, step", [
    ("2027-01-01", 365, "1h"), ("2027-03-01T06:30", 3, "7min"), ("2027-01-01", 1, "1.3333min"),
    ("2027-12-31T21:00+02:00", 3, "1d"), ("2027-01-01", 0.02, "1.0000001min")])
def test_epoch_strings_are_each_epochs_own_text(start, days, step):
    # Evenly spaced whole-microsecond steps are printed by numpy in one call (#14 §5); the text
    # must be each datetime's own, truncated to the second, for any step a user can type.
    table = generate(EphemerisRequest.from_text(start, days, step))
    assert table.epoch_strings() == [f"{moment:%Y-%m-%dT%H:%M:%S}Z" for moment in table.epochs]
