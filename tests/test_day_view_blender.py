"""The day view in real Blender: direction markers, the timeline handler, View from Station
and Quick Render (the bpy wheel has no window: scripts/e2e.sh clicks the same buttons)."""

import tempfile
from pathlib import Path

import pytest

from blender_addon import registered_addon
from conftest import TINY

bpy = pytest.importorskip("bpy")
from mathutils import Vector  # noqa: E402  (Blender's, after bpy)

pytestmark = pytest.mark.blender

EXTENDED = "default_ephemeris_extended.csv"


@pytest.fixture(scope="module")
def ops():
    with registered_addon():
        yield bpy.ops.allo


@pytest.fixture
def loaded(ops, tmp_path):
    """The panel with the extended default ephemeris loaded and the scene built (tiny)."""
    from allo_addon.core.dataset.config import config_from_dict
    from allo_addon.scene import preview
    s = bpy.context.scene.allo
    tiny = {**TINY, "end_day": 1, "cams": [1], "sun_strength": [3.0]}
    s.from_config(config_from_dict(tiny, base_dir=tmp_path))
    s.output_dir = str(tmp_path / "out")
    s.use_illumination = s.use_depth = s.use_scale = s.use_colour = False
    s.ephemeris_path = str(Path(preview.DEFAULT_EPHEMERIS).with_name(EXTENDED))
    assert ops.load_ephemeris() == {"FINISHED"}
    assert ops.build_scene() == {"FINISHED"}
    s = bpy.context.scene.allo   # the built scene's settings (a copy)
    s.day_frame_offset = 0
    yield s
    s.ephemeris_path = ""
    preview.session.ephemeris = None   # later modules start with nothing loaded (their poll)


def settings():
    return bpy.context.scene.allo


def row(s, day):
    from allo_addon.core.ephemeris.reader import load_ephemeris
    from allo_addon.scene import preview
    return load_ephemeris(preview.ephemeris_file(s)).day(day)


def test_markers_point_at_the_bodies_and_never_render(ops, loaded):
    from allo_addon.core.ephemeris.bodies import BODIES
    from allo_addon.core.views.day_view import marker_label
    from allo_addon.scene import day_view, preview
    loaded.preview_day = 17
    assert ops.preview_day() == {"FINISHED"}
    geometry, stage = row(loaded, 17), preview.stage()
    markers = {obj["allo_marker"]: obj for obj in day_view.marker_objects(stage.scene)}
    assert sorted(markers) == sorted([f"{b} {r}" for b in BODIES for r in ("arrow", "label")]
                                     + ["lamp arrow"])
    _, radius = day_view.station_sphere(stage)
    for name in BODIES:
        toward = Vector(geometry.body(name).position).normalized()
        arrow, label = markers[f"{name} arrow"], markers[f"{name} label"]
        pointing = arrow.matrix_world.to_3x3() @ Vector((0, 0, 1))     # the arrow's +Z
        assert pointing.angle(toward) < 1e-5
        assert arrow.location.normalized().angle(toward) < 1e-5
        assert label.location.normalized().angle(toward) < 1e-5
        assert 0.5 * radius < arrow.location.length < label.location.length < 2 * radius
        assert label.data.body == marker_label(name, geometry) and label.type == "FONT"
    collection = bpy.data.collections[day_view.MARKERS]
    assert collection.hide_render and all(obj.hide_render for obj in collection.objects)
    assert collection.name in stage.scene.collection.children
    # the sun lamp stands beside the Sun's arrow and still lights from the Sun
    sun = Vector(geometry.sun.position).normalized()
    assert stage.sun_lamp.location.normalized().angle(sun) < 1e-5
    assert preview.sun_direction(stage).angle(-sun) < 1e-5
    lamp = markers["lamp arrow"].matrix_world.to_3x3() @ Vector((0, 0, 1))
    assert lamp.angle(preview.sun_direction(stage)) < 1e-5     # the light the lamp casts
    loaded.preview_day = 40                       # a new day moves the same objects
    assert markers["earth arrow"].location.normalized().angle(
        Vector(row(loaded, 40).earth.position).normalized()) < 1e-5
    assert markers["earth label"].data.body == marker_label("earth", row(loaded, 40))
    assert len(day_view.marker_objects(stage.scene)) == 7


def test_timeline_frames_are_days_and_move_bodies_and_sun(ops, loaded):
    from allo_addon.scene import preview
    scene = bpy.context.scene
    loaded.day_frame_offset = 10
    loaded.preview_day = 5
    assert scene.frame_current == 15               # the slider moves the frame
    assert ops.timeline_days() == {"FINISHED"}
    assert (scene.frame_start, scene.frame_end) == (10, 10 + 365 - 1)
    scene.frame_set(10 + 42)                       # scrubbing: frame -> day
    assert loaded.preview_day == 42 and scene.frame_current == 52
    stage, geometry = preview.stage(), row(loaded, 42)
    assert tuple(stage.bodies["earth"].location) == pytest.approx(geometry.earth.position,
                                                                  rel=1e-6)
    assert preview.sun_direction(stage).angle(-Vector(geometry.sun.position)) < 1e-5
    assert stage.sun_energy == pytest.approx(loaded.default_sun_strength
                                             * geometry.sun_visible_fraction)
    scene.frame_set(10 + 5000)                     # no row there: the day stays
    assert loaded.preview_day == 42
    scene.frame_set(3)                             # before day 0: the day stays
    assert loaded.preview_day == 42
    loaded.day_frame_offset = 0                    # a new offset: the frame follows the day
    assert scene.frame_current == 42


def test_a_batch_after_scrubbing_renders_what_it_renders_without(ops, loaded, tmp_path):
    from test_render_batch import assert_same_render, files, records, stable
    scene = bpy.context.scene
    loaded.preview_day = 1
    assert ops.render_batch(from_scene=True, anomaly=False, exp_num=1) == {"FINISHED"}
    loaded.preview_day = 1
    scene.frame_set(60)                            # scrubbed to day 60 …
    scene = bpy.context.scene
    scene.frame_current = 25                       # … and a frame out of step with the day
    assert settings().preview_day == 60
    assert ops.render_batch(from_scene=True, anomaly=False, exp_num=2) == {"FINISHED"}
    first, second = Path(loaded.output_dir) / "exp_1", Path(loaded.output_dir) / "exp_2"
    assert files(first) == files(second) and files(first)
    for name in files(first):
        assert_same_render(first / name, second / name, name)
    drop = ("render_seconds", "exp_num")
    assert [{k: v for k, v in stable(r).items() if k not in drop} for r in records(first)] == \
        [{k: v for k, v in stable(r).items() if k not in drop} for r in records(second)]
    assert day_view_objects_in(scene) == []        # a batch's scene has no markers


def day_view_objects_in(scene):
    return [obj.name for obj in scene.collection.all_objects if "allo_marker" in obj]


def test_view_from_station_shows_a_body_at_its_true_apparent_size(ops, loaded):
    from allo_addon.core.views.day_view import field_of_view_deg
    from allo_addon.scene import preview
    loaded.preview_day = 17
    for name in ("earth", "moon", "sun"):
        loaded.station_view_body = name
        assert ops.view_from_station() == {"FINISHED"}
        camera, body = bpy.context.scene.camera, row(loaded, 17).body(name)
        assert camera.name == "ALLO Station View" and tuple(camera.location) == (0, 0, 0)
        look = camera.matrix_world.to_3x3() @ Vector((0, 0, -1))
        assert look.angle(Vector(body.position)) < 1e-5
        assert field_of_view_deg(camera.data.lens) == pytest.approx(
            3 * 2 * body.angular_radius_deg, rel=1e-6)
        assert camera.data.clip_start < body.distance - body.radius < camera.data.clip_end
        # the station's own hull is clipped away: nothing of it lies beyond clip_start
        stage = preview.stage()
        assert all((o.matrix_world @ Vector(c)).length < camera.data.clip_start
                   for o in stage.station for c in o.bound_box)


def test_quick_render_makes_images_in_memory_and_writes_no_output(ops, loaded, tmp_path):
    import numpy as np
    from allo_addon.scene import quick_render
    scratch_before = set(Path(tempfile.gettempdir()).glob("allo-quick-*"))
    loaded.preview_day, loaded.camera_index = 1, 1
    loaded.resolution = (1280, 720)               # rendered at 240 × 135
    loaded.samples = 4
    loaded.quick_anomaly, loaded.min_pixel = True, 500
    assert ops.quick_render() == {"FINISHED"}
    image, masked = bpy.data.images[quick_render.IMAGE], bpy.data.images[quick_render.OVERLAY]
    assert tuple(image.size) == tuple(masked.size) == (240, 135)
    pixels = np.empty(240 * 135 * 4, np.float32)
    image.pixels.foreach_get(pixels)
    overlay = np.empty_like(pixels)
    masked.pixels.foreach_get(overlay)
    assert pixels.reshape(-1, 4)[:, :3].max() > 0.2              # the station is lit
    tinted = np.abs(overlay - pixels).reshape(-1, 4)[:, :3].max(axis=1) > 1e-3
    assert 0 < tinted.mean() < 1                                # masks tint part of it
    assert not Path(loaded.output_dir).exists()                 # no exp folder, no manifest
    assert set(Path(tempfile.gettempdir()).glob("allo-quick-*")) == scratch_before
    from allo_addon.scene import day_view, preview
    assert len(day_view.marker_objects(preview.stage().scene)) == 7   # the preview is back


def test_the_frame_handler_comes_and_goes_with_the_addon(ops):
    import allo_addon
    from allo_addon.scene import timeline
    handlers = bpy.app.handlers.frame_change_post
    assert handlers.count(timeline.on_frame_change) == 1
    allo_addon.unregister()
    try:
        assert timeline.on_frame_change not in handlers
    finally:
        allo_addon.register()
    assert handlers.count(timeline.on_frame_change) == 1


def test_quick_render_of_a_day_outside_the_ephemeris_says_so_and_writes_nothing(ops, loaded):
    loaded.preview_day = 400                      # the file has days 0–364
    with pytest.raises(RuntimeError, match=r"day 400 is outside the ephemeris, which has 365 "):
        ops.quick_render()
    assert not Path(loaded.output_dir).exists()
