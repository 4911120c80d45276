"""The Python API as a script uses it (docs/api.md): a real render, a plan without rendering,
user mistakes as typed exceptions, and the operators' error hand-over to the headless CLI."""

import logging

import pytest

from conftest import run_cli

from allo_addon import api
from allo_addon.core import logs

# one camera-day at a tiny size: a fraction of a second of real Cycles
TINY = {"start_day": 1, "end_day": 1, "cams": [0], "resolution": [64, 36], "samples": 4,
        "denoise": False, "min_pixel": 10, "output_dir": "renders"}


def test_generate_ephemeris_writes_the_rows_asked_for(tmp_path):
    result = api.generate_ephemeris(api.EphemerisRequest(
        start="2027-01-01", days=3, step="1d", out=tmp_path / "eph.csv"))
    assert result.written == [tmp_path / "eph.csv"]
    rows = (tmp_path / "eph.csv").read_text().splitlines()
    assert len(rows) == len(result.table) == 3 and all(len(r.split(",")) == 12 for r in rows)


def test_a_bad_ephemeris_step_is_a_user_error_naming_it(tmp_path):
    with pytest.raises(api.UserError, match="step '10x' is not a duration"):
        api.generate_ephemeris(api.EphemerisRequest(start="2027-01-01", step="10x",
                                                    out=tmp_path / "eph.csv"))
    assert not list(tmp_path.iterdir())


def test_a_request_field_of_the_wrong_kind_is_named():
    with pytest.raises(api.RequestError) as raised:
        api.RenderRequest(config=42, exp_num=1).batch_request()
    assert raised.value.field == "config" and isinstance(raised.value, api.UserError)
    assert "RenderRequest.config is a int" in str(raised.value)


@pytest.mark.blender
def test_render_batch_renders_and_logs_through_the_allo_loggers(tmp_path, caplog):
    pytest.importorskip("bpy")
    handlers = list(logs.BATCH.handlers)
    with caplog.at_level(logging.INFO, logger="allo"):
        result = api.render_batch(api.RenderRequest(config=TINY, base_dir=tmp_path, exp_num=1))
    exp = tmp_path / "renders" / "exp_1"
    assert result.exp_dir == exp and result.summary.rendered == 1
    assert len(list(exp.glob("Camera0/normal/*.png"))) == 1
    said = [r.getMessage() for r in caplog.records if r.name == "allo.batch"]
    log = (exp / "render.log").read_text(encoding="utf-8").splitlines()
    assert said == log and any(line.startswith("done: 1 images rendered") for line in log)
    assert logs.BATCH.handlers == handlers   # render.log's handler closed and removed


@pytest.mark.blender
def test_plan_checks_and_plans_without_rendering(tmp_path):
    pytest.importorskip("bpy")
    config = {**TINY, "cams": [0, 1], "sun_strength": [2, 10]}
    planned = api.plan(api.RenderRequest(config=config, base_dir=tmp_path, exp_num=3,
                                         modes="illumination"))
    jobs = planned.batch.plan.jobs
    assert planned.image_count == sum(len(job.renders) for job in jobs)
    assert {job.camera.name for job in jobs} == {"Camera0", "Camera1"}
    assert f"total: {planned.image_count} images" in planned.describe()
    assert planned.exp_dir == tmp_path / "renders" / "exp_3" and not list(tmp_path.iterdir())


@pytest.mark.blender
def test_a_bad_config_value_is_a_user_error_naming_the_key(tmp_path):
    pytest.importorskip("bpy")
    with pytest.raises(api.UserError) as raised:
        api.plan(api.RenderRequest(config={**TINY, "samples": 0}, base_dir=tmp_path, exp_num=1))
    assert "samples" in str(raised.value)
    with pytest.raises(api.UserError, match="unknown key 'anomalys'"):
        api.render_batch(api.RenderRequest(config={**TINY, "anomalys": ["drill"]},
                                           base_dir=tmp_path, exp_num=1))
    assert not list(tmp_path.iterdir())   # nothing written before the error


@pytest.mark.blender
def test_the_dry_run_prints_what_plan_describes(tmp_path, write_config):
    pytest.importorskip("bpy")
    config = write_config(**{**TINY, "cams": [1]})
    done = run_cli("render", "--config", config, "--exp_num", 2, "--dry-run")
    assert done.returncode == 0, done.stderr
    planned = api.plan(api.RenderRequest(config=config, exp_num=2))
    assert planned.describe() in done.stdout


@pytest.mark.blender
def test_operator_errors_reach_a_script_and_the_cli_as_values(tmp_path):
    """A script's bpy.ops call gets the report as its RuntimeError (Blender's contract); the
    headless driver gets the same message as a UserError from the runtime error slot, and the
    slot is empty again afterwards."""
    pytest.importorskip("bpy")
    from allo_addon import runtime
    from allo_addon.headless.blender_session import call_operator, ensure_registered
    bpy = ensure_registered()
    missing = tmp_path / "missing.yaml"
    with pytest.raises(RuntimeError, match="config file not found"):
        bpy.ops.allo.render_batch(config=str(missing), exp_num=1)
    with pytest.raises(api.UserError) as raised:
        call_operator(bpy.ops.allo.render_batch, config=str(missing), exp_num=1)
    assert str(raised.value) == f"config file not found: {missing}"
    state = runtime.get()
    assert (state.error, state.collect_errors) == ("", False)


@pytest.mark.blender
def test_the_timeline_holds_still_while_the_runtime_says_a_batch_renders():
    """The modal batch's progress lives in WindowManager.allo_runtime: while it says a batch
    renders, moving the frame does not move the previewed day (scene/timeline.py)."""
    pytest.importorskip("bpy")
    from allo_addon import runtime
    from allo_addon.headless.blender_session import ensure_registered
    bpy = ensure_registered()
    from allo_addon.scene import preview
    scene, state = bpy.context.scene, runtime.get()
    assert bpy.ops.allo.load_ephemeris() == {"FINISHED"}
    settings = scene.allo
    start, offset = settings.preview_day, settings.day_frame_offset
    try:
        state.rendering = True
        scene.frame_set(start + 3 + offset)
        assert settings.preview_day == start   # a batch is rendering: the day stays
        state.rendering = False
        scene.frame_set(start + 4 + offset)
        assert settings.preview_day == start + 4
    finally:
        state.rendering = False
        preview.session.ephemeris = None   # later tests start with nothing loaded (polls)
