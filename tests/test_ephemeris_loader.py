"""The ephemeris loader: the original 12-column format and the extended one (docs/formats.md §1)."""

import math

import pytest

from allo_addon.core.ephemeris.extended import EXTENDED_COLUMNS
from allo_addon.core.ephemeris.reader import COLUMNS, load_ephemeris
from allo_addon.core.errors import UserError

GOOD = [12.2, 56.0, -194.6, 457.2, 18.9, 701.1, -3614.3, -1563.7, 31.1, 1771.9, 519.7, 768.2]


def row(values):
    return ",".join(repr(v) if isinstance(v, float) else str(v) for v in values)


def write(tmp_path, lines, name="eph.csv"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def with_value(column, value):
    values = list(GOOD)
    values[COLUMNS.index(column)] = value
    return row(values)


def test_good_rows_load_as_days_with_true_angular_sizes(tmp_path):
    ephemeris = load_ephemeris(write(tmp_path, [row(GOOD)] * 3))
    assert len(ephemeris) == 3 and sorted(ephemeris.days) == [0, 1, 2]
    day = ephemeris.day(2)
    assert day.moon.position == (56.0, -194.6, 457.2)
    assert day.sun.angular_radius_deg == pytest.approx(
        math.degrees(math.asin(18.9 / math.dist((0, 0, 0), (701.1, -3614.3, -1563.7)))))
    assert day.epoch is None and day.sun_visible_fraction == 1.0 and day.moon_rotation is None


@pytest.mark.parametrize("bad_line, reason", [
    (with_value("moon_x", "nan"), "moon_x is nan"),
    (with_value("sun_y", "-3.6e304"), "far outside"),
    (with_value("earth_z", "1e-310"), "denormal"),
    (with_value("earth_r", "0"), "expected a radius > 0"),
    (with_value("moon_r", "-5"), "expected a radius > 0"),
    (row(GOOD[:11]), "has 11 values, expected 12"),
    (row(GOOD + [1.0]), "has 13 values, expected 12"),
    (with_value("sun_r", "abc"), "not a number"),
])
def test_corrupt_rows_are_refused_by_row_number_and_other_days_stay(tmp_path, bad_line, reason):
    ephemeris = load_ephemeris(write(tmp_path, [row(GOOD), bad_line, row(GOOD)]))
    assert list(ephemeris.bad_rows) == [1] and reason in ephemeris.bad_rows[1]
    assert ephemeris.check_days([0, 1, 2]) == [1]
    assert ephemeris.day(2).earth.radius == 31.1
    with pytest.raises(UserError, match=r"row 1 \(day 1\) is corrupt"):
        ephemeris.day(1)


def test_a_corrupt_first_row_is_not_taken_for_a_header(tmp_path):
    ephemeris = load_ephemeris(write(tmp_path, [with_value("moon_r", "nan"), row(GOOD)]))
    assert list(ephemeris.bad_rows) == [0] and 1 in ephemeris.days


def test_day_outside_the_file_names_the_range(tmp_path):
    ephemeris = load_ephemeris(write(tmp_path, [row(GOOD)] * 2))
    with pytest.raises(UserError, match=r"day 5 is outside the ephemeris, which has 2 rows"):
        ephemeris.day(5)
    with pytest.raises(UserError, match="outside"):
        ephemeris.check_days([0, 7])


def test_empty_and_missing_files_are_user_errors(tmp_path):
    empty = write(tmp_path, ["# only a comment", ""])
    with pytest.raises(UserError, match="is empty"):
        load_ephemeris(empty)
    with pytest.raises(UserError, match="not found"):
        load_ephemeris(tmp_path / "nope.csv")


def extended_row(**changes):
    values = {name: 0.0 for name in EXTENDED_COLUMNS}
    values.update(zip(COLUMNS, GOOD))
    values.update(epoch_utc="2027-01-01T00:00:00Z", sun_visible_fraction=0.25,
                  moon_rot_x=0.1, moon_rot_y=-0.2, moon_rot_z=3.0, earth_rot_z=1.5)
    values.update(changes)
    return row(values[name] for name in EXTENDED_COLUMNS)


def test_extended_rows_fill_epoch_eclipse_and_rotations(tmp_path):
    header = ",".join(EXTENDED_COLUMNS)
    ephemeris = load_ephemeris(write(tmp_path, [header, extended_row(), extended_row()]))
    assert len(ephemeris) == 2 and not ephemeris.bad_rows
    day = ephemeris.day(1)
    assert day.epoch == "2027-01-01T00:00:00Z"
    assert day.sun_visible_fraction == 0.25
    assert day.moon_rotation == (0.1, -0.2, 3.0) and day.earth_rotation == (0.0, 0.0, 1.5)
    assert day.sun.position == (701.1, -3614.3, -1563.7)


@pytest.mark.parametrize("changes, reason", [
    (dict(moon_x="nan"), "moon_x is nan"),
    (dict(sun_visible_fraction=1.5), "expected a value in [0, 1]"),
    (dict(earth_rot_y="inf"), "earth rotation"),
    (dict(epoch_utc="yesterday"), "not an ISO 8601"),
    (dict(sun_r="x"), "sun_r is 'x', not a number"),
])
def test_extended_corrupt_rows_are_flagged(tmp_path, changes, reason):
    header = ",".join(EXTENDED_COLUMNS)
    ephemeris = load_ephemeris(write(tmp_path, [header, extended_row(), extended_row(**changes)]))
    assert list(ephemeris.bad_rows) == [1] and reason in ephemeris.bad_rows[1]
    assert 0 in ephemeris.days


def test_extended_header_without_required_columns_is_a_user_error(tmp_path):
    header = ",".join(name for name in EXTENDED_COLUMNS if name != "moon_rot_x")
    with pytest.raises(UserError, match="lacks the column.*moon_rot_x"):
        load_ephemeris(write(tmp_path, [header, "1,2,3"]))


def test_extended_row_with_wrong_cell_count_is_flagged(tmp_path):
    header = ",".join(EXTENDED_COLUMNS)
    ephemeris = load_ephemeris(write(tmp_path, [header, extended_row() + ",9"]))
    assert f"expected {len(EXTENDED_COLUMNS)}" in ephemeris.bad_rows[0]
