"""Real Blender, real Cycles: the anomaly-free twin (reference) of an anomalous batch's images.

A twin is rendered in the anomalous images' own job with the anomaly hidden, so everything but
the anomaly is the same: pose (jitter and redraws), bodies, sun, the lighting's value and its
Cycles seed. Sharding, resuming and re-running with twins are covered in test_render_batch.py
(twins are on by default, so those tests compare them file by file).
"""

import json

import numpy as np
import pytest
import yaml
from PIL import Image

from conftest import TINY, run_cli

pytestmark = pytest.mark.blender

SAMPLES = 16
DILATION_PX = 3


@pytest.fixture(scope="module")
def twins(tmp_path_factory):
    bpy = pytest.importorskip("bpy")
    from allo_addon.headless.blender_session import ensure_registered
    ensure_registered()
    folder = tmp_path_factory.mktemp("twins")
    config = folder / "render_config.yaml"
    config.write_text(yaml.safe_dump({**TINY, "end_day": 1, "resolution": [160, 90],
                                      "samples": SAMPLES, "depths": [0, 1]}))
    assert bpy.ops.allo.render_batch(config=str(config), exp_num=2, anomaly=True,
                                     modes={"illumination", "depth"}, seed=42) == {"FINISHED"}
    exp = folder / "renders" / "exp_2"
    lines = (exp / "manifest.jsonl").read_text().splitlines()
    return config, exp, [json.loads(line) for line in lines]


def load(path):
    return np.asarray(Image.open(path)).astype(np.int16)


def dilated(mask, pixels):
    """mask grown by `pixels` in every direction (a square structuring element)."""
    out = mask.copy()
    for dy in range(-pixels, pixels + 1):
        for dx in range(-pixels, pixels + 1):
            out |= np.roll(np.roll(mask, dy, axis=0), dx, axis=1)
    return out


def test_twins_are_written_recorded_and_linked_by_default(twins):
    _, exp, records = twins
    by_image = {r["image"]: r for r in records}
    references = [r for r in records if r["kind"] == "reference"]
    anomalous = [r for r in records if r["kind"] == "anomaly"]
    # 2 cameras × 2 lightings; the depth mode's second image shares its lighting's twin
    assert len(references) == 4 and len(anomalous) == 8
    for record in anomalous:
        twin = by_image[record["reference"]]
        assert twin["kind"] == "reference" and record["image"] in twin["twin_of"]
        assert twin["sun_strength"] == record["sun_strength"]
        assert twin["camera_pose"] == record["camera_pose"] and twin["day"] == record["day"]
        assert twin["bodies"] == record["bodies"]
        assert twin["anomaly"] is None and twin["anomaly_pixels"] == 0
        if record["anomaly"]["depth"] == 0:
            assert twin["render_seed"] == record["render_seed"]
    for twin in references:
        camera, folder, name = twin["image"].split("/")
        assert folder == "reference" and name.split("_")[1] == "normal"
        assert twin["masks"] == {"fb_mask": f"{camera}/reference_fb_mask/{name}"}
        assert (exp / twin["image"]).is_file() and (exp / twin["masks"]["fb_mask"]).is_file()


def test_twin_matches_its_image_outside_the_anomaly(twins):
    """Outside the anomaly's footprint a twin is its image up to Monte-Carlo noise.

    Only pixels the anomaly shades (its shadow on the hull), lights (the camera's spotlight
    bouncing off it) or shows in a reflection can legitimately differ, and those may lie far
    from its mask; so the bounds are on robust statistics over everything outside the mask grown
    by DILATION_PX px (its anti-aliased edge): the median pixel, the mean, and the share of
    pixels off by more than 10 levels (room for a shadow of 1 % of the frame; measured here,
    shadows and bounce light of these small anomalies change far fewer pixels than that).
    Measured at 160×90, 16 spp (8-bit levels, largest channel difference per pixel):
    - the depth-0, default-colour image shares the twin's Cycles seed: every path that never
      meets the anomaly is traced identically, so outside the mask the mean is 0.000-0.004 and
      0.01 % of pixels differ by more than 10: bounds mean < 0.05, share off by > 10 < 1 %;
    - the depth-1 image has its own seed: its difference is plain sampling noise, mean 0.4-1.6
      (1-4 % of pixels off by more than 10; the median is still 0): bound mean < 3;
    and inside the mask the mean difference is 23-90 levels: the anomaly is what differs."""
    _, exp, records = twins
    checked = 0
    for record in records:
        if record["kind"] != "anomaly":
            continue
        image = load(exp / record["image"])
        twin = load(exp / record["reference"])
        inside = load(exp / record["masks"]["anomaly_mask"]) > 0
        outside = ~dilated(inside, DILATION_PX)
        diff = np.abs(image - twin).max(axis=2)
        what = (record["image"], round(float(diff[outside].mean()), 3))
        assert np.median(diff[outside]) == 0, what
        if record["anomaly"]["depth"] == 0:   # the twin's own seed
            assert (diff[outside] > 10).mean() < 0.01, what
            assert diff[outside].mean() < 0.05, what
        else:
            assert diff[outside].mean() < 3.0, what
        assert diff[inside].mean() > 5 * diff[outside].mean() + 5, what
        checked += 1
    assert checked == 8


def test_twins_follow_the_config_key(twins, tmp_path):
    config, _, _ = twins
    off = tmp_path / "off.yaml"
    off.write_text(yaml.safe_dump({**yaml.safe_load(config.read_text()), "references": False}))
    result = run_cli("render", "--config", off, "--exp_num", 7, "--anomaly", "--mode",
                     "illumination", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "twins: off" in result.stdout and "/reference/" not in result.stdout
    result = run_cli("render", "--config", config, "--exp_num", 7, "--anomaly", "--mode",
                     "illumination", "--dry-run")
    assert "twins: 4 anomaly-free reference images" in result.stdout
    assert "+100% on 4 anomalous images" in result.stdout


def test_dry_run_names_the_views_of_the_protocol(twins, tmp_path):
    config, _, _ = twins
    raw = yaml.safe_load(config.read_text())
    for protocol, anomaly, table in (("novel-view", True, "test"), ("same-view", True, "train"),
                                     ("novel-view", False, "train")):
        path = tmp_path / f"{protocol}.yaml"
        path.write_text(yaml.safe_dump({**raw, "protocol": protocol}))
        result = run_cli("render", "--config", path, "--exp_num", 7, "--dry-run",
                         *(["--anomaly"] if anomaly else []))
        assert result.returncode == 0, result.stderr
        assert f"views: protocol {protocol}: the {table} pose table of builtin" in result.stdout
