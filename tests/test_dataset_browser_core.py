"""The dataset browser's reading, filtering and counting, and its overlay: no Blender.

(test_dataset_browser.py points the panel at a real rendered batch in real Blender.)"""

import json
from collections import Counter

import numpy as np
import pytest

from allo_addon.core.views.dataset_browser import (ALL, UNSPLIT, Filters, facet_counts, key_fields,
                                                   open_dataset, select, values)
from allo_addon.core.errors import UserError
from allo_addon.core.views.mask_overlay import classes_from_masks, compose, outline


def exp_record(camera, day, kind, name, pose=True):
    folder = {"normal": "normal", "anomaly": "anomaly", "reference": "reference"}[kind]
    masks = {"fb_mask": f"{camera}/fb_mask/{name}"}
    if kind == "anomaly":
        masks["anomaly_mask"] = f"{camera}/anomaly_mask/{name}"
    record = {"camera": camera, "day": day, "kind": kind, "image": f"{camera}/{folder}/{name}",
              "masks": masks, "intrinsics": {"lens_mm": 25.0, "sensor_width_mm": 36.0}}
    if pose:
        record["camera_pose"] = {"location": [1.0, -2.5, 3.25],
                                 "rotation_euler_xyz": [0.5, 0.0, -1.5]}
    return record


def write_manifest(folder, records, tail=""):
    folder.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps(r) + "\n" for r in records) + tail
    (folder / "manifest.jsonl").write_text(text)
    return folder


EXP = [exp_record("Camera2", 17, "anomaly", "17_drill_2_-1_0_default.png"),
       exp_record("Camera2", 17, "reference", "17_normal_2.png"),
       exp_record("Camera10", 17, "anomaly", "17_drill_2_-1_0_default.png"),
       exp_record("Camera10", 18, "anomaly", "18_blanket_6_-1_0_default.png"),
       exp_record("Camera10", 18, "normal", "18_normal_6.png")]


def test_an_exp_folder_lists_each_record_with_camera_day_kind(tmp_path):
    dataset = open_dataset(write_manifest(tmp_path / "exp_3", EXP))
    assert dataset.kind == "exp"
    assert [(e.camera, e.day, e.kind, e.split) for e in dataset.entries] == [
        (r["camera"], r["day"], r["kind"], UNSPLIT) for r in EXP]
    assert dataset.entries[0].masks == ("Camera2/fb_mask/17_drill_2_-1_0_default.png",
                                        "Camera2/anomaly_mask/17_drill_2_-1_0_default.png")
    assert not dataset.entries[0].three_class


def test_counts_are_the_manifests_and_each_facet_counts_what_the_other_filters_keep(tmp_path):
    entries = open_dataset(write_manifest(tmp_path / "exp_1", EXP)).entries
    everything = Filters()
    for field in ("camera", "day", "kind"):
        assert facet_counts(entries, everything, field) == dict(Counter(r[field] for r in EXP))
    # natural order: Camera2 before Camera10
    assert list(facet_counts(entries, everything, "camera")) == ["Camera2", "Camera10"]
    anomalies = Filters(kind="anomaly")
    assert facet_counts(entries, anomalies, "camera") == {"Camera2": 1, "Camera10": 2}
    # the kind menu still counts every kind (its own filter is not applied to it)
    assert facet_counts(entries, anomalies, "kind") == {"anomaly": 3, "normal": 1,
                                                        "reference": 1}
    day18 = Filters(camera="Camera2", day=18)
    assert facet_counts(entries, day18, "kind") == {"anomaly": 0, "normal": 0, "reference": 0}
    assert select(entries, day18) == []


def test_select_keeps_what_every_filter_allows(tmp_path):
    entries = open_dataset(write_manifest(tmp_path / "exp_1", EXP)).entries
    assert select(entries, Filters()) == list(entries)
    chosen = select(entries, Filters(camera="Camera10", day=18, kind=ALL, split=UNSPLIT))
    assert [e.image for e in chosen] == [EXP[3]["image"], EXP[4]["image"]]
    assert select(entries, Filters(split="train")) == []
    assert values(entries, "day") == [17, 18]


def split_line(record, split, twin=False, render=True):
    name = record["image"].rsplit("/", 1)[-1]
    camera = record["camera"]
    folder = f"{camera}/normal" if twin or (split == "test" and record["kind"] == "normal") \
        else camera
    return {"split": split, "camera": camera, "kind": "normal" if twin else record["kind"],
            "twin": twin, "image": f"{folder}/images/{name}", "mask": f"{folder}/masks/{name}",
            "source": {"exp": "exp_2", "image": record["image"]},
            "render": record if render else None}


def test_a_split_folder_lists_train_and_test_twins_as_references(tmp_path):
    lines = [split_line(EXP[0], "test"), split_line(EXP[1], "test", twin=True),
             split_line(EXP[4], "train", render=False)]
    dataset = open_dataset(write_manifest(tmp_path / "test", lines))
    assert dataset.kind == "split"
    entry, twin, no_render = dataset.entries
    assert (entry.camera, entry.day, entry.kind, entry.split) == ("Camera2", 17, "anomaly", "test")
    assert entry.masks == ("Camera2/masks/17_drill_2_-1_0_default.png",) and entry.three_class
    assert (twin.kind, twin.split) == ("reference", "test")
    # no render record (its exp's manifest was gone): the day comes from the file name
    assert (no_render.day, no_render.kind, no_render.split) == (18, "normal", "train")
    assert entry.pose().location == (1.0, -2.5, 3.25)
    with pytest.raises(UserError, match="18_normal_6.png has no render.camera_pose"):
        no_render.pose()


def test_the_pose_is_the_manifests_after_jitter_with_its_lens(tmp_path):
    records = [EXP[0], exp_record("Camera1", 1, "normal", "1_normal_2.png", pose=False)]
    entries = open_dataset(write_manifest(tmp_path / "exp_1", records)).entries
    pose = entries[0].pose()
    assert pose.location == (1.0, -2.5, 3.25) and pose.rotation_euler_xyz == (0.5, 0.0, -1.5)
    assert (pose.lens_mm, pose.sensor_width_mm) == (25.0, 36.0)
    with pytest.raises(UserError, match=r"Camera1/normal/1_normal_2.png has no camera_pose"):
        entries[1].pose()


@pytest.mark.parametrize("make, expected", [
    (lambda p: p, "does not exist"),
    (lambda p: (p.write_text("x"), p)[1], "is a file, not a folder"),
    (lambda p: (p.mkdir(), p)[1], "has no manifest.jsonl"),
])
def test_a_folder_that_is_no_dataset_is_one_clear_error(tmp_path, make, expected):
    folder = make(tmp_path / "exp_9")
    with pytest.raises(UserError, match=expected) as error:
        open_dataset(folder)
    assert str(folder) in str(error.value)


def test_a_damaged_line_names_it_and_a_torn_last_line_is_skipped(tmp_path):
    damaged = write_manifest(tmp_path / "exp_1", EXP[:2], tail="")
    with open(damaged / "manifest.jsonl", "a") as handle:
        handle.write("{not json\n" + json.dumps(EXP[2]) + "\n")
    with pytest.raises(UserError, match=r"manifest.jsonl: line 3 is not a render record"):
        open_dataset(damaged)
    torn = write_manifest(tmp_path / "exp_2", EXP[:2], tail='{"image": "Camera2/no')
    assert len(open_dataset(torn).entries) == 2


def test_an_empty_manifest_is_an_empty_dataset(tmp_path):
    dataset = open_dataset(write_manifest(tmp_path / "exp_1", []))
    assert dataset.entries == () and facet_counts(dataset.entries, Filters(), "camera") == {}


# --- overlay ----------------------------------------------------------------------------------

def test_classes_from_an_exp_folders_masks():
    fb = np.array([[0, 255, 255], [0, 255, 0]], dtype=np.uint8)
    anomaly = np.array([[0, 0, 255], [0, 0, 0]], dtype=np.uint8)
    assert classes_from_masks(fb, anomaly).tolist() == [[0, 1, 2], [0, 1, 0]]
    assert classes_from_masks(fb, None).tolist() == [[0, 1, 1], [0, 1, 0]]


def test_the_outline_is_the_inner_edge_of_the_region():
    region = np.zeros((6, 6), dtype=bool)
    region[1:5, 1:5] = True
    edge = outline(region)
    assert not (edge & ~region).any()            # never outside
    assert edge.sum() == 12 and not edge[2:4, 2:4].any()


def test_the_overlay_changes_only_pixels_that_are_not_space():
    rng = np.random.default_rng(5)
    rgb = rng.random((20, 30, 3)).astype(np.float32)
    classes = np.zeros((20, 30), dtype=np.uint8)
    classes[2:15, 3:25] = 1
    classes[5:9, 6:12] = 2
    over = compose(rgb, classes, "OVERLAY")
    changed = (over != rgb).any(axis=2)
    assert not changed[classes == 0].any()
    assert changed[classes > 0].all()           # every station and anomaly pixel is tinted
    assert np.array_equal(compose(rgb, classes, "IMAGE"), rgb)
    mask = compose(rgb, classes, "MASK")
    assert len({tuple(mask[classes == c][0]) for c in (0, 1, 2)}) == 3
    assert (mask[classes == 0] == 0).all()


def test_key_fields_of_an_anomalous_record(tmp_path):
    record = {**EXP[0], "epoch": "2026-01-17T00:00:00Z", "sun_strength": 2.0,
              "anomaly": {"name": "drill", "scale_label": "-1", "colour": "default"},
              "anomaly_pixels": 321}
    record["camera_pose"] = {**record["camera_pose"], "jitter_redraws": 0}
    entry = open_dataset(write_manifest(tmp_path / "exp_1", [record])).entries[0]
    fields = dict(key_fields(entry))
    assert fields["Day"] == "17" and fields["UTC"] == "2026-01-17T00:00:00Z"
    assert fields["Anomaly"] == "drill -1 default" and fields["Anomaly pixels"] == "321"
    assert fields["Location"] == "1.000, -2.500, 3.250" and fields["Jitter"] == "first draw"
    line = open_dataset(write_manifest(tmp_path / "test", [split_line(record, "test")])).entries[0]
    assert dict(key_fields(line))["From"] == f"exp_2/{record['image']}"
