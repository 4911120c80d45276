"""Splits that cannot leak: normal test images are held out by whole camera-days, and no
(camera, day) ends up in both the train and the test split, whatever order runs come in."""

import json

import pytest

from allo_addon.core.errors import UserError
from allo_addon.core.postprocess import PostprocessRequest, postprocess
from postprocess_tree import SIZE, make_anomaly_exp, make_normal_exp, tree, write_manifest

MIN_PIXEL = 50


def run(exp, output, **settings):
    settings.setdefault("shape", SIZE)
    settings.setdefault("workers", 1)
    settings.setdefault("min_pixel", MIN_PIXEL)
    return postprocess(PostprocessRequest(input=exp, output=output, **settings))


def records(folder):
    return [json.loads(line) for line in (folder / "manifest.jsonl").read_text().splitlines()]


def camera_days(folder, split):
    return {(r["camera"], r["source"]["image"].rsplit("/", 1)[1].split("_")[0])
            for r in records(folder) if r["split"] == split}


def test_normal_test_ratio_holds_out_whole_camera_days(tmp_path):
    # 4 days × 3 lightings per camera: an image-by-image draw of 3 would split days
    make_normal_exp(tmp_path / "exp_1", cameras=(1, 2), days=(1, 2, 3, 4),
                    illuminations=(1, 5, 10))
    for seed in range(6):
        out = tmp_path / f"train{seed}"
        summary = run(tmp_path / "exp_1", out, normal_test_ratio=0.25, seed=seed,
                      test_output=tmp_path / f"test{seed}")
        assert summary.held_out == 2 * 3          # one whole day (3 images) per camera
        test = camera_days(out, "test")
        assert len(test) == 2 and {c for c, _ in test} == {"Camera1", "Camera2"}
        assert not test & camera_days(out, "train")
        report = json.loads((out / "report.json").read_text())
        assert report["settings"]["held_out_by"] == "camera-day"
        assert report["splits"]["grouping"] == "camera-day" and report["splits"]["passed"]
        assert "no (camera, day) in both" in report["splits"]["check"]
        assert report["splits"]["camera_days"] == {"train": 6, "test": 2}


def test_a_small_ratio_still_holds_out_a_day_and_training_keeps_one(tmp_path):
    make_normal_exp(tmp_path / "exp_1", cameras=(1,), days=(1, 2), illuminations=(10,))
    assert run(tmp_path / "exp_1", tmp_path / "train", normal_test_ratio=0.1).held_out == 1
    assert run(tmp_path / "exp_1", tmp_path / "train", normal_test_ratio=0.9).held_out == 1


def twins_exp(tmp_path, days=(1, 2)):
    exp = tmp_path / "exp_2"
    write_manifest(exp, make_anomaly_exp(exp, cameras=(1, 2), days=days, twins=True))
    return exp


def test_normal_run_into_train_beside_a_test_holding_those_days_is_refused(tmp_path):
    run(twins_exp(tmp_path), tmp_path / "test", anomaly=True)
    make_normal_exp(tmp_path / "exp_1", cameras=(1, 2), days=(2, 3))
    before = tree(tmp_path)
    with pytest.raises(UserError, match=r"Camera1 day 2 would be in both splits: this run "
                                        r"puts it in train.*test/manifest.jsonl \(exp_2"):
        run(tmp_path / "exp_1", tmp_path / "train")
    assert tree(tmp_path) == before and not (tmp_path / "train").exists()
    make_normal_exp(tmp_path / "exp_3", cameras=(1, 2), days=(3, 4))   # other days: fine
    run(tmp_path / "exp_3", tmp_path / "train")
    assert not camera_days(tmp_path / "train", "train") & camera_days(tmp_path / "test", "test")


def test_anomalous_run_into_test_beside_a_train_holding_those_days_is_refused(tmp_path):
    make_normal_exp(tmp_path / "exp_1", cameras=(1, 2), days=(2, 3))
    run(tmp_path / "exp_1", tmp_path / "train")
    exp = twins_exp(tmp_path)
    before = tree(tmp_path)
    with pytest.raises(UserError, match=r"day 2 would be in both splits: this run puts it in "
                                        r"test.*train/manifest.jsonl \(exp_1"):
        run(exp, tmp_path / "test", anomaly=True)
    assert tree(tmp_path) == before


def test_a_held_out_day_of_one_batch_is_not_trained_on_from_another(tmp_path):
    make_normal_exp(tmp_path / "exp_1", cameras=(1,), days=(1, 2, 3, 4))
    run(tmp_path / "exp_1", tmp_path / "train", normal_test_ratio=0.25, seed=3)
    (held,) = camera_days(tmp_path / "train", "test")
    make_normal_exp(tmp_path / "exp_4", cameras=(1,), days=(int(held[1]),))   # a re-render
    with pytest.raises(UserError, match=f"Camera1 day {held[1]} would be in both splits"):
        run(tmp_path / "exp_4", tmp_path / "train")
    # re-running the first batch replaces its own lines: not a leak
    run(tmp_path / "exp_1", tmp_path / "train", normal_test_ratio=0.25, seed=3)


def test_a_held_out_day_and_a_twin_never_overwrite_each_other(tmp_path):
    make_normal_exp(tmp_path / "exp_1", cameras=(1,), days=(5, 6), illuminations=(1, 10))
    run(tmp_path / "exp_1", tmp_path / "train", normal_test_ratio=0.5, seed=3)
    (held,) = camera_days(tmp_path / "train", "test")     # test/Camera1/normal/images/<day>_…
    exp = tmp_path / "exp_2"
    write_manifest(exp, make_anomaly_exp(exp, cameras=(1,), days=(int(held[1]),), twins=True))
    before = tree(tmp_path)
    with pytest.raises(UserError, match=r"normal/images/.*would be written for exp_2/Camera1/"
                                        r"reference/.*it is exp_1's sample"):
        run(exp, tmp_path / "test", anomaly=True)
    assert tree(tmp_path) == before
