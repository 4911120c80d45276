"""postprocess --layout mvtec: the MVTec AD tree, checked against the rules its readers use.

anomalib_mvtec_samples() re-implements Anomalib's make_mvtec_dataset
(src/anomalib/data/datasets/image/mvtecad.py, anomalib 2.x) without pandas or torch: every image
file under the category, read as <split>/<label>/<file> from its last three path parts; label
'good' is normal, any other anomalous; ground_truth files and the other samples are sorted by
path separately and the anomalous test images get the masks one to one, then each image's stem
must be in its mask's stem. The original PatchCore/EfficientAD loaders read
ground_truth/<label>/<stem>_mask.png directly; that is checked too.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from allo_addon.core.errors import UserError
from allo_addon.core.postprocess import PostprocessRequest, postprocess
from anomalib_python import run_with_anomalib
from postprocess_tree import (SIZE, anomaly_name, make_anomaly_exp, make_normal_exp, read, tree,
                              write_image, write_manifest)

MIN_PIXEL = 50  # the fixture anomalies are 10 x 10 = 100 px
IMG_EXTENSIONS = (".bmp", ".dib", ".jpeg", ".jpg", ".jpe", ".jp2", ".png", ".webp", ".pbm",
                  ".pgm", ".ppm", ".pxm", ".pnm", ".sr", ".ras", ".tiff", ".tif", ".exr", ".hdr",
                  ".pic")  # cv2/Anomalib IMG_EXTENSIONS; suffixes are compared case-sensitively


def anomalib_mvtec_samples(category: Path) -> list[dict]:
    rows = []
    for f in category.glob("**/*"):
        if f.suffix in IMG_EXTENSIONS:
            split, label, name = f.parts[-3:]
            rows.append({"split": split, "label": label,
                         "image_path": f"{category}/{split}/{label}/{name}"})
    assert rows, f"Found 0 images in {category}"
    masks = sorted(r["image_path"] for r in rows if r["split"] == "ground_truth")
    samples = sorted((r for r in rows if r["split"] != "ground_truth"),
                     key=lambda r: r["image_path"])
    abnormal = [r for r in samples if r["label"] != "good"]
    tested = [r for r in abnormal if r["split"] == "test"]
    # pandas: assigning an array of another length fails; an abnormal sample without a mask
    # (e.g. under train/) fails the stem check
    assert len(tested) == len(masks) == len(abnormal)
    for sample, mask in zip(tested, masks):
        sample["mask_path"] = mask
        assert Path(sample["image_path"]).stem in Path(mask).stem   # Anomalib's MisMatchError
    return samples


def check_mvtec_category(category: Path, exp_of: dict[str, Path]) -> list[dict]:
    """The readers' rules, and each file's content against the render it came from."""
    assert sorted(p.name for p in category.iterdir()) == ["ground_truth", "test", "train"]
    samples = anomalib_mvtec_samples(category)
    assert {r["split"] for r in samples} == {"train", "test"}
    assert {r["label"] for r in samples if r["split"] == "train"} == {"good"}
    for sample in samples:
        image = Path(sample["image_path"])
        if "mask_path" in sample:   # PatchCore/EfficientAD: exactly <stem>_mask.png
            assert Path(sample["mask_path"]) == (category / "ground_truth" / sample["label"]
                                                 / f"{image.stem}_mask.png")
            truth = np.asarray(Image.open(sample["mask_path"]))
            assert Image.open(sample["mask_path"]).mode == "L"
            assert truth.shape == np.asarray(Image.open(image)).shape[:2]
            assert set(np.unique(truth)) == {0, 255}
            source = exp_of[image.name]
            assert np.array_equal(truth, read(source.parent.parent / "anomaly_mask"
                                              / source.name))
        assert image.read_bytes() == exp_of[image.name].read_bytes()
    return samples


def run(exp, output, **settings):
    settings.setdefault("shape", SIZE)
    settings.setdefault("workers", 1)
    return postprocess(PostprocessRequest(input=exp, output=output, layout="mvtec", **settings))


def both_batches(tmp_path, cameras=(1, 2)):
    """A normal batch (days 3-6) and an anomalous one with twins (days 1-2), rendered."""
    anomalous = make_anomaly_exp(tmp_path / "exp_2", cameras=cameras, days=(1, 2), twins=True)
    write_manifest(tmp_path / "exp_2", anomalous)
    normal = make_normal_exp(tmp_path / "exp_1", cameras=cameras, days=(3, 4, 5, 6))
    write_manifest(tmp_path / "exp_1", normal)
    return normal + anomalous


def source_path(tmp_path, r) -> Path:
    exp = "exp_1" if r.kind == "normal" else "exp_2"
    return tmp_path / exp / r.camera / r.kind / r.name


def test_per_camera_categories_read_as_mvtec(tmp_path):
    rendered = both_batches(tmp_path)
    root = tmp_path / "mvtec"
    held = run(tmp_path / "exp_1", root, normal_test_ratio=0.25).held_out
    summary = run(tmp_path / "exp_2", root, anomaly=True, min_pixel=MIN_PIXEL)
    assert held == 4 and summary.twins == 8 and summary.total_rejected == 0
    assert sorted(p.name for p in root.iterdir()) == [
        "Camera1", "Camera2", "contact_sheet.png", "manifest.jsonl", "masks", "postprocess.log",
        "report.json"]
    for camera in ("Camera1", "Camera2"):
        mine = {r.name: source_path(tmp_path, r) for r in rendered
                if r.camera == camera and r.kind != "reference"}
        mine.update({r.name: tmp_path / "exp_2" / camera / "reference" / r.name
                     for r in rendered if r.camera == camera and r.kind == "reference"})
        samples = check_mvtec_category(root / camera, mine)
        counts = {}
        for s in samples:
            counts[(s["split"], s["label"])] = counts.get((s["split"], s["label"]), 0) + 1
        # per camera: 8 normal images (4 days x 2 suns; 1 day = 2 images held out),
        # 8 anomalous (2 days x 2 suns x 2 depths) and their 4 twins (2 days x 2 suns)
        assert counts[("train", "good")] == 6 and counts[("test", "good")] == 2 + 4
        assert sum(n for (split, label), n in counts.items() if label != "good") == 8
    # the leak-free split: no camera-day in train/ and test/ of a category
    train = {(p.parts[-4], p.name.split("_")[0]) for p in root.glob("Camera*/train/*/*.png")}
    test = {(p.parts[-4], p.name.split("_")[0]) for p in root.glob("Camera*/test/*/*.png")}
    assert train and test and not train & test
    # the 3-class masks are kept, outside every category
    assert len(list((root / "masks").glob("Camera*/*/*/*.png"))) == 16 + 16 + 8
    records = [json.loads(line) for line in (root / "manifest.jsonl").read_text().splitlines()]
    assert all((root / r["image"]).is_file() and (root / r["mask"]).is_file() for r in records)


def test_all_cameras_as_one_category(tmp_path):
    rendered = both_batches(tmp_path, cameras=(1, 2, 10))
    root = tmp_path / "mvtec"
    run(tmp_path / "exp_1", root, normal_test_ratio=0.25, category="station")
    run(tmp_path / "exp_2", root, anomaly=True, min_pixel=MIN_PIXEL, category="station")
    assert sorted(p.name for p in root.iterdir() if p.is_dir()) == ["masks", "station"]
    exp_of = {f"{r.camera}_{r.name}": (source_path(tmp_path, r) if r.kind != "reference" else
                                       tmp_path / "exp_2" / r.camera / "reference" / r.name)
              for r in rendered}
    samples = check_mvtec_category(root / "station", exp_of)
    assert len(samples) == len(rendered)   # names repeat across cameras: none overwritten


def test_anomalous_day_in_train_is_refused_before_writing(tmp_path):
    normal = make_normal_exp(tmp_path / "exp_1", cameras=(1,), days=(1, 2, 3))
    write_manifest(tmp_path / "exp_1", normal)
    anomalous = make_anomaly_exp(tmp_path / "exp_2", cameras=(1,), days=(2,))
    write_manifest(tmp_path / "exp_2", anomalous)
    run(tmp_path / "exp_1", tmp_path / "mvtec")
    before = {p: p.read_bytes() for p in (tmp_path / "mvtec").rglob("*") if p.is_file()}
    with pytest.raises(UserError, match="Camera1 day 2 would be in both splits"):
        run(tmp_path / "exp_2", tmp_path / "mvtec", anomaly=True, min_pixel=MIN_PIXEL)
    assert {p: p.read_bytes() for p in (tmp_path / "mvtec").rglob("*") if p.is_file()} == before


def test_names_anomalib_would_pair_wrongly_are_refused(tmp_path):
    """'…_red.png' and '…_red2.png' sort red, red2; their masks red2_mask, red_mask."""
    exp = tmp_path / "exp_2"
    rendered = [write_image(exp, "Camera1", "anomaly", anomaly_name(1, "drill", 10, 0.5, 0, c),
                            side=10, seed=i) for i, c in enumerate(("red", "red2"))]
    write_manifest(exp, rendered)
    with pytest.raises(UserError, match=r"1_drill_10_0.5_0_red\.png .* each other's mask"):
        run(exp, tmp_path / "mvtec", anomaly=True, min_pixel=MIN_PIXEL)
    assert not (tmp_path / "mvtec").exists()


@pytest.mark.parametrize("settings, expected", [
    ({"layout": "mvtek"}, "unknown layout 'mvtek': expected one of anomalib, mvtec"),
    ({"layout": "anomalib", "category": "station"}, "is for the mvtec layout"),
    ({"layout": "mvtec", "category": "masks"}, "holds the 3-class masks"),
    ({"layout": "mvtec", "category": "a/b"}, "cannot name a folder"),
    ({"layout": "mvtec", "test_output": "elsewhere"}, "is for the anomalib layout"),
])
def test_layout_mistakes(tmp_path, settings, expected):
    make_normal_exp(tmp_path / "exp_1", cameras=(1,), days=(1, 2))
    with pytest.raises(UserError, match=expected):
        postprocess(PostprocessRequest(input=tmp_path / "exp_1", output=tmp_path / "out",
                                       shape=SIZE, workers=1, **settings))
    assert not (tmp_path / "out").exists()


REPO = Path(__file__).resolve().parents[1]


def cli(*args):
    return subprocess.run([sys.executable, "-m", "allo_addon.headless", "postprocess",
                           *map(str, args)], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=120)


def test_cli(tmp_path):
    make_normal_exp(tmp_path / "exp_1", cameras=(1,), days=(1, 2))
    wrong = cli("--input", tmp_path / "exp_1", "--output", tmp_path / "out", "--layout", "x")
    assert wrong.returncode == 2 and wrong.stderr.count("\n") == 1, wrong.stderr
    assert "unknown layout 'x': expected one of anomalib, mvtec" in wrong.stderr
    assert not (tmp_path / "out").exists()
    done = cli("--input", tmp_path / "exp_1", "--output", tmp_path / "out", "--shape", "64x36",
               "--layout", "mvtec", "--workers", 1)
    assert done.returncode == 0, done.stderr
    assert tree(tmp_path / "out" / "Camera1") == [f"train/good/{d}_normal_{i}.png"
                                                  for d in (1, 2) for i in (1, 10)]


def test_all_held_out_images_rejected_is_an_error_as_in_the_default_layout(tmp_path):
    """Train and test share the root here; the test images still count as a part of their own."""
    normal = make_normal_exp(tmp_path / "exp_1", cameras=(1,), days=(1, 2, 3))
    write_manifest(tmp_path / "exp_1", normal)
    run(tmp_path / "exp_1", tmp_path / "first", normal_test_ratio=0.3)
    held = sorted(p.name for p in (tmp_path / "first/Camera1/test/good").iterdir())
    assert len(held) == 2   # one camera-day, two suns
    for name in held:       # cut short: rejected as unreadable
        path = tmp_path / "exp_1/Camera1/normal" / name
        path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(UserError, match=r"no normal image accepted into \S*/second/test: all 2 "
                                        r"rejected \(unreadable_png 2"):
        run(tmp_path / "exp_1", tmp_path / "second", normal_test_ratio=0.3)


def test_anomaly_kind_that_cannot_be_told_is_refused(tmp_path):
    """No manifest record and a name that is not <day>_<anomaly>_…: no test/<kind>/ to use."""
    write_image(tmp_path / "exp_2", "Camera1", "anomaly", "odd.png", side=10)
    with pytest.raises(UserError, match=r"Camera1/anomaly/odd.png: cannot tell its anomaly kind"):
        run(tmp_path / "exp_2", tmp_path / "mvtec", anomaly=True, min_pixel=MIN_PIXEL)
    assert not (tmp_path / "mvtec").exists()


# Run by a Python with Anomalib (tests/anomalib_python.py): its own MVTec AD reader on our tree.
ANOMALIB_MVTEC = r"""
import json, sys
from pathlib import Path
from anomalib.data.datasets.image import mvtecad
make = getattr(mvtecad, "make_mvtec_ad_dataset", None) or mvtecad.make_mvtec_dataset
out = {}
for category in sys.argv[1:]:
    samples = make(Path(category))
    out[category] = sorted([Path(r.image_path).name, r.split, r.label,
                            Path(r.mask_path).name if isinstance(r.mask_path, str) and r.mask_path
                            else ""] for r in samples.itertuples())
print(json.dumps(out))
"""


def test_anomalibs_own_mvtec_reader_reads_the_tree(tmp_path):
    """Where Anomalib is installed, its make_mvtec_ad_dataset reads exactly the samples and mask
    pairs the rebuilt rules above find (checked with anomalib 2.7.0)."""
    both_batches(tmp_path)
    root = tmp_path / "mvtec"
    run(tmp_path / "exp_1", root, normal_test_ratio=0.25)
    run(tmp_path / "exp_2", root, anomaly=True, min_pixel=MIN_PIXEL)
    categories = [root / "Camera1", root / "Camera2"]
    theirs = json.loads(run_with_anomalib(ANOMALIB_MVTEC, *categories).strip().splitlines()[-1])
    for category in categories:
        ours = sorted([Path(s["image_path"]).name, s["split"], s["label"],
                       Path(s["mask_path"]).name if "mask_path" in s else ""]
                      for s in anomalib_mvtec_samples(category))
        assert theirs[str(category)] == ours
        assert any(mask for *_, mask in ours) and any(not mask for *_, mask in ours)
