from pathlib import Path

import pytest

from allo_addon.core.dataset.config import Config, config_from_dict, load_config
from allo_addon.core.errors import UserError


def test_defaults_reproduce_the_original(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("start_day: 1\n")
    config = load_config(path)
    assert config.resolution == (1920, 1080)
    assert config.samples == 256 and config.denoise is True
    assert config.device == "auto" and config.min_pixel == 2000
    assert config.default_sun_strength == 10 and config.lens_mm == 25
    assert config.pose_jitter.position == 1.0 and config.pose_jitter.rotation == 0.2
    assert config.pose_table == "builtin"   # no model folders: the built-in scene


def test_original_keys_and_relative_paths(tmp_path):
    (tmp_path / "cfg").mkdir()
    path = tmp_path / "cfg" / "render_config.yaml"
    path.write_text("""
start_day: 1
end_day: 5
day_interval: 2
sun_strength: [1, 5, 10]
depths: [0, -1, 1]
scales: [0.3, 0.5, 0.7]
colours: [red, Blue, purple]
cams: {start: 1, end: 3}
anomalies: [blanket, drill, cable]
min_pixel: 2000
ephemeris_path: eph.csv
cad_models_path: ../models
anomalies_path: /abs/anomalies
output_dir: out
""")
    config = load_config(path)
    assert config.days == [1, 3, 5]
    assert config.cams == (1, 2, 3)
    assert config.colours == ("red", "blue", "purple")
    assert config.ephemeris_path == tmp_path / "cfg" / "eph.csv"
    assert config.cad_models_path == tmp_path / "models"
    assert config.anomalies_path == Path("/abs/anomalies")
    assert config.pose_table == "original"  # the original's poses go with its ISS model


def test_cams_as_list():
    assert config_from_dict({"cams": [4, 2]}).cams == (4, 2)


@pytest.mark.parametrize("raw, expected", [
    ({"sun_strenght": [1]}, "unknown key 'sun_strenght' (did you mean 'sun_strength'?)"),
    ({"start_day": "one"}, "key 'start_day' is 'one', expected a whole number"),
    ({"end_day": 0, "start_day": 3}, "end_day (0) is before start_day (3)"),
    ({"anomalies": []}, "key 'anomalies' is [], expected a non-empty list of names"),
    ({"colours": ["red", "mauve"]}, "key 'colours[1]' is 'mauve', expected one of red"),
    ({"cams": {"start": 3}}, "key 'cams' is {'start': 3}"),
    ({"resolution": [1920]}, "expected [width, height]"),
    ({"device": "tpu"}, "expected one of auto, cpu, gpu"),
    ({"denoise": "yes"}, "key 'denoise' is 'yes', expected true or false"),
    ({"quality": "best"}, "key 'quality' is 'best', expected one of original, benchmark, draft"),
    ({"scales": [0.5, 0]}, "key 'scales[1]' is 0, expected a number > 0"),
    ({"pose_jitter": {"min_station_share": 1.5}},
     "key 'pose_jitter.min_station_share' is 1.5, expected a share of the view from 0 to 1, or auto"),
    ({"pose_jitter": {"share": 0.1}}, "min_station_share: 0..1 or auto"),
    # NaN, infinity and what Blender would clamp or overflow
    ({"sun_strength": [float("nan")]}, "key 'sun_strength[0]' is nan, expected a finite number"),
    ({"depths": [0, float("nan")]}, "key 'depths[1]' is nan, expected a finite number"),
    ({"lens_mm": float("inf")}, "key 'lens_mm' is inf, expected a finite number"),
    ({"lens_mm": 0}, "key 'lens_mm' is 0, expected a number ≥ 1 (Blender's shortest lens)"),
    ({"spot_power": 1e39}, "key 'spot_power' is 1e+39, expected a number of at most 3.4e+38"),
    ({"anomaly_distance": 0}, "key 'anomaly_distance' is 0, expected a number > 0"),
    ({"pose_jitter": {"rotation": float("nan")}}, "key 'pose_jitter.rotation' is nan"),
    ({"anomaly_params": {"drill": {"weight": float("inf")}}},
     "key 'anomaly_params.drill.weight' is inf, expected a finite number"),
    ({"resolution": [70000, 8]},
     "key 'resolution[0]' is 70000, expected a whole number from 8 to 65536"),
    ({"samples": 16777217}, "key 'samples' is 16777217, expected a whole number from 1 to 16777216"),
    ({"seed": 2**31}, "key 'seed' is 2147483648, expected a whole number from -2147483648 to "
                      "2147483647"),
    ({"cams": {"start": 0, "end": 2_000_000_000}}, "expected at most 10000 cameras"),
    ({"sun_strength": [1, 1.0000001]}, "1.0000001 and 1.0 both write '1' in file names"),
    ({"anomalies": ["blankett"]}, "unknown built-in kind(s) blankett (did you mean 'blanket'?)"),
    ({"station": "ISS.blend"}, "key 'station' is 'ISS.blend', but cad_models_path is not set"),
    ({"output_dir": "\ud800"}, "key 'output_dir' is '\\ud800', expected text without lone"),
])
def test_mistakes_name_the_key(raw, expected):
    with pytest.raises(UserError) as error:
        config_from_dict(raw, source=Path("my.yaml"))
    assert expected in str(error.value)
    assert "my.yaml" in str(error.value)


def test_bad_yaml_names_file_and_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("start_day: 1\ncams: [1, 2\n")
    with pytest.raises(UserError, match=r"bad.yaml: not valid YAML at line \d+"):
        load_config(path)


def test_missing_config_file(tmp_path):
    with pytest.raises(UserError, match="config file not found: .*nope.yaml"):
        load_config(tmp_path / "nope.yaml")


def test_yaml_is_loaded_safely(tmp_path):
    path = tmp_path / "evil.yaml"
    path.write_text("start_day: !!python/object/apply:os.system ['echo hi']\n")
    with pytest.raises(UserError, match="not valid YAML"):
        load_config(path)


def test_config_is_immutable():
    with pytest.raises(Exception):
        Config().samples = 3


def test_min_station_share_auto_follows_the_station(tmp_path):
    assert Config().min_station_share == 0.1                        # built-in, compact station
    assert config_from_dict({"cad_models_path": "cad"}, tmp_path).min_station_share == 0.0  # original
    explicit = config_from_dict({"pose_jitter": {"min_station_share": 0.3}})
    assert explicit.min_station_share == 0.3 and explicit.pose_jitter.position == 1.0
    assert config_from_dict({"pose_jitter": {"min_station_share": "auto"}}).pose_jitter == Config().pose_jitter


@pytest.mark.parametrize("text, expected", [
    ("samples: 4\nseed: 1\nsamples: 8\n", "key 'samples' is written twice, at line 1 and line 3"),
    ("pose_jitter:\n  position: 1\n  position: 2\n",
     "key 'pose_jitter.position' is written twice, at line 2 and line 3"),
    ("anomaly_params:\n  drill: {size: 1, size: 2}\n",
     "key 'anomaly_params.drill.size' is written twice, at line 2, column 11 and line 2, column 20"),
])
def test_a_key_written_twice_names_both_lines(tmp_path, text, expected):
    """YAML keeps the last of two equal keys without a word; the user meant one of them."""
    path = tmp_path / "c.yaml"
    path.write_text(text)
    with pytest.raises(UserError) as error:
        load_config(path)
    assert f"{path}: {expected}" in str(error.value)


def test_the_panels_anomaly_parameters_field_refuses_a_key_written_twice():
    from allo_addon.core.dataset.config import parse_yaml
    with pytest.raises(UserError, match="Anomaly Parameters: key 'drill' is written twice"):
        parse_yaml("{drill: {size: 1}, drill: {weight: 2}}", "Anomaly Parameters")
    assert parse_yaml("{a: &x {size: 1}, b: *x}", "Anomaly Parameters") == \
        {"a": {"size": 1}, "b": {"size": 1}}   # an alias is no repetition


def test_a_huge_nested_value_is_shown_short(tmp_path):
    """Nine levels of nine aliases are 9**9 numbers: the message shows a few of them."""
    lines = ["anomaly_params:", "  l0: &l0 [1, 2]"]
    lines += [f"  l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]" for n in range(1, 10)]
    path = tmp_path / "c.yaml"
    path.write_text("\n".join(lines + ["pose_jitter: {position: *l9}"]) + "\n")
    with pytest.raises(UserError) as error:
        load_config(path)
    assert "key 'pose_jitter.position' is [[" in str(error.value)
    assert len(str(error.value)) - len(str(path)) < 400   # not 9**9 numbers


def test_config_limits_are_not_files_to_wait_for(tmp_path):
    with pytest.raises(UserError, match="config file /dev/zero is not a regular file"):
        load_config("/dev/zero")
    big = tmp_path / "big.yaml"
    big.write_text("# padding\n" * 200_000)
    with pytest.raises(UserError, match="is larger than 1024 KiB"):
        load_config(big)


def test_quality_original_is_todays_defaults(tmp_path):
    assert config_from_dict({"quality": "original"}) == config_from_dict({})
    assert config_from_dict({}).quality == "original" == Config().quality


@pytest.mark.parametrize("name", ["benchmark", "draft"])
def test_quality_preset_fills_samples_and_denoise_unless_set(name):
    from allo_addon.core.dataset.quality import PRESETS
    preset = PRESETS[name]
    config = config_from_dict({"quality": name})
    assert (config.samples, config.denoise) == (preset.samples, preset.denoise)
    assert config.samples <= Config().samples         # never costs more than the original
    explicit = config_from_dict({"quality": name, "samples": 300, "denoise": False})
    assert (explicit.samples, explicit.denoise, explicit.quality) == (300, False, name)
