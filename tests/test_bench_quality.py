"""`python -m bench quality`: the error measures and the equal-quality choice (pure numpy), and
one real candidate rendered against a cached reference (tiny, real Cycles)."""

import json
import math

import numpy as np
import pytest

from bench import quality_metrics as qm


def image(seed=0, shape=(40, 60, 3)):
    """A smooth image with structure (gradients and a bright square), 8-bit."""
    y, x = np.mgrid[0:shape[0], 0:shape[1]]
    base = 60 + 2 * x + y
    base[10:25, 20:40] += 90
    return np.clip(np.repeat(base[..., None], shape[2], axis=2), 0, 255).astype(np.uint8)


def noisy(img, sigma, seed=1):
    rng = np.random.default_rng(seed)
    return np.clip(img + rng.normal(0, sigma, img.shape), 0, 255).astype(np.uint8)


def test_psnr_of_a_known_error():
    ref = image()
    assert qm.psnr(ref, ref) == math.inf
    off_by_one = (ref.astype(int) + 1).astype(np.uint8)     # every value 1 above: MSE 1
    assert qm.psnr(off_by_one, ref) == pytest.approx(20 * math.log10(255), abs=1e-9)


def test_ssim_is_one_for_identical_images_and_falls_with_noise():
    ref = image()
    assert qm.ssim(ref, ref) == pytest.approx(1.0, abs=1e-12)
    light, heavy = qm.ssim(noisy(ref, 4), ref), qm.ssim(noisy(ref, 20), ref)
    assert 0 < heavy < light < 1
    assert qm.ssim(noisy(ref, 4), ref) == pytest.approx(qm.ssim(ref, noisy(ref, 4)))  # symmetric


def test_ssim_ignores_what_psnr_punishes_a_small_brightness_shift_less_than_noise():
    """Same MSE, different structure: a uniform +8 shift keeps the structure (SSIM near 1),
    noise of σ 8 does not."""
    ref = image()
    shifted = (ref.astype(int) + 8).astype(np.uint8)
    assert qm.ssim(shifted, ref) > qm.ssim(noisy(ref, 8), ref)


def test_ssim_refuses_an_image_smaller_than_its_window():
    with pytest.raises(ValueError, match="smaller than the SSIM window"):
        qm.ssim(np.zeros((8, 8)), np.zeros((8, 8)))


def views(psnr, ssim, masks=True):
    return {"a": {"psnr": psnr, "ssim": ssim, "masks_equal": masks},
            "b": {"psnr": psnr + 3, "ssim": ssim, "masks_equal": True}}


RESULTS = {
    "original": {"seconds": 12.0, "views": views(35.0, 0.950)},
    "cheap_ok": {"seconds": 3.0, "views": views(34.6, 0.946)},       # within 0.5 dB, 0.005
    "cheaper_noisy": {"seconds": 1.0, "views": views(34.4, 0.950)},  # 0.6 dB worse
    "cheapest_blurry": {"seconds": 0.5, "views": views(35.0, 0.944)},  # 0.006 SSIM worse
    "fast_wrong_masks": {"seconds": 0.2, "views": views(36.0, 0.990, masks=False)},
}


def test_cheapest_within_tolerance_on_every_view():
    assert qm.cheapest_within(RESULTS, "original") == "cheap_ok"
    assert qm.equal_quality_speedup(RESULTS, "original") == (4.0, "cheap_ok")
    # a looser tolerance admits the noisy one, never the one whose masks differ
    assert qm.cheapest_within(RESULTS, "original", psnr_db=1.0, ssim_drop=0.01) == \
        "cheapest_blurry"


def test_one_bad_view_disqualifies():
    results = {"original": RESULTS["original"],
               "good_on_a_only": {"seconds": 1.0, "views": {
                   "a": {"psnr": 35.0, "ssim": 0.95, "masks_equal": True},
                   "b": {"psnr": 30.0, "ssim": 0.95, "masks_equal": True}}},
               "missing_b": {"seconds": 1.0, "views": {
                   "a": {"psnr": 35.0, "ssim": 0.95, "masks_equal": True}}}}
    assert qm.equal_quality_speedup(results, "original") == (1.0, "original")


def test_presets_are_measured_candidates():
    """Every preset but the original is one of the bench's candidates, with the same settings
    (so the README's numbers for it were measured), and the original is Blender's defaults."""
    from allo_addon.core.dataset.quality import PRESETS
    from bench.bench_quality import ORIGINAL, candidates
    measured = {c["name"]: c for c in candidates()}
    assert PRESETS["original"].cycles == {} == measured[ORIGINAL]["cycles"]
    for name, preset in PRESETS.items():
        if name == "original":
            continue
        same = [c for c in measured.values() if not c["spot"] and c["samples"] == preset.samples
                and c["denoise"] == preset.denoise and c["cycles"] == preset.cycles]
        assert same, f"preset {name} is not among the bench's candidates"


@pytest.mark.blender
def test_one_candidate_renders_and_writes_a_json_line(tmp_path):
    pytest.importorskip("bpy")
    from bench.bench_quality import VIEWS, measure
    cand = {"name": "original", "samples": 2, "denoise": False, "cycles": {"max_bounces": 2},
            "spot": {}}
    plot = tmp_path / "plot.png"
    records = list(measure((VIEWS[1],), [cand], (32, 18), 4, plot, "test", cache_root=tmp_path))
    lines = [json.loads(json.dumps(r)) for r in records]
    row = next(r for r in lines if r["metric"] == "quality_candidate")
    view = row["views"]["shadowed_side"]
    assert view["masks_equal"] is True                   # the object-index pass: sample-free
    assert 0 < view["ssim"] <= 1 and view["psnr"] > 0
    assert row["cycles"] == {"max_bounces": 2} and row["value"] > 0
    speedup = next(r for r in lines if r["metric"] == "equal_quality_speedup")
    assert speedup["value"] == 1.0 and speedup["chosen"] == "original"
    assert plot.stat().st_size > 0
    assert len(list(tmp_path.glob("blendertest-shadowed_side-*/shadowed_side.png"))) == 1


@pytest.mark.blender
def test_a_window_of_a_larger_frame_is_rendered_around_the_anomaly(tmp_path):
    """The full run renders a window of the full-HD frame (Cycles' border, cropped): the PNG
    and the masks are the window's size, and on an anomaly view the window holds the anomaly."""
    pytest.importorskip("bpy")
    from PIL import Image

    from bench.bench_quality import VIEWS, measure
    drill = next(v for v in VIEWS if v.anomaly == "drill")
    cand = {"name": "original", "samples": 2, "denoise": False, "cycles": {}, "spot": {}}
    records = list(measure((drill,), [cand], (32, 18), 4, None, "test", cache_root=tmp_path,
                           frame=(128, 72)))
    summary = next(r for r in records if r["metric"] == "equal_quality_speedup")
    window = summary["windows"][drill.name]
    x0, top, width, height = window["x_y_width_height"]
    assert (width, height) == (32, 18) and 0 <= x0 <= 128 - 32 and 0 <= top <= 72 - 18
    assert window["anomaly_mask_pixels"] > 0
    assert summary["frame"] == [128, 72] and summary["resolution"] == [32, 18]
    (png,) = tmp_path.glob(f"blendertest-{drill.name}-*/{drill.name}.png")
    assert Image.open(png).size == (32, 18)


def test_readme_tables_from_the_json_lines(tmp_path):
    """bench/quality_tables.py: cheapest first, the ratio to the original, and each change's
    cost on the view where it costs most."""
    from bench import quality_tables

    def record(name, seconds, psnr_a, psnr_b, cycles=None, within=False):
        return {"metric": "quality_candidate", "candidate": name, "value": seconds,
                "samples": 256, "denoise": True, "cycles": cycles or {}, "spot": {},
                "min_psnr": min(psnr_a, psnr_b), "min_ssim": 0.99, "within_original": within,
                "views": {"a": {"psnr": psnr_a, "ssim": 0.99, "masks_equal": True},
                          "b": {"psnr": psnr_b, "ssim": 0.99, "masks_equal": True}}}
    lines = [record("original", 12.0, 40.0, 45.0, within=True),
             record("fast", 4.0, 39.8, 42.0, {"adaptive_threshold": 0.02}),
             {"metric": "equal_quality_speedup", "value": 1.0, "chosen": "original",
              "draft_choice": "fast", "resolution": [240, 135], "frame": [1920, 1080]}]
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    candidates, summary = quality_tables.load(path)
    table = quality_tables.candidate_table(candidates)
    assert table[2].startswith("| fast | 256 | yes | adaptive_threshold 0.02 | 4.00 | 3.00 |")
    assert table[3].startswith("| original |")
    (bought,) = quality_tables.bought_table(candidates)[2:]
    assert bought == "| fast | 12.00 → 4.00 (-8.00) | -3.00 | +0.0000 | b |"
