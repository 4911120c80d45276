"""Per-kind anomaly parameters (anomaly_params:): validated with named keys, weights steer which
kind a camera-day draws, and size, colour and material reach the rendered anomaly."""

import json
from collections import Counter

import numpy as np
import pytest
from PIL import Image

from allo_addon.core.dataset.batch_request import DEFAULT_EPHEMERIS
from allo_addon.core.dataset.config import config_from_dict
from allo_addon.core.dataset.plan import make_plan
from allo_addon.core.dataset.poses import load_pose_table
from allo_addon.core.ephemeris.reader import load_ephemeris
from allo_addon.core.errors import UserError
from blender_addon import registered_addon


@pytest.mark.parametrize("params, expected", [
    ({"toaster": {"size": 1}}, "key 'anomaly_params' is 'toaster', expected a kind listed in anomalies"),
    ({"drill": {"sise": [0.3, 0.4]}}, "key 'anomaly_params.drill.sise' is [0.3, 0.4], expected one of "
                                      "the parameters size, colour, roughness, metallic, weight (did you mean 'size'?)"),
    ({"drill": {"size": [0.5, 0.2]}}, "key 'anomaly_params.drill.size' is [0.5, 0.2], expected [min, max]"),
    ({"drill": {"colour": [1, 0]}}, "key 'anomaly_params.drill.colour' is [1, 0], expected [r, g, b]"),
    ({"drill": {"roughness": 2}}, "key 'anomaly_params.drill.roughness' is 2, expected a number from 0 to 1"),
    ({"drill": {"weight": 0}}, "key 'anomaly_params.drill.weight' is 0, expected a number > 0"),
    ({"drill": "big"}, "key 'anomaly_params.drill' is 'big', expected a mapping"),
])
def test_mistakes_name_the_kind_and_parameter(params, expected):
    with pytest.raises(UserError) as error:
        config_from_dict({"anomalies": ["drill", "panel"], "anomaly_params": params})
    assert expected in str(error.value)


def test_weights_steer_the_kind_drawn_and_no_weights_keep_the_plain_draw():
    ephemeris, poses = load_ephemeris(DEFAULT_EPHEMERIS), load_pose_table("builtin")
    base = {"start_day": 0, "end_day": 59, "cams": [0, 1], "anomalies": ["drill", "panel", "cable"]}

    def kinds(**extra):
        plan = make_plan(config_from_dict({**base, **extra}), ephemeris, poses, anomaly=True, modes=set())
        return [job.anomaly for job in plan.jobs]
    plain = kinds()
    assert kinds(anomaly_params={"drill": {"size": [0.3, 0.4]}}) == plain   # equal weights: same draws
    weighted = Counter(kinds(anomaly_params={"drill": {"weight": 30}}))
    assert weighted["drill"] > 0.8 * 120 and Counter(plain)["drill"] < 0.5 * 120


@pytest.mark.blender
def test_size_and_colour_reach_the_render(write_config):
    with registered_addon() as bpy:
        config = write_config(start_day=1, end_day=1, cams=[0], anomalies=["panel"], min_pixel=5,
                              anomaly_distance=2.0, anomaly_box=0.2, samples=4,
                              anomaly_params={"panel": {"size": [0.5, 0.5], "colour": "red",
                                                        "metallic": 0.0, "roughness": 0.8}})
        assert bpy.ops.allo.render_batch(config=str(config), exp_num=1, anomaly=True,
                                         modes={"scale"}) == {"FINISHED"}
    exp = config.parent / "renders" / "exp_1"
    record = json.loads((exp / "manifest.jsonl").read_text().splitlines()[0])
    assert record["anomaly"]["size_m"] == pytest.approx(0.5 * record["anomaly"]["scale"], rel=1e-3)
    image = np.asarray(Image.open(exp / record["image"]).convert("RGB"), float)
    mask = np.asarray(Image.open(exp / record["masks"]["anomaly_mask"])) > 0
    red, green, blue = (image[..., c][mask].mean() for c in range(3))
    assert red > 1.6 * max(green, blue), (red, green, blue)   # the built-in panel is light grey


@pytest.mark.blender
def test_surface_kind_grows_across_the_hull_not_in_thickness():
    from allo_addon.scene.assembly import StationScene
    config = config_from_dict({"anomalies": ["frost"], "anomaly_params": {"frost": {"size": [1.5, 1.5]}}})
    stage = StationScene(config)
    frost = stage.add_anomaly("frost", seed=3, scale=1.0)
    assert max(frost.dimensions.x, frost.dimensions.y) == pytest.approx(1.5, rel=1e-4)
    assert frost.dimensions.z < 0.015
