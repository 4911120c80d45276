"""Every user mistake: one clear message naming the file/key/row, exit status 2, nothing written."""

import pytest

from conftest import run_cli

pytestmark = pytest.mark.blender

GOOD_ROW = "40,500,0,0,18.6,0,4000,0,33,0,0,2000"


def render(config, *extra):
    return run_cli("render", "--config", config, "--exp_num", 1, *extra)


def assert_user_error(result, *fragments):
    assert result.returncode == 2, result.stdout + result.stderr
    message = result.stderr.strip().splitlines()[-1]
    assert message.startswith("error: ")
    for fragment in fragments:
        assert fragment in message, message
    assert "Traceback" not in result.stderr
    said = message.removeprefix("error: ")
    assert (result.stdout + result.stderr).count(said) == 1   # said once, not echoed by Blender


def nothing_written(config):
    assert not list((config.parent / "renders").rglob("*.png"))


def test_bad_yaml(tmp_path):
    config = tmp_path / "render_config.yaml"
    config.write_text("start_day: [1\n")
    assert_user_error(render(config), "render_config.yaml: not valid YAML at line")


def test_unknown_key_suggests_the_right_one(write_config):
    config = write_config(anomalys=["drill"])
    assert_user_error(render(config), "unknown key 'anomalys'", "did you mean 'anomalies'?")
    nothing_written(config)


def test_wrong_type(write_config):
    config = write_config(samples="many")
    assert_user_error(render(config), "key 'samples' is 'many', expected a whole number")


def test_missing_ephemeris(write_config):
    config = write_config(ephemeris_path="nope.csv")
    assert_user_error(render(config), "ephemeris file not found", "nope.csv")


def test_missing_model_folder(write_config):
    config = write_config(anomalies_path="models")
    assert_user_error(render(config, "--anomaly"), "no model for 'blanket'", "blanket.blend, blanket.glb")
    nothing_written(config)


def test_missing_object_lists_what_the_file_has(write_config, tmp_path):
    import subprocess, sys
    blend = tmp_path / "models" / "drill.blend"
    blend.parent.mkdir()
    script = ("import bpy; bpy.ops.wm.read_factory_settings(use_empty=True); "
              "bpy.ops.mesh.primitive_cube_add(); bpy.context.object.name = 'Wrench'; "
              f"bpy.ops.wm.save_as_mainfile(filepath={str(blend)!r})")
    subprocess.run([sys.executable, "-c", script], check=True, capture_output=True)
    config = write_config(anomalies_path="models", anomalies=["drill"])
    assert_user_error(render(config, "--anomaly"), "no object named 'drill'",
                      "objects in this file: Wrench")
    nothing_written(config)


def test_unknown_builtin_anomaly(write_config):
    config = write_config(anomalies=["drill", "octopus"])
    assert_user_error(render(config, "--anomaly"), "unknown built-in kind(s) octopus",
                      "available: blanket")


def test_empty_anomaly_list(write_config):
    config = write_config(anomalies=[])
    assert_user_error(render(config, "--anomaly"), "key 'anomalies' is []")


def test_day_outside_the_ephemeris(write_config, tmp_path):
    (tmp_path / "eph.csv").write_text("\n".join([GOOD_ROW] * 3) + "\n")
    config = write_config(ephemeris_path="eph.csv", start_day=2, end_day=4)
    assert_user_error(render(config), "day 3, 4 is outside the ephemeris, which has 3 rows")


def test_corrupt_row_refuses_its_day_only(write_config, tmp_path):
    rows = [GOOD_ROW, "nan,500,0,0,18.6,0,4000,0,33,0,0,2000", GOOD_ROW]
    (tmp_path / "eph.csv").write_text("\n".join(rows) + "\n")
    config = write_config(ephemeris_path="eph.csv", start_day=1, end_day=1)
    assert_user_error(render(config), "every day from 1 to 1 is a corrupt row")
    config = write_config(ephemeris_path="eph.csv", start_day=0, end_day=2, cams=[0])
    result = render(config, "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "refused day 1: ephemeris row 1 is corrupt (moon_r is nan)" in result.stdout
    assert "Camera0/normal/0_normal_10.png" in result.stdout
    assert "Camera0/normal/2_normal_10.png" in result.stdout


def test_unwritable_output(write_config, tmp_path):
    (tmp_path / "blocker").write_text("a file where a folder should be")
    config = write_config(output_dir="blocker/renders")
    assert_user_error(render(config), "output folder", "is not writable")


def test_bad_shard_and_mode(write_config):
    config = write_config()
    assert_user_error(render(config, "--shard", "3/2"), "--shard is '3/2'")
    assert_user_error(render(config, "--mode", "glitter"), "unknown mode 'glitter'")
