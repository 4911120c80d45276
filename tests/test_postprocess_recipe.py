"""The README's recipe at a small resolution ("The recipe at a small resolution, measured"): the
post-process's threshold and report follow the render, and a split that took nothing is an
error, not a success."""

import json

import pytest

from allo_addon.core.errors import UserError
from allo_addon.core.postprocess import PostprocessRequest, postprocess
from postprocess_tree import make_anomaly_exp, tree, write_image, write_manifest
from test_postprocess_cli import cli

SMALL = (256, 144)   # the resolution; the fixture anomalies are 10 x 10 = 100 px


def small_exp(exp, min_pixel=20, **kwargs):
    rendered = make_anomaly_exp(exp, size=SMALL, twins=True, **kwargs)
    write_manifest(exp, rendered, size=SMALL,
                   extra={} if min_pixel is None else {"min_pixel": min_pixel})
    return rendered


def run(exp, output, **settings):
    settings.setdefault("workers", 1)
    return postprocess(PostprocessRequest(input=exp, output=output, anomaly=True, **settings))


def anomalous(output):
    return sum(1 for line in (output / "manifest.jsonl").read_text().splitlines()
               if json.loads(line)["kind"] == "anomaly")


def test_default_threshold_is_the_renders_own(tmp_path):
    """Before: the default was 2000 px whatever the resolution; at 256x144 it rejected every
    anomalous image (and finished with exit 0, the twins alone in the test split)."""
    small_exp(tmp_path / "exp_2")
    summary = run(tmp_path / "exp_2", tmp_path / "test")
    assert summary.total_rejected == 0 and anomalous(tmp_path / "test") == 16
    settings = json.loads((tmp_path / "test" / "report.json").read_text())["settings"]
    assert settings["min_pixel"] == 20 and "render's own" in settings["min_pixel_from"]


def test_without_the_renders_threshold_the_original_one_is_scaled(tmp_path):
    """A manifest without min_pixel (older renders): 2000 px at 1920x1080, scaled by area to
    256x144 = 2000 * 36864 / 2073600 = 35.6 -> 36 px: 100 px anomalies pass, 25 px ones not."""
    rendered = make_anomaly_exp(tmp_path / "exp_2", size=SMALL, cameras=(1,), days=(1,))
    rendered.append(write_image(tmp_path / "exp_2", "Camera1", "anomaly",
                                "1_drill_10_0.5_1_red.png", SMALL, side=5))
    write_manifest(tmp_path / "exp_2", rendered, size=SMALL)
    summary = run(tmp_path / "exp_2", tmp_path / "test")
    assert summary.rejected == {"Camera1": {"anomaly_too_small": 1}}
    assert summary.total_accepted == 4
    log = (tmp_path / "test" / "postprocess.log").read_text()
    assert "anomaly covers 25 px, needs more than 36" in log


def test_a_threshold_no_anomaly_meets_is_refused_before_writing(tmp_path):
    small_exp(tmp_path / "exp_2")
    with pytest.raises(UserError) as error:
        run(tmp_path / "exp_2", tmp_path / "test", min_pixel=2000)
    message = str(error.value)
    for part in ("2000 px rejects all 16 anomalous images", "at 256x144",
                 "cover 100–100 px", "the render used min_pixel 20", "2000@1920x1080"):
        assert part in message
    assert not (tmp_path / "test").exists()


def test_a_threshold_for_another_resolution_is_scaled(tmp_path):
    small_exp(tmp_path / "exp_2", min_pixel=5)
    run(tmp_path / "exp_2", tmp_path / "test", min_pixel=2000, min_pixel_at=(1920, 1080))
    assert anomalous(tmp_path / "test") == 16
    settings = json.loads((tmp_path / "test" / "report.json").read_text())["settings"]
    assert settings["min_pixel"] == 36   # not the render's 5: the flag's, scaled


def test_cli_refuses_and_exits_2_and_reads_the_at_form(tmp_path):
    small_exp(tmp_path / "exp_2")
    common = ("--input", tmp_path / "exp_2", "--anomaly", "--workers", 1)
    refused = cli(*common, "--output", tmp_path / "a", "--min_pixel", 2000)
    assert refused.returncode == 2 and not (tmp_path / "a").exists()
    assert refused.stderr.count("error:") == 1 and "Traceback" not in refused.stderr
    assert "rejects all 16 anomalous images" in refused.stderr
    done = cli(*common, "--output", tmp_path / "b", "--min_pixel", "2000@1920x1080")
    assert done.returncode == 0, done.stderr
    assert "total: 24 accepted (8 of them anomaly-free twins" in done.stdout
    bad = cli(*common, "--output", tmp_path / "c", "--min_pixel", "2000@1920")
    assert bad.returncode == 2 and "'2000@1920' is not a pixel count N or N@WIDTHxHEIGHT" \
        in bad.stderr


def test_a_split_that_took_nothing_is_an_error_naming_why(tmp_path):
    """No manifest to check up front: the run finds it, writes its log and report, and fails
    with exit 2 naming the reason, instead of exit 0 with an empty split."""
    make_anomaly_exp(tmp_path / "exp_2", size=SMALL, twins=True)
    done = cli("--input", tmp_path / "exp_2", "--output", tmp_path / "test", "--anomaly",
               "--shape", "256x144", "--min_pixel", 500, "--workers", 1)
    assert done.returncode == 2, done.stdout
    assert "no anomalous image accepted into" in done.stderr
    assert "all 16 rejected (anomaly_too_small 16, e.g. Camera1/anomaly/" in done.stderr
    assert "anomaly covers 100 px, needs more than 500" in done.stderr
    assert "rejected_by_reason" in (tmp_path / "test" / "report.json").read_text()


def test_report_shape_and_area_bins_come_from_the_data(tmp_path):
    """Before: settings.shape was --shape's default 1920x1080 and the bins were pixel counts
    for 1920x1080 (0-1000 px, 1000-2000 px ...), so every small anomaly fell in the first."""
    rendered = make_anomaly_exp(tmp_path / "exp_2", size=SMALL, cameras=(1,), days=(1,))
    rendered.append(write_image(tmp_path / "exp_2", "Camera1", "anomaly",
                                "1_drill_10_0.5_1_red.png", SMALL, side=30))
    write_manifest(tmp_path / "exp_2", rendered, size=SMALL, extra={"min_pixel": 20})
    run(tmp_path / "exp_2", tmp_path / "test")
    report = json.loads((tmp_path / "test" / "report.json").read_text())
    assert report["settings"]["shape"] == [256, 144]
    assert report["settings"]["shapes"] == {"256x144": 5}
    area = 256 * 144
    assert report["anomaly_area_px"] == {"min": 100, "median": 100, "max": 900}
    assert report["anomaly_area_share"]["max"] == round(900 / area, 6)
    full = {(b["from_share"], b["from_px"], b["to_px"]): b["count"]
            for b in report["anomaly_area_share"]["histogram"] if b["count"]}
    # 100 px = 0.27 % of the frame, 900 px = 2.4 %
    assert full == {(0.002, round(0.002 * area), round(0.005 * area)): 4,
                    (0.02, round(0.02 * area), round(0.05 * area)): 1}
    assert tree(tmp_path / "test")   # and it wrote the split


def test_a_camera_left_without_anomalous_images_is_a_warning(tmp_path):
    """Same-view: a per-camera model of Camera2 would have no anomalous test image. Before:
    nothing said so but the counts; now a `warning:` line, in the log too (exit 0: the split
    as a whole is usable)."""
    exp = tmp_path / "exp_2"
    rendered = make_anomaly_exp(exp, cameras=(1,), size=SMALL, twins=True)
    rendered += make_anomaly_exp(exp, cameras=(2,), size=SMALL, twins=True, side=5)  # 25 px
    write_manifest(exp, rendered, size=SMALL, extra={"min_pixel": 50})
    done = cli("--input", exp, "--output", tmp_path / "test", "--anomaly", "--workers", 1)
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("warning: ") == 1
    assert "warning: test/Camera2 has no anomalous image: all 8 rejected (anomaly_too_small " \
           "8, e.g. Camera2/anomaly/" in done.stderr
    log = (tmp_path / "test" / "postprocess.log").read_text()
    assert "WARNING test/Camera2 has no anomalous image" in log
