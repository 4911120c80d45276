"""The sensor model in real renders (bpy wheel, Cycles, 64x36 at 4 spp): deterministic noise,
masks that follow the lens distortion, and no change at all without a `sensor:` section."""

import hashlib
import json

import numpy as np
import pytest
from PIL import Image

pytestmark = pytest.mark.blender

TINY_SENSOR = {"start_day": 1, "end_day": 1, "cams": [1], "resolution": [64, 36], "samples": 4,
               "denoise": False, "sun_strength": [10], "min_pixel": 1}


@pytest.fixture(scope="module")
def bpy_ops():
    bpy = pytest.importorskip("bpy")
    from allo_addon.headless.blender_session import ensure_registered
    ensure_registered()
    return bpy.ops.allo


def render(ops, folder, exp_num=1, **keys):
    import yaml
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "render_config.yaml"
    config.write_text(yaml.safe_dump({**TINY_SENSOR, **keys}))
    assert ops.render_batch(config=str(config), exp_num=exp_num, anomaly=False,
                            modes=set(), seed=42) == {"FINISHED"}
    exp = folder / "renders" / f"exp_{exp_num}"
    (record,) = [json.loads(line) for line in (exp / "manifest.jsonl").read_text().splitlines()]
    return exp, record


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_same_seed_same_noisy_image(bpy_ops, tmp_path):
    exp_a, a = render(bpy_ops, tmp_path / "a", sensor="gateway_inspection")
    exp_b, b = render(bpy_ops, tmp_path / "b", sensor="gateway_inspection")
    exp_plain, plain = render(bpy_ops, tmp_path / "plain")
    assert digest(exp_a / a["image"]) == digest(exp_b / b["image"])
    assert digest(exp_a / a["masks"]["fb_mask"]) == digest(exp_b / b["masks"]["fb_mask"])
    # the sensor made this PNG, not Blender's view transform
    assert digest(exp_a / a["image"]) != digest(exp_plain / plain["image"])
    sensor = a["sensor"]
    assert sensor == b["sensor"] and "sensor" not in plain
    assert sensor["preset"] == "gateway_inspection" and sensor["full_well_e"] == 30000
    from dataclasses import fields
    from allo_addon.core.sensor.spec import SensorSpec
    assert {f.name for f in fields(SensorSpec)} <= set(sensor)   # every parameter recorded
    assert 1e-6 <= sensor["shutter_s_used"] <= 1.0 and sensor["shutter_s"] == "auto"
    image = np.asarray(Image.open(exp_a / a["image"]))
    assert image.shape == (36, 64, 3) and image.dtype == np.uint8 and image.max() > 0


def test_masks_follow_the_lens_distortion(bpy_ops, tmp_path):
    from allo_addon.core.sensor.model import distortion_remap, remap_nearest, tone
    # no glare: it would (rightly) scatter sunlit foil's light into the corners checked below
    straight = {"preset": "gateway_inspection", "distortion": [0], "glare_strength": 0}
    barrel = {**straight, "distortion": [-0.4, 0.1]}
    exp_s, s = render(bpy_ops, tmp_path / "straight", sensor=straight)
    exp_d, d = render(bpy_ops, tmp_path / "barrel", sensor=barrel)
    plain_mask = np.asarray(Image.open(exp_s / s["masks"]["fb_mask"]))
    bent_mask = np.asarray(Image.open(exp_d / d["masks"]["fb_mask"]))
    intrinsics = d["sensor"]["distortion_intrinsics"]
    remap = distortion_remap(64, 36, intrinsics["fx"], tuple(intrinsics["k1_k2_p1_p2_k3"]))
    assert not np.array_equal(plain_mask, bent_mask)      # the lens moved the station's outline
    assert np.array_equal(remap_nearest(plain_mask, remap), bent_mask)
    assert d["fb_pixels"] == int((bent_mask > 0).sum())
    # corners the barrel pulls in from outside the render: no light (only the sensor's own
    # read noise and dark current, under 6 sigma of them), no mask
    outside = ~remap.inside
    assert outside.any() and not bent_mask[outside].any()
    image = np.asarray(Image.open(exp_d / d["image"]))
    spec = d["sensor"]
    dark = spec["dark_current_e_s"] * spec["shutter_s_used"]
    noise_e = dark + 6 * (spec["read_noise_e"] ** 2 + dark) ** 0.5
    bound = tone(np.array(noise_e / spec["full_well_e"]), "srgb") * 255
    assert image[outside].max() <= bound < image[bent_mask > 0].max()


def test_sensor_none_is_todays_render(bpy_ops, tmp_path):
    """`sensor: none` is the render without the key: same bytes, same record, and the
    compositor holds only the index output (no radiance EXR is written)."""
    import bpy
    exp_a, a = render(bpy_ops, tmp_path / "absent")
    nodes = [n.bl_idname for n in _compositor(bpy).nodes]
    exp_b, b = render(bpy_ops, tmp_path / "none", sensor="none")
    assert digest(exp_a / a["image"]) == digest(exp_b / b["image"])
    assert sorted(nodes) == ["CompositorNodeOutputFile", "CompositorNodeRLayers"]
    assert {k: v for k, v in a.items() if k != "render_seconds"} == \
        {k: v for k, v in b.items() if k != "render_seconds"}


def _compositor(bpy):
    from allo_addon.scene import compat
    scene = bpy.data.scenes["ALLO"] if "ALLO" in bpy.data.scenes else bpy.context.scene
    return scene.compositing_node_group if compat.IS_5 else scene.node_tree
