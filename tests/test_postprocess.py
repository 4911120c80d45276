"""The post-process on small generated render trees: layout, values, rejections, re-runs."""

import json

import numpy as np
import pytest
from PIL import Image

from allo_addon.core.errors import UserError
from allo_addon.core.postprocess import PostprocessRequest, postprocess
from postprocess_tree import (SIZE, make_anomaly_exp, make_normal_exp, read, tree, write_image,
                              write_manifest)

MIN_PIXEL = 50  # the fixture anomalies are 10 x 10 = 100 px


def run(exp, output, **settings):
    settings.setdefault("shape", SIZE)
    settings.setdefault("workers", 1)
    return postprocess(PostprocessRequest(input=exp, output=output, **settings))


def manifest(output):
    return [json.loads(line) for line in (output / "manifest.jsonl").read_text().splitlines()]


PRODUCTS = ["contact_sheet.png", "manifest.jsonl", "postprocess.log", "report.json"]


def test_normal_tree_gives_train_layout(tmp_path):
    rendered = make_normal_exp(tmp_path / "exp_1", cameras=(1, 2), days=(1, 2), illuminations=(10,))
    summary = run(tmp_path / "exp_1", tmp_path / "train")
    assert tree(tmp_path / "train") == sorted(PRODUCTS + [
        f"Camera{k}/{folder}/{day}_normal_10.png"
        for k in (1, 2) for folder in ("images", "masks") for day in (1, 2)])
    assert summary.accepted == {"Camera1": 2, "Camera2": 2} and summary.total_rejected == 0
    for r in rendered:
        mask = read(tmp_path / "train" / r.camera / "masks" / r.name)
        fb = read(tmp_path / "exp_1" / r.camera / "fb_mask" / r.name)
        assert mask.ndim == 2 and set(np.unique(mask)) == {0, 1}
        assert np.array_equal(mask, (fb == 255).astype(np.uint8))


def test_anomalous_tree_gives_test_layout_with_ground_truth(tmp_path):
    rendered = make_anomaly_exp(tmp_path / "exp_2", cameras=(1, 2), days=(1,), illuminations=(10,))
    run(tmp_path / "exp_2", tmp_path / "test", anomaly=True, min_pixel=MIN_PIXEL)
    names = ["1_solar_panel_10_0.5_0_red.png", "1_solar_panel_10_0.5_-1_red.png"]
    expected = {"Camera1": [n.replace("solar_panel", "drill") for n in names], "Camera2": names}
    assert tree(tmp_path / "test") == sorted(PRODUCTS + [
        f"{camera}/{folder}/{name}" for camera, ns in expected.items()
        for folder in ("images", "masks", "ground_truth") for name in ns])
    for r in rendered:
        source, out = tmp_path / "exp_2" / r.camera, tmp_path / "test" / r.camera
        fb, anomaly = read(source / "fb_mask" / r.name), read(source / "anomaly_mask" / r.name)
        mask, truth = read(out / "masks" / r.name), read(out / "ground_truth" / r.name)
        assert set(np.unique(mask)) == {0, 1, 2}
        expected_mask = np.where(anomaly == 255, 2, np.where(fb == 255, 1, 0))
        assert np.array_equal(mask, expected_mask)
        assert Image.open(out / "ground_truth" / r.name).mode == "L"
        assert set(np.unique(truth)) == {0, 255} and np.array_equal(truth, anomaly)
        # the image is the rendered file, byte for byte
        assert (out / "images" / r.name).read_bytes() == (source / "anomaly" / r.name).read_bytes()


def test_anomalib_folder_contract(tmp_path):
    """What Anomalib's Folder (2.x make_folder_dataset) relies on, for one or all cameras."""
    make_anomaly_exp(tmp_path / "exp_2", cameras=(1, 2, 10))
    make_normal_exp(tmp_path / "exp_1", cameras=(1, 2, 10), days=(3, 4, 5, 6))  # other days
    run(tmp_path / "exp_2", tmp_path / "test", anomaly=True, min_pixel=MIN_PIXEL)
    run(tmp_path / "exp_1", tmp_path / "train", normal_test_ratio=0.25)
    test = tmp_path / "test"
    cameras = ["Camera1", "Camera2", "Camera10"]
    for camera in cameras:
        images = sorted(p.name for p in (test / camera / "images").iterdir())
        truths = sorted(p.name for p in (test / camera / "ground_truth").iterdir())
        assert images == truths and images
    # Folder pairs abnormal images and masks by sorting full paths of all folders given
    abnormal = sorted(str(p) for c in cameras for p in (test / c / "images").iterdir())
    masks = sorted(str(p) for c in cameras for p in (test / c / "ground_truth").iterdir())
    assert len(abnormal) == len(masks)
    for image, mask in zip(abnormal, masks):
        assert image.split("/")[-3] == mask.split("/")[-3]  # same camera
        assert image.rsplit("/", 1)[1][:-4] in mask.rsplit("/", 1)[1][:-4]
        pixels = Image.open(mask)
        assert pixels.mode == "L" and pixels.size == Image.open(image).size
        assert set(np.unique(np.asarray(pixels))) <= {0, 255}
    # normal test images sit apart from the abnormal ones (normal_test_dir), with no masks
    for camera in cameras:
        normal_test = list((test / camera / "normal" / "images").iterdir())
        assert normal_test and not set(p.name for p in normal_test) & set(
            p.name for p in (test / camera / "images").iterdir())


def test_rejections_are_logged_and_do_not_stop_the_run(tmp_path):
    exp = tmp_path / "exp_2"
    make_anomaly_exp(exp, cameras=(1, 2), days=(1,), illuminations=(10,), side=14)  # 196 px
    write_image(exp, "Camera1", "anomaly", "2_drill_10_0.5_0_red.png", size=(32, 18))
    write_image(exp, "Camera1", "anomaly", "3_drill_10_0.5_0_red.png")
    (exp / "Camera1/fb_mask/3_drill_10_0.5_0_red.png").unlink()
    write_image(exp, "Camera2", "anomaly", "3_drill_10_0.5_0_red.png")
    (exp / "Camera2/anomaly_mask/3_drill_10_0.5_0_red.png").unlink()
    write_image(exp, "Camera2", "anomaly", "4_drill_10_0.5_0_red.png", side=12)  # 144 px
    broken = exp / "Camera2/anomaly/5_drill_10_0.5_0_red.png"
    write_image(exp, "Camera2", "anomaly", broken.name)
    broken.write_bytes(broken.read_bytes()[:200])
    garbage = exp / "Camera1/anomaly/6_drill_10_0.5_0_red.png"
    write_image(exp, "Camera1", "anomaly", garbage.name)
    garbage.write_bytes(b"not a png at all")

    log = tmp_path / "run.log"
    summary = run(exp, tmp_path / "test", anomaly=True, min_pixel=144, log_file=log)
    assert summary.accepted == {"Camera1": 2, "Camera2": 2}
    assert summary.rejected == {
        "Camera1": {"wrong_shape": 1, "missing_mask": 1, "unreadable_png": 1},
        "Camera2": {"missing_mask": 1, "anomaly_too_small": 1, "unreadable_png": 1}}
    text = log.read_text()
    for line in ("REJECTED Camera1/anomaly/2_drill_10_0.5_0_red.png: wrong_shape",
                 "REJECTED Camera1/anomaly/3_drill_10_0.5_0_red.png: missing_mask",
                 "REJECTED Camera2/anomaly/3_drill_10_0.5_0_red.png: missing_mask",
                 "REJECTED Camera2/anomaly/4_drill_10_0.5_0_red.png: anomaly_too_small",
                 "REJECTED Camera2/anomaly/5_drill_10_0.5_0_red.png: unreadable_png",
                 "REJECTED Camera1/anomaly/6_drill_10_0.5_0_red.png: unreadable_png"):
        assert line in text
    assert "anomaly covers 144 px, needs more than 144" in text
    written = tree(tmp_path / "test")
    assert not any(name.startswith(("2_", "3_", "4_", "5_", "6_")) for name in
                   (w.rsplit("/", 1)[-1] for w in written))
    report = json.loads((tmp_path / "test" / "report.json").read_text())
    assert report["rejected_by_reason"] == {"anomaly_too_small": 1, "missing_mask": 2,
                                            "unreadable_png": 2, "wrong_shape": 1}


def test_rerun_is_idempotent_and_drops_samples_rejected_later(tmp_path):
    make_anomaly_exp(tmp_path / "exp_2")
    run(tmp_path / "exp_2", tmp_path / "test", anomaly=True, min_pixel=MIN_PIXEL)
    first = {p: (tmp_path / "test" / p).read_bytes() for p in tree(tmp_path / "test")}
    run(tmp_path / "exp_2", tmp_path / "test", anomaly=True, min_pixel=MIN_PIXEL)
    second = {p: (tmp_path / "test" / p).read_bytes() for p in tree(tmp_path / "test")}
    assert first == second
    records = manifest(tmp_path / "test")
    assert len(records) == len({r["image"] for r in records}) == 16
    # 100 px: too small for all; no manifest here, so this is found after the run, which
    # still removes the samples it now rejects and then refuses the empty split
    with pytest.raises(UserError, match="no anomalous image accepted .* all 16 rejected "
                                        r"\(anomaly_too_small 16"):
        run(tmp_path / "exp_2", tmp_path / "test", anomaly=True, min_pixel=100)
    assert tree(tmp_path / "test") == PRODUCTS and manifest(tmp_path / "test") == []


def test_manifest_keeps_other_exps_and_carries_render_records(tmp_path):
    rendered = make_anomaly_exp(tmp_path / "exp_2", cameras=(1,), days=(1,))
    write_manifest(tmp_path / "exp_2", rendered, extra={"custom": {"kept": [1, 2]}})
    make_anomaly_exp(tmp_path / "exp_3", cameras=(2,), days=(5,))
    run(tmp_path / "exp_2", tmp_path / "test", anomaly=True, min_pixel=MIN_PIXEL, shape=(9, 9))
    run(tmp_path / "exp_3", tmp_path / "test", anomaly=True, min_pixel=MIN_PIXEL)
    run(tmp_path / "exp_2", tmp_path / "test", anomaly=True, min_pixel=MIN_PIXEL, shape=(9, 9))
    records = manifest(tmp_path / "test")
    assert [r["source"]["exp"] for r in records] == ["exp_2"] * 4 + ["exp_3"] * 4
    inputs = {json.loads(line)["image"]: json.loads(line)
              for line in (tmp_path / "exp_2" / "manifest.jsonl").read_text().splitlines()}
    for record in records:
        assert record["split"] == "test"
        for key in ("image", "mask", "ground_truth"):
            assert (tmp_path / "test" / record[key]).is_file()
        if record["source"]["exp"] == "exp_2":  # shape came from the manifest, not --shape
            assert record["render"] == inputs[record["source"]["image"]]
            assert record["render"]["custom"] == {"kept": [1, 2]}
        else:
            assert record["render"] is None and record["illumination"] in ("1", "10")


def test_image_listed_in_manifest_but_missing_is_rejected(tmp_path):
    rendered = make_anomaly_exp(tmp_path / "exp_2", cameras=(1,), days=(1,), illuminations=(10,))
    write_manifest(tmp_path / "exp_2", rendered)
    (tmp_path / "exp_2" / "Camera1/anomaly" / rendered[0].name).unlink()
    summary = run(tmp_path / "exp_2", tmp_path / "test", anomaly=True, min_pixel=MIN_PIXEL)
    assert summary.rejected == {"Camera1": {"missing_image": 1}}
    assert summary.total_accepted == 1


def _all_bytes(root, skip_first_log_line=True):
    files = {p: (root / p).read_bytes() for p in tree(root)}
    files["postprocess.log"] = files["postprocess.log"].split(b"\n", 1)[1]  # header names paths
    return files


def test_one_worker_and_two_workers_write_the_same(tmp_path):
    make_anomaly_exp(tmp_path / "exp_2", cameras=(1, 2, 3), days=(1, 2, 3))
    (tmp_path / "exp_2/Camera2/anomaly/2_drill_1_0.5_0_red.png").write_bytes(b"broken")
    for workers in (1, 2):
        run(tmp_path / "exp_2", tmp_path / f"w{workers}" / "test", anomaly=True,
            min_pixel=MIN_PIXEL, workers=workers)
    assert _all_bytes(tmp_path / "w1" / "test") == _all_bytes(tmp_path / "w2" / "test")


def test_normal_test_ratio_holds_out_a_seeded_share_per_camera(tmp_path):
    make_normal_exp(tmp_path / "exp_1", cameras=(1, 2), days=(1, 2, 3, 4))  # 8 per camera
    summary = run(tmp_path / "exp_1", tmp_path / "train", normal_test_ratio=0.25, seed=7)
    assert summary.held_out == 4 and summary.total_accepted == 16
    records = manifest(tmp_path / "train")
    for camera in ("Camera1", "Camera2"):
        held = [r for r in records if r["camera"] == camera and r["split"] == "test"]
        assert len(held) == 2
        for r in held:
            name = r["source"]["image"].rsplit("/", 1)[1]
            assert r["image"] == f"../test/{camera}/normal/images/{name}"
            assert (tmp_path / "test" / camera / "normal" / "masks" / name).is_file()
            assert not (tmp_path / "train" / camera / "images" / name).exists()
    chosen = sorted(r["image"] for r in records if r["split"] == "test")
    run(tmp_path / "exp_1", tmp_path / "again", normal_test_ratio=0.25, seed=7,
        test_output=tmp_path / "again_test")
    assert sorted(r["image"].replace("again_test", "test") for r in manifest(tmp_path / "again")
                  if r["split"] == "test") == chosen
    others = set()
    for seed in (1, 2, 3):
        run(tmp_path / "exp_1", tmp_path / f"s{seed}", normal_test_ratio=0.25, seed=seed)
        others.add(tuple(sorted(r["source"]["image"] for r in manifest(tmp_path / f"s{seed}")
                                if r["split"] == "test")))
    assert len(others) > 1
    # ratio back to 0: every image returns to train, none stays in test (no duplicates)
    run(tmp_path / "exp_1", tmp_path / "train", normal_test_ratio=0.0)
    assert not list((tmp_path / "test").rglob("*.png"))
    assert len(list((tmp_path / "train").glob("Camera*/images/*.png"))) == 16


def test_shape_comes_from_manifest_else_default_1920x1080(tmp_path):
    rendered = make_normal_exp(tmp_path / "exp_1", cameras=(1,), days=(1,), illuminations=(10,))
    with pytest.raises(UserError, match=r"no normal image accepted .* \(wrong_shape 1, e\.g\."):
        postprocess(PostprocessRequest(input=tmp_path / "exp_1", output=tmp_path / "a"))
    assert "is 64x36, expected 1920x1080" in (tmp_path / "a" / "postprocess.log").read_text()
    write_manifest(tmp_path / "exp_1", rendered)
    summary = postprocess(PostprocessRequest(input=tmp_path / "exp_1", output=tmp_path / "b"))
    assert summary.total_accepted == 1


def test_report_and_contact_sheet_are_sane(tmp_path):
    make_anomaly_exp(tmp_path / "exp_2", cameras=(1, 2), days=(1, 2))
    write_image(tmp_path / "exp_2", "Camera2", "anomaly", "9_drill_10_0.5_0_red.png", side=3)
    run(tmp_path / "exp_2", tmp_path / "test", anomaly=True, min_pixel=MIN_PIXEL)
    report = json.loads((tmp_path / "test" / "report.json").read_text())
    assert report["accepted"] == 16 and report["rejected"] == 1
    assert report["by_split"] == {"test": 16}
    assert report["by_camera"]["Camera2"] == {"accepted": 8, "rejected": {"anomaly_too_small": 1}}
    assert report["by_anomaly"] == {"drill": 8, "solar_panel": 8}
    assert report["by_illumination"] == {"1": 8, "10": 8}
    # areas as shares of the 64x36 frame: 100 px is 4.3 %, in the 2-5 % bin (46-115 px here)
    assert report["settings"]["shape"] == [64, 36]
    histogram = report["anomaly_area_share"]["histogram"]
    full = [b for b in histogram if b["count"]]
    assert full == [{"from_share": 0.02, "to_share": 0.05, "from_px": 46, "to_px": 115,
                     "count": 16}]
    sheet = Image.open(tmp_path / "test" / "contact_sheet.png")
    assert sheet.mode == "RGB" and 600 < sheet.width < 2000 and sheet.height > 200
    pixels = np.asarray(sheet)
    assert (pixels == (60, 255, 60)).all(axis=2).any()  # anomaly outline drawn
    assert (pixels == (255, 80, 40)).all(axis=2).any()  # anomaly class in the mask panel


@pytest.mark.parametrize("mistake", ["missing_input", "no_cameras", "output_is_file",
                                     "output_under_file", "output_inside_input",
                                     "log_folder_missing", "ratio_with_anomaly",
                                     "anomaly_flag_on_normal", "normal_into_anomalous_split"])
def test_mistakes_raise_user_error_and_write_nothing(tmp_path, mistake):
    make_normal_exp(tmp_path / "exp_1", cameras=(1,), days=(1,))
    (tmp_path / "empty").mkdir()
    (tmp_path / "file").write_text("x")
    make_anomaly_exp(tmp_path / "exp_2", cameras=(1,), days=(1,))
    run(tmp_path / "exp_2", tmp_path / "test", anomaly=True, min_pixel=MIN_PIXEL)
    settings = {"input": tmp_path / "exp_1", "output": tmp_path / "train"}
    settings.update({
        "missing_input": {"input": tmp_path / "nope"},
        "no_cameras": {"input": tmp_path / "empty"},
        "output_is_file": {"output": tmp_path / "file"},
        "output_under_file": {"output": tmp_path / "file" / "train"},
        "output_inside_input": {"output": tmp_path / "exp_1" / "train"},
        "log_folder_missing": {"log_file": tmp_path / "logs" / "run.log"},
        "ratio_with_anomaly": {"anomaly": True, "normal_test_ratio": 0.2},
        "anomaly_flag_on_normal": {"anomaly": True},
        "normal_into_anomalous_split": {"output": tmp_path / "test"},
    }[mistake])
    before = tree(tmp_path)
    with pytest.raises(UserError):
        postprocess(PostprocessRequest(**settings))
    assert tree(tmp_path) == before


def test_twins_become_normal_test_images_and_reference_pairs(tmp_path):
    exp = tmp_path / "exp_2"
    rendered = make_anomaly_exp(exp, cameras=(1, 2), days=(1,), illuminations=(1, 10), twins=True)
    write_manifest(exp, rendered)
    summary = run(exp, tmp_path / "test", anomaly=True, min_pixel=MIN_PIXEL)
    assert summary.twins == 4 and summary.total_accepted == 12
    test = tmp_path / "test"
    for camera in ("Camera1", "Camera2"):
        normal = sorted(p.name for p in (test / camera / "normal" / "images").iterdir())
        assert normal == sorted(["1_normal_1.png", "1_normal_10.png"])
        for name in normal:   # a normal test image: its image byte for byte, a 0/1 mask
            assert (test / camera / "normal" / "images" / name).read_bytes() == \
                (exp / camera / "reference" / name).read_bytes()
            mask = read(test / camera / "normal" / "masks" / name)
            fb = read(exp / camera / "reference_fb_mask" / name)
            assert np.array_equal(mask, (fb == 255).astype(np.uint8))
        # the pairs: reference/ holds the same names as images/, each its lighting's twin
        images = sorted(p.name for p in (test / camera / "images").iterdir())
        assert sorted(p.name for p in (test / camera / "reference").iterdir()) == images
        for name in images:
            twin = f"{name.split('_')[0]}_normal_{name[:-4].split('_')[-4]}.png"
            assert (test / camera / "reference" / name).read_bytes() == \
                (exp / camera / "reference" / twin).read_bytes()
    records = {r["source"]["image"]: r for r in manifest(test)}
    twin_record = records["Camera1/reference/1_normal_10.png"]
    assert twin_record["kind"] == "normal" and twin_record["twin"] and twin_record["split"] == "test"
    anomalous = [r for r in records.values() if r["kind"] == "anomaly"]
    assert all(r["reference"] == r["image"].replace("/images/", "/reference/") for r in anomalous)
    assert "4 of them anomaly-free twins" in summary.lines()[-1]


def test_an_anomalous_image_whose_linked_twin_is_gone_is_rejected_whole(tmp_path):
    exp = tmp_path / "exp_2"
    rendered = make_anomaly_exp(exp, cameras=(1, 2), days=(1,), illuminations=(10,),
                                twins=True)   # Camera2 keeps its twin: the split is not empty
    write_manifest(exp, rendered)
    (exp / "Camera1" / "reference" / "1_normal_10.png").unlink()
    summary = run(exp, tmp_path / "test", anomaly=True, min_pixel=MIN_PIXEL)
    assert summary.rejected == {"Camera1": {"missing_image": 1, "missing_reference": 2}}
    assert summary.accepted == {"Camera2": 3}
    assert not (tmp_path / "test" / "Camera1" / "images").exists()
    assert not (tmp_path / "test" / "Camera1" / "reference").exists()
