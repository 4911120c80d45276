"""The operator and the Euler convention, in real Blender (bpy wheel)."""

import numpy as np
import pytest

from allo_addon.core.ephemeris.generator import EphemerisRequest, generate
from allo_addon.core.ephemeris.orbit import frames
from allo_addon.core.ephemeris.orbit.timescales import julian_date_utc, tt_from_utc
from allo_addon.core.ephemeris.reader import load_ephemeris
from blender_addon import registered_addon

pytestmark = pytest.mark.blender


@pytest.fixture(scope="module")
def bpy():
    pytest.importorskip("bpy")
    with registered_addon() as bpy:
        yield bpy


def test_operator_writes_both_files(bpy, tmp_path):
    result = bpy.ops.allo.generate_ephemeris(
        start="2027-03-01", days=2, step="6h", phase=0.25,
        filepath=str(tmp_path / "eph.csv"), extended_filepath=str(tmp_path / "eph_ext.csv"))
    assert result == {"FINISHED"}
    extended = load_ephemeris(tmp_path / "eph_ext.csv")
    assert len(extended) == 8 and not extended.bad_rows
    assert extended.day(1).epoch == "2027-03-01T06:00:00Z"
    assert load_ephemeris(tmp_path / "eph.csv").day(7).sun == extended.day(7).sun


def test_operator_reports_a_bad_date(bpy, tmp_path):
    with pytest.raises(RuntimeError, match="start '2027-02-30' is not a date"):
        bpy.ops.allo.generate_ephemeris(start="2027-02-30", filepath=str(tmp_path / "x.csv"))
    assert not (tmp_path / "x.csv").exists()


def test_rotation_euler_orients_the_moon_as_the_iau_model(bpy):
    from mathutils import Euler
    table = generate(EphemerisRequest.from_text("2027-05-01", 20, "1d"))
    jd = tt_from_utc([julian_date_utc(epoch) for epoch in table.epochs])
    for euler, expected in zip(table.moon_rotation, frames.moon_orientation(jd)):
        blender = np.array(Euler(euler, "XYZ").to_matrix())
        np.testing.assert_allclose(blender, expected, atol=1e-6)
