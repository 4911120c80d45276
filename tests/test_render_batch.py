"""Real Blender (bpy wheel), real Cycles, tiny images: the batch a user renders."""

import hashlib
import json
import signal
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from conftest import REPO, run_cli

pytestmark = pytest.mark.blender

ALL_MODES = ["illumination", "depth", "scale", "colour"]


@pytest.fixture(scope="module")
def bpy_ops():
    bpy = pytest.importorskip("bpy")
    from allo_addon.headless.blender_session import ensure_registered
    ensure_registered()
    return bpy.ops.allo


def render(ops, config, exp_num, anomaly=False, modes=(), **extra):
    result = ops.render_batch(config=str(config), exp_num=exp_num, anomaly=anomaly,
                              modes=set(modes), **extra)
    assert result == {"FINISHED"}
    return config.parent / "renders" / f"exp_{exp_num}"


def records(exp):
    lines = (exp / "manifest.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


def stable(record):
    """A manifest record without the one field that measures time."""
    return {k: v for k, v in record.items() if k != "render_seconds"}


def files(exp):
    return sorted(str(p.relative_to(exp)) for p in exp.rglob("*.png"))


def planned_names(config, anomaly, modes):
    from allo_addon.core.dataset.batch_request import BatchRequest, prepare_batch
    batch = prepare_batch(BatchRequest(config, 0, anomaly=anomaly, modes=frozenset(modes)))
    return sorted(path for job in batch.plan.jobs for image in job.renders
                  for path in job.relative_paths(image).values())


def load(path):
    return np.asarray(Image.open(path))


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_same_render(a, b, name):
    """The same file, byte for byte (same machine, same Blender): a user who checksums,
    dedups or rsyncs a dataset sees one file. Pixels first, to say which of the two differs."""
    assert np.array_equal(load(a), load(b)), f"{name}: pixels differ"
    assert sha256(a) == sha256(b), f"{name}: same pixels, different bytes (PNG metadata?)"


@pytest.fixture(scope="module")
def anomalous(bpy_ops, tmp_path_factory):
    from conftest import TINY
    import yaml
    folder = tmp_path_factory.mktemp("anomalous")
    config = folder / "render_config.yaml"
    config.write_text(yaml.safe_dump(TINY))
    return config, render(bpy_ops, config, 2, anomaly=True, modes=ALL_MODES, seed=42)


def test_normal_batch_tree_names_and_masks(bpy_ops, write_config):
    config = write_config()
    exp = render(bpy_ops, config, 1, modes=["illumination"])
    assert files(exp) == planned_names(config, False, ["illumination"])
    assert {p.split("/")[1] for p in files(exp)} == {"normal", "fb_mask"}
    assert "Camera0/normal/1_normal_2.png" in files(exp)
    for record in records(exp):
        image = load(exp / record["image"])
        mask = load(exp / record["masks"]["fb_mask"])
        assert image.shape == (72, 128, 3) and image.dtype == np.uint8
        assert mask.shape == (72, 128) and set(np.unique(mask)) <= {0, 255}
        assert record["anomaly"] is None and record["fb_pixels"] == int((mask > 0).sum())
        assert record["sun_strength"] in (2, 10)
    # the station is in view of the train cameras
    assert max(r["fb_pixels"] for r in records(exp)) > 500


def test_anomalous_batch_tree_names_and_masks(anomalous):
    config, exp = anomalous
    assert files(exp) == planned_names(config, True, ALL_MODES)
    assert {p.split("/")[1] for p in files(exp)} == {"anomaly", "anomaly_mask", "fb_mask",
                                                     "reference", "reference_fb_mask"}
    seen_depth0 = 0
    anomalous = [r for r in records(exp) if r["kind"] == "anomaly"]
    for record in anomalous:
        fb = load(exp / record["masks"]["fb_mask"])
        anomaly = load(exp / record["masks"]["anomaly_mask"])
        assert set(np.unique(fb)) <= {0, 255} and set(np.unique(anomaly)) <= {0, 255}
        assert not ((fb > 0) & (anomaly > 0)).any(), "masks overlap"
        assert record["anomaly_pixels"] == int((anomaly > 0).sum())
        if record["anomaly"]["depth"] == 0:
            seen_depth0 += 1
            assert record["anomaly_pixels"] > 10, record["image"]   # min_pixel
    assert seen_depth0 == len(anomalous) // 2


def test_manifest_records_everything_a_user_needs(anomalous):
    from conftest import TINY
    _, exp = anomalous
    record = records(exp)[0]
    # the post-process's default threshold: the one placement used
    assert all(r["min_pixel"] == TINY["min_pixel"] for r in records(exp)
               if r["kind"] == "anomaly")
    for key in ("job", "day", "camera", "camera_pose", "intrinsics", "bodies", "sun_strength",
                "anomaly", "anomaly_pixels", "render_seconds", "resolution", "seed"):
        assert key in record, key
    assert set(record["anomaly"]) >= {"name", "scale", "depth", "colour", "location",
                                      "rotation_euler_xyz"}
    assert set(record["bodies"]) == {"sun", "moon", "earth"}
    assert record["render_seconds"] > 0


def test_pngs_carry_no_run_dependent_metadata(anomalous):
    # Blender's stamp metadata (Date, RenderTime, cycles.*.render_time …) would be PNG text
    # chunks; the masks are written by Pillow
    _, exp = anomalous
    for name in files(exp):
        with Image.open(exp / name) as png:
            assert png.text == {}, f"{name}: {png.text}"


def test_placement_estimate_matches_the_mask(anomalous):
    _, exp = anomalous
    errors = [abs(r["anomaly"]["estimated_pixels"] - r["anomaly_pixels"]) / r["anomaly_pixels"]
              for r in records(exp) if r["kind"] == "anomaly" and r["anomaly"]["depth"] == 0]
    assert np.mean(errors) < 0.25


def test_same_seed_same_everything(bpy_ops, anomalous):
    config, exp = anomalous
    again = render(bpy_ops, config, 3, anomaly=True, modes=ALL_MODES, seed=42)
    assert files(again) == files(exp)
    for name in files(exp):
        assert_same_render(exp / name, again / name, name)
    first = [stable(r) | {"exp_num": 0} for r in records(exp)]
    second = [stable(r) | {"exp_num": 0} for r in records(again)]
    assert first == second


def test_shards_make_the_same_dataset(bpy_ops, anomalous):
    config, exp = anomalous
    for shard in ("0/2", "1/2"):
        sharded = render(bpy_ops, config, 4, anomaly=True, modes=ALL_MODES, seed=42, shard=shard)
    assert files(sharded) == files(exp)
    assert any("/reference/" in name for name in files(sharded))   # the twins are compared too
    for name in files(exp):
        assert_same_render(exp / name, sharded / name, name)
    key = lambda r: r["image"]
    assert sorted((stable(r) | {"exp_num": 0} for r in records(sharded)), key=key) == \
        sorted((stable(r) | {"exp_num": 0} for r in records(exp)), key=key)


def test_rerun_skips_finished_images(bpy_ops, anomalous):
    config, exp = anomalous
    before = (exp / "manifest.jsonl").read_text()
    assert '"kind": "reference"' in before   # twins are finished images too
    render(bpy_ops, config, 2, anomaly=True, modes=ALL_MODES, seed=42)
    assert (exp / "manifest.jsonl").read_text() == before


def test_killed_batch_resumes_to_the_same_result(anomalous):
    config, exp = anomalous
    args = [sys.executable, "-m", "allo_addon.headless", "render", "--config", config,
            "--exp_num", 5, "--anomaly", "--mode", *ALL_MODES, "--seed", 42]
    process = subprocess.Popen(list(map(str, args)), stdout=subprocess.PIPE, text=True, cwd=REPO)
    progress = 0
    for line in process.stdout:
        progress += line.startswith("[")
        if progress == 7:
            process.send_signal(signal.SIGKILL)
            break
    process.wait(timeout=60)
    killed = config.parent / "renders" / "exp_5"
    assert 0 < len(records(killed)) < len(records(exp))
    result = run_cli(*args[3:], cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert files(killed) == files(exp)
    assert not list(killed.glob(".partial/run-*/*.png"))
    for name in files(exp):
        assert_same_render(exp / name, killed / name, name)
    key = lambda r: r["image"]
    assert sorted((stable(r) | {"exp_num": 0} for r in records(killed)), key=key) == \
        sorted((stable(r) | {"exp_num": 0} for r in records(exp)), key=key)


def test_dry_run_prints_the_plan_and_writes_nothing(write_config):
    config = write_config()
    result = run_cli("render", "--config", config, "--exp_num", 9, "--anomaly",
                     "--mode", "illumination", "color", "--dry-run")
    assert result.returncode == 0, result.stderr
    # 4 camera-days × 2 lightings × (default colour + drawn colour), + one twin per lighting
    assert "total: 24 images in 4 jobs" in result.stdout
    assert "twins: 8 anomaly-free reference images" in result.stdout and "+50%" in result.stdout
    assert "Camera1/anomaly/2_" in result.stdout
    assert not (config.parent / "renders" / "exp_9" / "manifest.jsonl").exists()


def test_a_jittered_view_that_loses_the_station_is_drawn_again(bpy_ops, write_config):
    # the demo's train camera 0 on day 10: the plan's 1 m / 0.2 rad jitter turns it to the sky
    def batch(exp_num, share):
        config = write_config(name=f"c{exp_num}.yaml", start_day=10, end_day=10, cams=[0],
                              pose_jitter={"position": 1.0, "rotation": 0.2, "min_station_share": share})
        return records(render(bpy_ops, config, exp_num))[0]["camera_pose"]
    original = batch(31, 0.0)
    assert original["jitter_redraws"] == 0 and original["station_share"] is None  # not measured
    steady = batch(32, "auto")
    assert steady["jitter_redraws"] >= 1 and steady["station_share"] >= 0.1
    assert steady["location"] != original["location"]
    again = batch(33, "auto")
    assert again == steady                                  # seeded: the same redraw every run


@pytest.mark.parametrize("quality", ["draft", "benchmark"])
def test_same_seed_same_everything_under_each_quality_preset(bpy_ops, write_config, quality):
    """The determinism above, under the presets that change Cycles settings (original is the
    default the tests above run under). Samples and denoising come from the preset."""
    config = write_config(quality=quality, samples=None, denoise=None, cams=[0], end_day=1)
    first = render(bpy_ops, config, 1, anomaly=True, modes=["illumination"], seed=42)
    again = render(bpy_ops, config, 2, anomaly=True, modes=["illumination"], seed=42)
    assert files(again) == files(first) and files(first)
    for name in files(first):
        assert_same_render(first / name, again / name, name)
    assert [stable(r) | {"exp_num": 0} for r in records(first)] == \
        [stable(r) | {"exp_num": 0} for r in records(again)]


def test_quality_presets_set_cycles_and_original_leaves_blenders_defaults(bpy_ops):
    import bpy
    from allo_addon.core.dataset.config import config_from_dict
    from allo_addon.core.dataset.quality import PRESETS
    from allo_addon.scene.render_settings import configure_cycles
    defaults = bpy.data.scenes.new("quality defaults")
    # every knob the bench tries, so a preset without knobs is checked to leave them alone
    knobs = {k for p in PRESETS.values() for k in p.cycles} | {
        "max_bounces", "diffuse_bounces", "glossy_bounces", "transmission_bounces",
        "adaptive_threshold", "use_light_tree", "denoising_prefilter", "caustics_reflective"}
    blender = {k: getattr(defaults.cycles, k) for k in knobs}
    for name, preset in PRESETS.items():
        scene = bpy.data.scenes.new(f"quality {name}")
        configure_cycles(scene, config_from_dict({"quality": name}))
        expected = {**blender, **preset.cycles}
        assert {k: getattr(scene.cycles, k) for k in knobs} == expected, name
        assert scene.cycles.samples == preset.samples
        bpy.data.scenes.remove(scene)
    bpy.data.scenes.remove(defaults)
