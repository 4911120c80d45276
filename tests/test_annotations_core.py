"""Annotations without Blender: pass conversions, the EXR files, the config key, and the
post-process carrying the files (core/dataset/annotations.py, core/postprocess/)."""

import json

import numpy as np
import pytest

from allo_addon.core.dataset import annotations as ann
from allo_addon.core.dataset.config import config_from_dict
from allo_addon.core.dataset.mask_classes import ANOMALY, SPACE, STATION_OR_BODY, masks_from_index
from allo_addon.core.errors import UserError
from allo_addon.core.postprocess import PostprocessRequest, postprocess
from postprocess_tree import SIZE, make_anomaly_exp, read, tree, write_manifest


# --- EXR ----------------------------------------------------------------------------------
@pytest.mark.parametrize("height", [1, 16, 37])
def test_exr_round_trip_is_exact(tmp_path, height):
    rng = np.random.default_rng(height)
    noisy = rng.normal(size=(height, 21)).astype(np.float32)         # zlib cannot shrink it
    smooth = np.tile(np.arange(21, dtype=np.float32), (height, 1))  # ZIP-compressed chunks
    path = tmp_path / "x.exr"
    ann.write_exr(path, {"R": noisy, "G": smooth, "B": np.zeros_like(noisy)})
    back = ann.read_exr(path)
    assert sorted(back) == ["B", "G", "R"]
    assert np.array_equal(back["R"], noisy) and np.array_equal(back["G"], smooth)
    assert np.array_equal(back["B"], np.zeros_like(noisy))


def test_exr_compresses_smooth_data(tmp_path):
    depth = np.full((180, 320), 7.25, np.float32)
    ann.write_exr(tmp_path / "d.exr", {"Y": depth})
    assert (tmp_path / "d.exr").stat().st_size < depth.nbytes / 20


# --- conversions --------------------------------------------------------------------------
def _index(rows):
    """An index pass from rows given top first (Blender's passes are bottom row first)."""
    return np.array(rows, np.float32)[::-1]


def test_depth_is_the_pass_top_row_first_and_zero_on_space():
    index = _index([[0, 1], [2, 17]])
    z = _index([[1e10, 3.5], [2.0, 9.0]])
    assert ann.depth_from_pass(z, index).tolist() == [[0.0, 3.5], [2.0, 9.0]]


def test_parts_encoding_leaves_the_masks_unchanged():
    plain = _index([[SPACE, STATION_OR_BODY, ANOMALY, STATION_OR_BODY]])
    parted = _index([[SPACE, ann.part_pass_index(1), ANOMALY, ann.part_pass_index(12)]])
    for key in ("fb_mask", "anomaly_mask"):
        assert np.array_equal(masks_from_index(plain)[key], masks_from_index(parted)[key])
    assert ann.parts_from_index(parted).tolist() == [[0, 1, 0, 12]]
    assert ann.parts_from_index(plain).tolist() == [[0, 0, 0, 0]]   # no parts asked for


def test_part_table_numbers_from_one_and_refuses_more_than_fit_8_bits():
    assert ann.part_table(["PPE", "HALO"]) == {1: "PPE", 2: "HALO"}
    assert ann.part_pass_index(ann.MAX_PARTS) == 255
    with pytest.raises(ValueError, match="at most"):
        ann.part_table(str(i) for i in range(ann.MAX_PARTS + 1))


def _look_at(forward, up):
    """A camera rotation (columns: camera x, y, z in world space); the camera looks down -z."""
    z = -np.asarray(forward, float) / np.linalg.norm(forward)
    x = np.cross(up, z)
    x /= np.linalg.norm(x)
    return np.stack([x, np.cross(z, x), z], axis=1)


def test_normals_are_in_camera_space_unit_length_and_zero_on_space():
    rotation = _look_at(forward=(0, 1, 0), up=(0, 0, 1))   # camera looks along world +y
    world = np.zeros((1, 4, 3), np.float32)
    world[0, 0] = (0, -1, 0)        # a wall facing the camera
    world[0, 1] = (0, 0, 0.5)       # a floor, half length (an averaged edge pixel)
    world[0, 2] = (1, 0, 0)         # space: whatever the pass holds there is dropped
    world[0, 3] = (1, 0, 0)         # a wall facing world +x: camera right
    index = np.array([[1, 17, 0, 2]], np.float32)
    camera = ann.normals_to_camera(world, rotation, index)
    assert np.allclose(camera[0], [(0, 0, 1), (0, 1, 0), (0, 0, 0), (1, 0, 0)], atol=1e-6)


def test_normals_ignore_the_camera_scale():
    rotation = _look_at(forward=(1, 0, 0), up=(0, 0, 1))
    world = np.array([[[-1, 0, 0]]], np.float32)
    scaled = ann.normals_to_camera(world, rotation * 3.0, np.ones((1, 1), np.float32))
    assert np.allclose(scaled[0, 0], (0, 0, 1), atol=1e-6)


def test_ray_distance_from_z_depth():
    depth = np.full((2, 2), 10.0, np.float32)
    # pixel (0, 0)'s centre is 1 px left of and 1 px above cx, cy, with fx = fy = 1 px
    distance = ann.ray_distance(depth, fx=1.0, fy=1.0, cx=1.5, cy=1.5)
    assert distance[0, 0] == pytest.approx(10.0 * np.sqrt(3.0))
    assert distance[1, 1] == pytest.approx(10.0)


def test_paths_beside_the_masks_twins_in_reference_folders():
    assert ann.relative_path("Camera2", "3_normal_10.png", "depth") == \
        "Camera2/depth/3_normal_10.exr"
    assert ann.relative_path("Camera2", "3_normal_10.png", "parts", twin=True) == \
        "Camera2/reference_parts/3_normal_10.png"


# --- config -------------------------------------------------------------------------------
def test_config_key_is_optional_and_kept_in_a_fixed_order():
    assert config_from_dict({}).annotations == ()
    assert config_from_dict({"annotations": ["parts", "depth", "parts"]}).annotations == \
        ("depth", "parts")
    assert config_from_dict({"annotations": "normals"}).annotations == ("normals",)


@pytest.mark.parametrize("value, message", [
    (["depth", "albedo"], "key 'annotations[1]' is 'albedo', expected one of depth, normals, parts"),
    ({"depth": 1}, "key 'annotations' is {'depth': 1}, expected a list drawn from depth, normals"),
])
def test_config_refuses_unknown_annotations(value, message):
    with pytest.raises(UserError, match=message.replace("[", r"\[").replace("]", r"\]")
                       .replace("{", r"\{").replace("}", r"\}")):
        config_from_dict({"annotations": value})


# --- post-process -------------------------------------------------------------------------
def _annotated_exp(exp):
    rendered = make_anomaly_exp(exp, cameras=(1,), days=(1,), illuminations=(10,), twins=True)
    files = {}
    for r in rendered:
        twin = r.kind == "reference"
        depth = np.full(SIZE[::-1], 5.0 + len(files), np.float32)
        for kind in ann.KINDS:
            path = exp / ann.relative_path(r.camera, r.name, kind, twin)
            path.parent.mkdir(parents=True, exist_ok=True)
            if kind == ann.PARTS:
                from PIL import Image
                Image.fromarray((read(exp / r.camera / ("reference_fb_mask" if twin else "fb_mask")
                                      / r.name) > 0).astype(np.uint8) * 3).save(path)
            else:
                ann.write_exr(path, {"Y": depth})
            files[(r.camera, r.name, kind)] = path
    write_manifest(exp, rendered, extra={"annotations": {"files": {k: "x" for k in ann.KINDS}}})
    return rendered, files


def test_postprocess_carries_listed_annotations_beside_images_and_masks(tmp_path):
    rendered, files = _annotated_exp(tmp_path / "exp_1")
    postprocess(PostprocessRequest(input=tmp_path / "exp_1", output=tmp_path / "test",
                                   anomaly=True, min_pixel=50, shape=SIZE, workers=1))
    written = tree(tmp_path / "test")
    records = [json.loads(line) for line in
               (tmp_path / "test" / "manifest.jsonl").read_text().splitlines()]
    assert len(records) == len(rendered)
    for record in records:
        folder = record["image"].rsplit("/images/", 1)[0]
        stem = record["image"].rsplit("/", 1)[1][:-4]
        expected = {kind: f"{folder}/{kind}/{stem}{ann.EXTENSIONS[kind]}" for kind in ann.KINDS}
        assert record["annotations"] == expected
        assert set(expected.values()) <= set(written)
        source = record["source"]["image"]
        camera, kind_folder, name = source.split("/")
        original = files[(camera, name, ann.DEPTH)]
        assert (tmp_path / "test" / expected[ann.DEPTH]).read_bytes() == original.read_bytes()


def test_postprocess_rejects_an_image_whose_listed_annotation_is_missing(tmp_path):
    rendered, files = _annotated_exp(tmp_path / "exp_1")
    victim = next(r for r in rendered if r.kind == "anomaly")
    files[(victim.camera, victim.name, ann.NORMALS)].unlink()
    summary = postprocess(PostprocessRequest(input=tmp_path / "exp_1", output=tmp_path / "test",
                                             anomaly=True, min_pixel=50, shape=SIZE, workers=1))
    assert summary.rejected == {victim.camera: {"missing_annotation": 1}}
    log = (tmp_path / "test" / "postprocess.log").read_text()
    assert f"no {victim.camera}/normals/{victim.name[:-4]}.exr" in log
    assert not any(victim.name[:-4] in path for path in tree(tmp_path / "test")
                   if not path.endswith((".log", ".json", ".jsonl")) and "reference" not in path)


def test_postprocess_without_annotations_writes_no_annotation_folder(tmp_path):
    rendered = make_anomaly_exp(tmp_path / "exp_1", cameras=(1,), days=(1,), illuminations=(10,))
    write_manifest(tmp_path / "exp_1", rendered)
    postprocess(PostprocessRequest(input=tmp_path / "exp_1", output=tmp_path / "test",
                                   anomaly=True, min_pixel=50, shape=SIZE, workers=1))
    assert not any(part in ann.KINDS for path in tree(tmp_path / "test")
                   for part in path.split("/"))


def test_the_dry_run_names_the_annotations_only_when_asked(tmp_path):
    from allo_addon.core.dataset.batch_request import BatchRequest, describe_plan, prepare_batch
    lines = {}
    for name, extra in (("with", {"annotations": ["normals", "depth"]}), ("without", {})):
        config = config_from_dict({"start_day": 1, "end_day": 1, "cams": [0],
                                   "output_dir": str(tmp_path), **extra})
        batch = prepare_batch(BatchRequest(None, 1, config=config, dry_run=True))
        lines[name] = describe_plan(batch).splitlines()
    assert [line for line in lines["with"] if line not in lines["without"]] == [
        "annotations: depth, normals (Camera<K>/<kind>/ beside the masks, from the same render)"]


def test_mvtec_layout_carries_annotations_beside_its_masks_folder(tmp_path):
    rendered, _ = _annotated_exp(tmp_path / "exp_1")
    postprocess(PostprocessRequest(input=tmp_path / "exp_1", output=tmp_path / "mvtec",
                                   anomaly=True, min_pixel=50, shape=SIZE, workers=1,
                                   layout="mvtec"))
    records = [json.loads(line) for line in
               (tmp_path / "mvtec" / "manifest.jsonl").read_text().splitlines()]
    assert len(records) == len(rendered)
    for record in records:
        # Camera1/test/<label>/<name>.png -> <kind>/Camera1/test/<label>/<stem>.<ext>
        image = record["image"]
        for kind in ann.KINDS:
            expected = f"{kind}/{image[:-4]}{ann.EXTENSIONS[kind]}"
            assert record["annotations"][kind] == expected
            assert (tmp_path / "mvtec" / expected).is_file()


def test_a_category_cannot_take_an_annotation_folder_name():
    from allo_addon.core.postprocess.output_layout import check_category
    assert "holds that annotation" in check_category("depth")
    assert check_category("station") is None
