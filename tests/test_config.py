from pathlib import Path

import pytest

from allo_addon.core.config import Config, config_from_dict, load_config
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
    ({"scales": [0.5, 0]}, "key 'scales[1]' is 0, expected a number > 0"),
    ({"pose_jitter": {"min_station_share": 1.5}},
     "key 'pose_jitter.min_station_share' is 1.5, expected a share of the view from 0 to 1, or auto"),
    ({"pose_jitter": {"share": 0.1}}, "min_station_share: 0..1 or auto"),
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
