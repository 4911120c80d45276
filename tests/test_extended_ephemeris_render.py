"""A config pointing at the generator's extended CSV: epoch in the manifest, the sun dimmed by
the visible fraction of its disc, Moon and Earth turned as the file says."""

import csv
import json

import pytest

from conftest import run_cli

pytestmark = pytest.mark.blender

EXTENDED = __import__("pathlib").Path(__file__).resolve().parent.parent / \
    "allo_addon" / "data" / "default_ephemeris_extended.csv"


def test_extended_ephemeris_drives_the_scene(write_config, tmp_path):
    rows = list(csv.DictReader(EXTENDED.open()))[:3]
    rows[1]["sun_visible_fraction"] = "0.25"          # day 1 in a partial eclipse
    path = tmp_path / "eph_ext.csv"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    config = write_config(ephemeris_path="eph_ext.csv", start_day=1, end_day=1, cams=[0],
                          sun_strength=[8])
    result = run_cli("render", "--config", config, "--exp_num", 1, "--mode", "illumination")
    assert result.returncode == 0, result.stdout + result.stderr
    record = json.loads((tmp_path / "renders" / "exp_1" / "manifest.jsonl").read_text())
    assert record["epoch"] == rows[1]["epoch_utc"]
    assert record["sun_visible_fraction"] == 0.25
    assert record["sun_strength"] == 8 and record["sun_lamp_energy"] == pytest.approx(2.0)
    assert record["bodies"]["moon"]["radius"] == pytest.approx(float(rows[1]["moon_r"]))


def test_preview_of_rotation_matches_the_file(write_config, tmp_path):
    pytest.importorskip("bpy")
    from allo_addon.core.dataset.config import config_from_dict
    from allo_addon.core.ephemeris.reader import load_ephemeris
    from allo_addon.scene.assembly import StationScene
    day = load_ephemeris(EXTENDED).day(5)
    stage = StationScene(config_from_dict({}))
    stage.apply_day(day)
    moon = stage.bodies["moon"]
    assert tuple(moon.rotation_euler) == pytest.approx(day.moon_rotation, abs=1e-6)
    assert tuple(moon.location) == pytest.approx(day.moon.position, rel=1e-6)
    assert moon.scale[0] == pytest.approx(day.moon.radius, rel=1e-6)
    sun_dir = stage.sun_lamp.rotation_euler.to_matrix().col[2]   # a sun lamp shines along -Z
    from mathutils import Vector
    assert sun_dir.normalized().dot(Vector(day.sun.position).normalized()) == pytest.approx(1, abs=1e-6)
