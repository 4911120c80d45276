"""The ALLO sidebar's settings and operators in real Blender (the bpy wheel has no window, so
these drive the same operators the buttons call; scripts/e2e.sh clicks them in a real GUI)."""

import math
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from conftest import TINY, run_cli

bpy = pytest.importorskip("bpy")
pytestmark = pytest.mark.blender


@pytest.fixture(scope="module")
def ops():
    """The add-on registered for these tests, and unregistered after them unless it already was
    (other modules register single classes; the bpy module crashes at exit if left registered)."""
    import allo_addon
    already = hasattr(bpy.types.Scene, "allo")
    if not already:
        allo_addon.register()
    yield bpy.ops.allo
    if not already and hasattr(bpy.types.Scene, "allo"):
        allo_addon.unregister()


def settings():
    return bpy.context.scene.allo  # building the scene switches to "ALLO": always ask again


def allo_types():
    return sorted(name for name in dir(bpy.types) if name.startswith("ALLO_"))


def test_register_unregister_twice_leaves_nothing_behind(ops):
    import allo_addon
    from allo_addon import registration
    classes = registration._classes()
    names = {cls.__name__ for cls in classes}
    assert {"ALLO_PT_main", "ALLO_OT_preview_day"} <= names
    # add-on preferences only when Blender enables the package as an add-on (make e2e checks it)
    assert "ALLO_AP_preferences" not in names
    allo_addon.unregister()
    try:
        assert allo_types() == [] and not hasattr(bpy.types.Scene, "allo")
        for _ in range(2):
            allo_addon.register()
            assert all(cls.is_registered for cls in classes)
            assert set(allo_types()) <= names and "ALLO_PT_ephemeris" in allo_types()
            assert hasattr(bpy.types.Scene, "allo")
            allo_addon.unregister()
            assert not any(cls.is_registered for cls in classes)
            assert allo_types() == [] and not hasattr(bpy.types.Scene, "allo")
            assert list(dir(bpy.ops.allo)) == []
    finally:
        if not hasattr(bpy.types.Scene, "allo"):
            allo_addon.register()   # as the module fixture left it (unregistered at exit)


# A value for every settings property that is a render_config.yaml key, none the default.
CHANGED = {
    "quality": "draft",   # first: choosing a preset fills samples and denoise, set after it
    "sun_strength": "2.0, 7.5", "depths": "-0.5, 0.25", "scales": "0.4, 1.1",
    "colours": "green, white", "cams": "0, 4", "anomalies": "drill, panel",
    "start_day": 4, "end_day": 9, "day_interval": 2, "min_pixel": 123, "samples": 7,
    "denoise": False, "references": False, "protocol": "same-view", "device": "cpu", "seed": 5, "station": "Gateway.blend",
    "camera_poses": "original", "default_sun_strength": 3.5, "lens_mm": 35.0,
    "spot_power": 250.0, "anomaly_distance": 3.0, "anomaly_box": 0.7,
    "placement_attempts": 5, "resolution": (320, 180), "jitter_position": 0.5,
    "jitter_rotation": 0.05, "jitter_share_auto": False, "jitter_min_share": 0.25,
    "anomaly_params": "{drill: {size: [0.3, 0.4], weight: 2.0}}",
    "sensor": "{preset: cmv4000, shutter_s: 0.002}",
    "annotations": "depth, parts",
}


def test_every_setting_round_trips_through_render_config_yaml(ops, tmp_path):
    from allo_addon.core.dataset.config import Config, load_config
    from allo_addon.properties import CONFIG_PROPERTIES
    paths = {"ephemeris_path": tmp_path / "eph.csv", "cad_models_path": tmp_path / "cad",
             "anomalies_path": tmp_path / "anomalies", "output_dir": tmp_path / "out"}
    assert set(CHANGED) | set(paths) == set(CONFIG_PROPERTIES)
    s = settings()
    for key, value in {**CHANGED, **{k: str(v) for k, v in paths.items()}}.items():
        setattr(s, key, value)
    s.station_source = "FILE"
    before = {key: _plain(getattr(s, key)) for key in CONFIG_PROPERTIES}
    assert before != {key: _plain(getattr(Config(), key, None)) for key in CONFIG_PROPERTIES}
    exported = tmp_path / "render_config.yaml"
    assert ops.export_config(filepath=str(exported)) == {"FINISHED"}
    s.from_config(Config())   # forget everything, then read the file back
    assert s.sun_strength == "1.0, 5.0, 10.0" and s.station_source == "BUILTIN"
    assert ops.import_config(filepath=str(exported)) == {"FINISHED"}
    after = {key: _plain(getattr(s, key)) for key in CONFIG_PROPERTIES}
    assert after == before and s.station_source == "FILE"
    loaded = load_config(exported)
    assert replace(loaded, source=None) == s.to_config()
    assert loaded.sun_strength == (2.0, 7.5) and loaded.pose_jitter.rotation == 0.05
    assert loaded.pose_jitter.min_station_share == 0.25
    assert loaded.params_for("drill").size == (0.3, 0.4) and loaded.params_for("drill").weight == 2
    assert loaded.cad_models_path == tmp_path / "cad" and loaded.resolution == (320, 180)
    assert loaded.sensor.preset == "cmv4000" and loaded.sensor.shutter_s == 0.002
    s.from_config(Config())


def _plain(value):
    return tuple(value) if hasattr(value, "__len__") and not isinstance(value, str) else value


def test_choosing_a_quality_preset_fills_samples_and_denoise(ops):
    from allo_addon.core.dataset.quality import PRESETS
    s = settings()
    before = (s.quality, s.samples, s.denoise)
    try:
        for name, preset in PRESETS.items():
            s.quality = next(other for other in PRESETS if other != name)
            s.samples, s.denoise = 3, not preset.denoise
            s.quality = name
            assert (s.samples, s.denoise) == (preset.samples, preset.denoise), name
            assert (s.to_config().quality, s.to_config().samples) == (name, preset.samples)
        s.samples = 9                                 # a value typed after the preset wins
        assert s.to_config().samples == 9
    finally:
        s.quality, s.samples, s.denoise = before


def test_bad_settings_are_reported_as_the_command_line_words_them(ops, tmp_path):
    s = settings()
    s.sun_strength = "1, bright"
    try:
        with pytest.raises(RuntimeError, match=r"sun_strength\[1\]' is 'bright', expected a number"):
            ops.export_config(filepath=str(tmp_path / "bad.yaml"))
    finally:
        s.sun_strength = "1.0, 5.0, 10.0"
    assert not (tmp_path / "bad.yaml").exists()


def test_preview_day_places_bodies_and_sun_as_the_ephemeris_row_says(ops):
    from mathutils import Vector
    from allo_addon.core.ephemeris.bodies import BODIES
    from allo_addon.core.ephemeris.reader import load_ephemeris
    from allo_addon.scene import preview
    s = settings()
    s.ephemeris_path = str(Path(preview.DEFAULT_EPHEMERIS).with_name(
        "default_ephemeris_extended.csv"))
    assert not ops.preview_day.poll()                # nothing loaded: the button is greyed out
    assert ops.load_ephemeris() == {"FINISHED"}
    assert ops.build_scene() == {"FINISHED"}
    s = settings()
    s.preview_day = 17
    assert ops.preview_day() == {"FINISHED"}
    row = load_ephemeris(preview.ephemeris_file(s)).day(17)
    stage = preview.stage()
    for name in BODIES:
        body, obj = row.body(name), stage.bodies[name]
        assert tuple(obj.location) == pytest.approx(body.position, rel=1e-6)
        assert tuple(obj.scale) == pytest.approx((body.radius,) * 3, rel=1e-6)
    assert tuple(stage.bodies["moon"].rotation_euler) == pytest.approx(row.moon_rotation, abs=1e-6)
    toward_station = -Vector(row.sun.position).normalized()
    assert preview.sun_direction(stage).angle(toward_station) < 1e-5
    assert stage.sun_energy == pytest.approx(s.default_sun_strength * row.sun_visible_fraction)
    s.preview_day = 40                                # the slider previews live
    moved = load_ephemeris(preview.ephemeris_file(s)).day(40)
    assert tuple(stage.bodies["earth"].location) == pytest.approx(moved.earth.position, rel=1e-6)
    s.camera_split, s.camera_index = "test", 2
    assert ops.look_through() == {"FINISHED"}
    pose = preview.camera_pose(s)
    assert stage.scene.camera == stage.camera
    assert tuple(stage.camera.location) == pytest.approx(pose.location, abs=1e-5)
    assert not math.isclose(pose.location[0], 0.0)
    bpy.data.objects.remove(stage.sun_lamp)           # gone (undo, a file opened, a user):
    assert preview.stage() is None                    # never a dangling reference
    assert ops.preview_day() == {"FINISHED"}          # built again on demand
    assert preview.stage().sun_lamp.name == "ALLO Sun"
    s.ephemeris_path = ""


def test_panel_render_writes_what_the_command_line_writes(ops, tmp_path):
    from allo_addon.core.dataset.config import load_config
    from test_render_batch import assert_same_render, files, records, stable
    tiny = {**TINY, "end_day": 1, "cams": [1], "resolution": [96, 54], "sun_strength": [3, 9]}
    cli_dir, gui_dir = tmp_path / "cli", tmp_path / "gui"
    cli_dir.mkdir()
    (cli_dir / "render_config.yaml").write_text(yaml.safe_dump(tiny))
    proc = run_cli("render", "--config", cli_dir / "render_config.yaml", "--exp_num", 2,
                   "--anomaly", "--mode", "illumination", "--seed", 42)
    assert proc.returncode == 0, proc.stderr
    s = settings()
    s.from_config(load_config(cli_dir / "render_config.yaml"))
    s.output_dir = str(gui_dir)
    s.use_illumination, s.use_depth, s.use_scale, s.use_colour = True, False, False, False
    assert ops.render_batch(from_scene=True, anomaly=True, exp_num=2,
                            modes=s.modes) == {"FINISHED"}
    cli_exp, gui_exp = cli_dir / "renders" / "exp_2", gui_dir / "exp_2"
    assert files(gui_exp) == files(cli_exp) and len(files(cli_exp)) >= 2
    for name in files(cli_exp):
        assert_same_render(cli_exp / name, gui_exp / name, name)
    assert [stable(r) for r in records(gui_exp)] == [stable(r) for r in records(cli_exp)]
    assert not list((gui_exp / ".partial").glob("run-*"))
    s.output_dir = ""
    with pytest.raises(RuntimeError, match="set an output folder"):
        ops.render_batch(from_scene=True, anomaly=True, exp_num=3)
