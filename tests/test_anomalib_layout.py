"""The post-process's layout as Anomalib's Folder datamodule reads it (README: "Loading with Anomalib").

Two levels: the main suite rebuilds Folder's recursive file search (anomalib 2.7,
anomalib/data/utils/path.py `_prepare_files_labels`: `path.glob("**/*")`, image suffixes, no
folders) on a real post-processed tree; when a Python with anomalib is at hand
(tests/anomalib_python.py: $ALLO_ANOMALIB_PYTHON, .venv-anomalib or .venv-baseline), the same tree is read by Anomalib's
own make_folder_dataset and by camera_day_folder(). Anomalib needs torch, far too heavy for CI,
so that part is skipped, saying why, where there is none.
"""

import json
from pathlib import Path

import pytest

from allo_addon.core.postprocess import PostprocessRequest, postprocess
from allo_addon.core.postprocess.for_anomalib import (camera_day, folder_dirs,
                                                      split_by_camera_day)
from anomalib_python import run_with_anomalib
from postprocess_tree import make_anomaly_exp, make_normal_exp, write_manifest

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")


def folder_search(path: Path) -> list[Path]:
    """What Anomalib 2.7's Folder collects from one folder it is given (recursive)."""
    return [f for f in path.glob("**/*") if f.suffix.lower() in IMAGE_SUFFIXES and not f.is_dir()]


@pytest.fixture(scope="module")
def renders(tmp_path_factory):
    """train/ from a normal batch (days 1-2), test/ from an anomalous one with twins (days
    3-4), two cameras, same-view: the README's recipe on generated trees."""
    root = tmp_path_factory.mktemp("renders")
    normal = make_normal_exp(root / "exp_1", cameras=(1, 2), days=(1, 2))
    write_manifest(root / "exp_1", normal)
    anomalous = make_anomaly_exp(root / "exp_2", cameras=(1, 2), days=(3, 4), twins=True)
    write_manifest(root / "exp_2", anomalous, extra={"min_pixel": 50})
    postprocess(PostprocessRequest(input=root / "exp_1", output=root / "train", workers=1))
    postprocess(PostprocessRequest(input=root / "exp_2", output=root / "test", anomaly=True,
                                   workers=1))
    return root


def test_folder_dirs_give_folder_exactly_the_samples(renders):
    dirs = folder_dirs([1, 2], [1, 2])
    found = {key: [p for d in dirs[key] for p in folder_search(renders / d)] for key in dirs}
    # 2 cameras x 2 days x 2 illuminations, and 2 depths per anomalous lighting
    assert len(found["normal_dir"]) == 8 and len(found["normal_test_dir"]) == 8
    assert len(found["abnormal_dir"]) == len(found["mask_dir"]) == 16
    # Folder pairs abnormal images and masks by sorted path and checks the names
    for image, mask in zip(sorted(found["abnormal_dir"]), sorted(found["mask_dir"])):
        assert image.stem in mask.stem and mask.parent.name == "ground_truth"
    assert all("/normal/images/" in p.as_posix() for p in found["normal_test_dir"])


def test_the_camera_folder_is_the_trap_the_readme_warns_about(renders):
    """Given test/Camera1 as abnormal_dir, the recursive search takes masks, ground truth,
    twins and normal test images as anomalous images: 4 times the count of ground_truth/,
    which is what makes Folder fail with 'cannot assign 8 input values to the 40 output
    values'."""
    camera = folder_search(renders / "test" / "Camera1")
    truth = folder_search(renders / "test" / "Camera1" / "ground_truth")
    assert len(truth) == 8 and len(camera) == 8 * 4 + 4 * 2


def test_validation_split_holds_out_whole_camera_days(renders):
    dirs = folder_dirs([1, 2], [1, 2])
    paths = [p for key in ("abnormal_dir", "normal_test_dir") for d in dirs[key]
             for p in sorted(folder_search(renders / d))]
    labels = [1 if "/normal/" not in p.as_posix() else 0 for p in paths]
    kept, held = split_by_camera_day(paths, labels, 0.5, seed=7)
    assert sorted(kept + held) == list(range(len(paths))) and kept and held
    days = {side: {camera_day(paths[i]) for i in side_indices}
            for side, side_indices in (("kept", kept), ("held", held))}
    assert not days["kept"] & days["held"]
    assert len(days["held"]) == 2   # half of the 4 camera-days
    for side in (kept, held):
        assert {labels[i] for i in side} == {0, 1}   # both kinds on both sides
    assert split_by_camera_day(paths, labels, 0.5, seed=7) == (kept, held)


def test_camera_day_names_the_image(tmp_path):
    assert camera_day("renders/test/Camera12/normal/images/31_normal_10.png") == ("Camera12", 31)
    with pytest.raises(ValueError, match="not an image of the post-process layout"):
        camera_day("renders/test/images/31_normal_10.png")


# Run by the anomalib Python (tests/anomalib_python.py), after its PRELUDE.
ANOMALIB_SCRIPT = r"""
import json, sys
import anomalib
from anomalib.data.datasets.image.folder import make_folder_dataset
from allo_addon.core.postprocess.for_anomalib import camera_day, camera_day_folder, folder_dirs

root = sys.argv[1]
out = {"version": anomalib.__version__}
samples = make_folder_dataset(root=root, **folder_dirs([1, 2], [1, 2]))
out["counts"] = {f"{s}/{l}": int(n) for (s, l), n in
                 samples.groupby(["split", "label"]).size().items()}
out["masks_match"] = bool(all(
    r.mask_path.endswith("/ground_truth/" + r.image_path.rsplit("/", 1)[1])
    for r in samples[samples.label_index == 1].itertuples()))
try:
    make_folder_dataset(root=root, normal_dir="train/Camera1", abnormal_dir="test/Camera1",
                        mask_dir="test/Camera1/ground_truth")
    out["camera_folder"] = "accepted"
except Exception as error:
    out["camera_folder"] = f"{type(error).__name__}: {error}"
datamodule = camera_day_folder(name="allo", root=root, num_workers=0, seed=3,
                               val_split_ratio=0.5, **folder_dirs([1, 2], [1, 2]))
datamodule.setup()
sides = {name: getattr(datamodule, name + "_data").samples for name in ("val", "test")}
out["days"] = {name: sorted({"%s/%d" % camera_day(p) for p in s.image_path})
               for name, s in sides.items()}
out["labels"] = {name: sorted(set(int(v) for v in s.label_index)) for name, s in sides.items()}
print(json.dumps(out))
"""


def test_anomalibs_own_folder_reads_the_layout(renders):
    stdout = run_with_anomalib(ANOMALIB_SCRIPT, renders)
    result = json.loads(stdout.strip().splitlines()[-1])
    assert result["counts"] == {"Split.TEST/DirType.ABNORMAL": 16,
                                "Split.TEST/DirType.NORMAL_TEST": 8,
                                "Split.TRAIN/DirType.NORMAL": 8}, result
    assert result["masks_match"]
    assert "cannot assign 8 input values to the 40 output values" in result["camera_folder"]
    days = result["days"]
    assert days["val"] and days["test"] and not set(days["val"]) & set(days["test"])
    assert result["labels"] == {"val": [0, 1], "test": [0, 1]}
