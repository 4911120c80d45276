"""Real Blender, real Cycles, 64x36 at 4 spp: `annotations: [depth, normals, parts]` from the
same render as the beauty image and masks, checked against the station's own geometry."""

import json

import numpy as np
import pytest
from PIL import Image

from allo_addon.core.dataset import annotations as ann

pytestmark = pytest.mark.blender

SETTINGS = {"start_day": 1, "end_day": 1, "cams": [0], "resolution": [64, 36], "samples": 4,
            "denoise": False, "min_pixel": 10, "sun_strength": [10], "depths": [0],
            "scales": [1], "colours": ["red"], "anomalies": ["drill"], "output_dir": "renders"}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """(exp with every annotation, exp of the same batch without the key): one anomalous image
    and its twin each, rendered in this order in one process (the GUI's case: the scene is
    reused, so the second batch must not keep the first one's passes)."""
    bpy = pytest.importorskip("bpy")
    from allo_addon.headless.blender_session import ensure_registered
    ensure_registered()
    import yaml
    exps = []
    for name, extra in (("annotated", {"annotations": list(ann.KINDS)}), ("plain", {})):
        folder = tmp_path_factory.mktemp(name)
        config = folder / "render_config.yaml"
        config.write_text(yaml.safe_dump({**SETTINGS, **extra}))
        assert bpy.ops.allo.render_batch(config=str(config), exp_num=1, anomaly=True,
                                         modes=set()) == {"FINISHED"}
        exps.append(folder / "renders" / "exp_1")
    return exps


def records(exp):
    return [json.loads(line) for line in (exp / "manifest.jsonl").read_text().splitlines()]


def load(path):
    return np.asarray(Image.open(path))


def annotations_of(exp, record):
    files = record["annotations"]["files"]
    normals = ann.read_exr(exp / files["normals"])
    return (ann.read_exr(exp / files["depth"])["Y"],
            np.stack([normals["R"], normals["G"], normals["B"]], axis=2),
            load(exp / files["parts"]))


def surface(exp, record):
    """Where the pixel sees a surface: the station, a body or the anomaly."""
    seen = load(exp / record["masks"]["fb_mask"]) > 0
    if "anomaly_mask" in record["masks"]:
        seen |= load(exp / record["masks"]["anomaly_mask"]) > 0
    return seen


def test_every_image_has_each_annotation_listed_in_its_record(rendered):
    exp, _ = rendered
    found = records(exp)
    assert {r["kind"] for r in found} == {"anomaly", "reference"}
    for record in found:
        info = record["annotations"]
        assert sorted(info["files"]) == sorted(ann.KINDS)
        for kind, path in info["files"].items():
            assert (exp / path).is_file()
            twin = record["kind"] == "reference"
            assert path == ann.relative_path(record["camera"], record["image"].split("/")[-1],
                                             kind, twin)
        assert info["part_names"]["1"] == "PPE"
        assert {"HALO", "IHab", "Logistics", "Radiators", "moon", "earth", "sun"} <= set(
            info["part_names"].values())
        assert len(info["camera_matrix_world"]) == 4


def test_without_the_key_the_output_is_the_same_bytes_and_nothing_more(rendered):
    annotated, plain = rendered
    plain_files = sorted(p.relative_to(plain).as_posix() for p in plain.rglob("*")
                         if p.is_file() and ".partial" not in p.parts)
    assert not any(part.removeprefix(ann.REFERENCE_PREFIX) in ann.KINDS
                   for path in plain_files for part in path.split("/"))
    for record in records(plain):
        assert "annotations" not in record
        # measured: the extra passes and part ids do not change a single beauty or mask byte
        for path in [record["image"], *record["masks"].values()]:
            assert (annotated / path).read_bytes() == (plain / path).read_bytes(), path


def test_parts_cover_exactly_the_fb_mask_with_ids_from_the_table(rendered):
    exp, _ = rendered
    for record in records(exp):
        _, _, parts = annotations_of(exp, record)
        table = {int(k) for k in record["annotations"]["part_names"]}
        ids = set(np.unique(parts).tolist()) - {0}
        assert ids and ids <= table
        assert np.array_equal(parts > 0, load(exp / record["masks"]["fb_mask"]) > 0)


def test_depth_and_normals_are_set_exactly_where_a_surface_is_seen(rendered):
    exp, _ = rendered
    for record in records(exp):
        depth, normals, _ = annotations_of(exp, record)
        seen = surface(exp, record)
        assert np.all(np.isfinite(depth)) and np.all(depth[seen] > 0)
        assert np.all(depth[~seen] == 0)
        length = np.linalg.norm(normals, axis=2)
        assert np.allclose(length[seen], 1.0, atol=1e-5)
        assert np.all(length[~seen] == 0)


@pytest.fixture(scope="module")
def station_rays(rendered):
    """Cast rays at the built-in station itself (a fresh copy, as the render built it)."""
    import bpy
    from allo_addon.scene.assembly import station_bvh
    from allo_addon.scene.builtin.station import build_station
    scene = bpy.data.scenes.new("annotation check")
    collection = bpy.data.collections.new("annotation check")
    scene.collection.children.link(collection)
    objects = build_station(collection)
    layer = scene.view_layers[0]
    layer.update()
    return station_bvh(objects, layer.depsgraph), len(objects)


def _interior(parts, station_parts):
    """Pixels of one station part whose 8 neighbours are that part too."""
    inner = (parts > 0) & (parts <= station_parts)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            inner[1:-1, 1:-1] &= parts[1 + dy:parts.shape[0] - 1 + dy,
                                       1 + dx:parts.shape[1] - 1 + dx] == parts[1:-1, 1:-1]
    inner[[0, -1], :] = inner[:, [0, -1]] = False
    return inner


def test_depth_and_normals_match_the_station_geometry(rendered, station_rays):
    """Cycles' first sample of a pixel lands within ±0.75 px of its centre (the 1.5 px pixel
    filter), so the depth must lie between the nearest and farthest z-depth of rays cast at
    the centre and at ±0.75 px; the ray length (not what we document) must not."""
    from mathutils import Vector
    bvh, station_parts = station_rays
    exp, _ = rendered
    record = next(r for r in records(exp) if r["kind"] == "reference")   # no anomaly in view
    depth, normals, parts = annotations_of(exp, record)
    cam = np.array(record["annotations"]["camera_matrix_world"])
    rotation, origin = cam[:3, :3], Vector(cam[:3, 3])
    k = record["intrinsics"]
    ys, xs = np.nonzero(_interior(parts, station_parts))
    assert len(ys) >= 20, "too few station pixels to check"
    z_inside = ray_inside = 0
    angles = []
    for y, x in zip(ys, xs):
        zs, rays = [], []
        for dy in (-0.75, 0.0, 0.75):
            for dx in (-0.75, 0.0, 0.75):
                d = np.array([(x + 0.5 + dx - k["cx"]) / k["fx"],
                              -(y + 0.5 + dy - k["cy"]) / k["fy"], -1.0])
                hit, normal, _, distance = bvh.ray_cast(origin, Vector(rotation @ d))
                if hit is None:
                    continue
                zs.append(distance / np.linalg.norm(d))   # the ray's length along camera -z
                rays.append(distance)
                if dx == dy == 0.0:
                    face = np.array(normal) @ rotation   # world -> camera
                    angles.append(np.degrees(np.arccos(np.clip(face @ normals[y, x], -1, 1))))
        margin = 1e-3 * depth[y, x]
        z_inside += min(zs) - margin <= depth[y, x] <= max(zs) + margin
        ray_inside += min(rays) - margin <= depth[y, x] <= max(rays) + margin
    print(f"{len(ys)} pixels: z-depth fits {z_inside}, ray length fits {ray_inside}; normals "
          f"off the face by {np.median(angles):.2f} deg (median), {np.max(angles):.2f} (max)")
    assert z_inside == len(ys)
    assert ray_inside < len(ys)
    assert np.median(angles) < 10.0   # smooth-shaded hulls: the face's normal differs a little


def test_postprocess_carries_the_rendered_annotations(rendered, tmp_path):
    from allo_addon.core.postprocess import PostprocessRequest, postprocess
    exp, _ = rendered
    postprocess(PostprocessRequest(input=exp, output=tmp_path / "test", anomaly=True,
                                   min_pixel=1, workers=1))
    out = [json.loads(line) for line in (tmp_path / "test" / "manifest.jsonl").read_text()
           .splitlines()]
    assert len(out) == len(records(exp))
    for record in out:
        listed = record["render"]["annotations"]["files"]
        assert sorted(record["annotations"]) == sorted(ann.KINDS)
        for kind, path in record["annotations"].items():
            assert (tmp_path / "test" / path).read_bytes() == (exp / listed[kind]).read_bytes()


def test_a_users_station_is_one_part_named_after_its_object(write_config, tmp_path):
    import subprocess
    import sys
    from conftest import run_cli
    from test_user_assets_render import MAKE_MODELS
    models = tmp_path / "models"
    models.mkdir()
    made = subprocess.run([sys.executable, "-c", MAKE_MODELS, str(models)], capture_output=True,
                          text=True)
    assert made.returncode == 0, made.stderr
    (tmp_path / "poses.csv").write_text("split,index,x,y,z,rx,ry,rz\ntrain,0,0,-20,0,1.5708,0,0\n")
    config = write_config(cad_models_path="models", camera_poses="poses.csv", cams=[0],
                          start_day=1, end_day=1, sun_strength=[10], resolution=[64, 36],
                          pose_jitter={"position": 0, "rotation": 0}, annotations=["parts"])
    result = run_cli("render", "--config", config, "--exp_num", 1)
    assert result.returncode == 0, result.stdout + result.stderr
    exp = tmp_path / "renders" / "exp_1"
    record = records(exp)[0]
    assert record["annotations"]["part_names"] == {"1": "ISS", "2": "moon", "3": "sun",
                                                   "4": "earth"}
    assert sorted(record["annotations"]["files"]) == ["parts"]
    parts = load(exp / record["annotations"]["files"]["parts"])
    assert np.array_equal(parts > 0, load(exp / record["masks"]["fb_mask"]) > 0)
    assert parts[18, 32] == 1   # the 10 m box fills the middle of the view


@pytest.mark.parametrize("channels", [("Y",), ("B", "G", "R")])
def test_blender_reads_our_exr_files_exactly(tmp_path, channels):
    """write_exr is our own writer: Blender's OpenEXR reader must see the same floats."""
    bpy = pytest.importorskip("bpy")
    from allo_addon.scene.renderer import read_pixels
    y, x = np.mgrid[0:37, 0:21]
    planes = {name: ((x * 0.5 + y * 100.25) * (i + 1) - 7).astype(np.float32)
              for i, name in enumerate(channels)}
    planes[channels[0]][:20] = 0.0   # whole ZIP chunks of zeros beside incompressible ones
    ann.write_exr(tmp_path / "x.exr", planes)
    pixels = read_pixels(tmp_path / "x.exr")[::-1]   # Blender's rows are bottom first
    order = ("R", "G", "B") if len(channels) == 3 else channels
    for i, name in enumerate(order):
        assert np.array_equal(pixels[:, :, i], planes[name]), name
    assert bpy.data.images.get("x.exr") is None   # read_pixels removed its datablock


def test_a_sensor_with_lens_distortion_remaps_the_annotations_as_the_masks(tmp_path):
    """gateway_inspection has barrel distortion: masks and annotations take the same remap,
    so they still agree pixel for pixel (and black corners have no surface in either)."""
    bpy = pytest.importorskip("bpy")
    from allo_addon.headless.blender_session import ensure_registered
    import yaml
    ensure_registered()
    config = tmp_path / "render_config.yaml"
    config.write_text(yaml.safe_dump({**SETTINGS, "sensor": "gateway_inspection",
                                      "annotations": list(ann.KINDS)}))
    assert bpy.ops.allo.render_batch(config=str(config), exp_num=1, anomaly=True,
                                     modes=set()) == {"FINISHED"}
    exp = tmp_path / "renders" / "exp_1"
    for record in records(exp):
        assert record["sensor"]["distortion"][0] != 0
        depth, normals, parts = annotations_of(exp, record)
        seen = surface(exp, record)
        assert np.array_equal(parts > 0, load(exp / record["masks"]["fb_mask"]) > 0)
        assert np.array_equal(depth > 0, seen)
        assert np.allclose(np.linalg.norm(normals, axis=2)[seen], 1.0, atol=1e-5)
