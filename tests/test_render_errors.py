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
    """Not an image, not exp_<N>/, .partial/ or render.log: the output folder is not made."""
    assert not (config.parent / "renders").exists()


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
    assert_user_error(render(config, "--anomaly"), "anomalies_path", "models does not exist")
    nothing_written(config)


def test_missing_model(write_config, tmp_path):
    (tmp_path / "models").mkdir()
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
    assert_user_error(render(config), "output folder", "cannot be created", "blocker is a file")


def test_bad_shard_and_mode(write_config):
    config = write_config()
    assert_user_error(render(config, "--shard", "3/2"), "--shard is '3/2'")
    assert_user_error(render(config, "--mode", "glitter"), "unknown mode 'glitter'")


def test_numbers_out_of_range_are_refused_not_clamped(write_config):
    """Blender's properties clamp (-1 rendered into exp_0, 70000 pixels into 65536) or fail
    with a ValueError traceback past 32 bits; every one is refused by name before rendering."""
    config = write_config()
    assert_user_error(render(config, "--exp_num", -1), "--exp_num: -1 is outside 0 to 2147483647")
    assert_user_error(render(config, "--exp_num", 99999999999), "--exp_num: 99999999999")
    assert_user_error(render(config, "--seed", 99999999999), "--seed: 99999999999")
    nothing_written(config)
    config = write_config(resolution=[70000, 8])
    assert_user_error(render(config), "key 'resolution[0]' is 70000",
                      "from 8 to 65536 (Blender's largest image side)")
    nothing_written(config)


def test_a_negative_seed_is_the_seed(write_config):
    """-1 once meant "the config's seed", so --seed -5 was silently replaced by it."""
    config = write_config(seed=7)
    plans = {}
    for seed in ("-5", "7"):
        result = render(config, "--anomaly", "--seed", seed, "--dry-run")
        assert result.returncode == 0, result.stderr
        assert f"seed {seed}," in result.stdout
        plans[seed] = [l for l in result.stdout.splitlines() if "anomaly/" in l]
    assert plans["-5"] != plans["7"]


def test_non_finite_numbers_are_refused(write_config):
    for key, value, shown in (("sun_strength", [float("nan")], "sun_strength[0]' is nan"),
                              ("depths", [0, float("nan")], "depths[1]' is nan"),
                              ("lens_mm", float("inf"), "lens_mm' is inf")):
        config = write_config(**{key: value})
        assert_user_error(render(config, "--anomaly", "--mode", "illumination", "depth"),
                          shown, "expected a finite number")
        nothing_written(config)


def test_broken_model_files_fail_before_anything_is_written(write_config, tmp_path):
    """A garbage .obj or .glb was found only when the scene was built, after exp_1/.partial/
    and render.log had been made; and the glTF message ran onto a second line."""
    models = tmp_path / "models"
    models.mkdir()
    (models / "drill.glb").write_bytes(b"glTF garbage" * 10)
    config = write_config(anomalies_path="models", anomalies=["drill"])
    for extra in ((), ("--dry-run",)):
        result = render(config, "--anomaly", *extra)
        assert_user_error(result, "drill.glb: Blender could not import this file")
        assert len([l for l in result.stderr.splitlines() if "drill.glb" in l]) == 1
        nothing_written(config)
    (models / "drill.glb").unlink()
    (models / "drill.obj").write_text("this is not an OBJ file\n" * 10)
    for extra in ((), ("--dry-run",)):
        assert_user_error(render(config, "--anomaly", *extra), "drill.obj: holds no mesh")
        nothing_written(config)


def test_dry_run_checks_kinds_and_models(write_config):
    config = write_config(anomalies=["sparkle"])
    assert_user_error(render(config, "--anomaly", "--dry-run"), "unknown built-in kind(s) sparkle")
    config = write_config(anomalies=["dril"])
    assert_user_error(render(config, "--dry-run"), "(did you mean 'drill'?)")


def test_a_key_written_twice(tmp_path):
    config = tmp_path / "render_config.yaml"
    config.write_text("samples: 4\npose_jitter:\n  position: 1\n  position: 2\n")
    assert_user_error(render(config, "--dry-run"), "key 'pose_jitter.position' is written twice, "
                                                   "at line 3 and line 4")


def test_station_without_its_folder(write_config):
    config = write_config(station="ISS.blend")
    assert_user_error(render(config, "--dry-run"), "key 'station' is 'ISS.blend'",
                      "cad_models_path is not set")



def test_something_in_the_way_of_an_image(write_config, tmp_path):
    """A folder where an image goes (or a file where its folder goes) is named, not a traceback;
    no scratch image is left behind and the batch completes once the thing is moved away."""
    config = write_config(start_day=1, end_day=1, cams=[0], sun_strength=[2])
    assert render(config).returncode == 0
    exp = tmp_path / "renders" / "exp_1"
    [image] = (exp / "Camera0" / "normal").glob("*.png")
    image.unlink()
    image.mkdir()
    assert_user_error(render(config), image.name, "a folder is in the way")
    assert not list((exp / ".partial").rglob("*.png")), "a scratch image was left behind"
    image.rmdir()
    mask_folder = exp / "Camera0" / "fb_mask"
    for mask in mask_folder.iterdir():
        mask.unlink()
    mask_folder.rmdir()
    mask_folder.write_text("a file where a folder goes")
    assert_user_error(render(config), "fb_mask is a file where a folder is expected")
    mask_folder.unlink()
    result = render(config)
    assert result.returncode == 0, result.stderr
    assert image.is_file() and any(mask_folder.iterdir())
