"""The baseline's view of a post-processed benchmark: which images one model trains and is
tested on (a "group"), read from the leaf folders Anomalib's Folder gets (folder_dirs), and the
no-model baseline's predictions on them. Pure numpy + Pillow."""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..postprocess.for_anomalib import folder_dirs
from . import median_reference
from .report import Prediction


@dataclass(frozen=True)
class Group:
    """What one model sees: its training cameras and test cameras under `root`."""
    name: str             # "all" (novel-view) or "Camera<K>" (same-view)
    root: Path            # the folder holding train/ and test/
    train_cameras: tuple
    test_cameras: tuple

    @property
    def dirs(self) -> dict:
        return folder_dirs(self.train_cameras, self.test_cameras)


def _pngs(folder: Path) -> list:
    return sorted(folder.glob("*.png")) if folder.is_dir() else []


def cameras_with_images(split: Path) -> tuple:
    """Camera numbers under `split` whose images/ holds at least one PNG, in numeric order."""
    numbers = [int(p.name[len("Camera"):]) for p in split.glob("Camera*")
               if p.name[len("Camera"):].isdigit() and _pngs(p / "images")]
    return tuple(sorted(numbers))


def train_images(group: Group) -> list:
    return [p for d in group.dirs["normal_dir"] for p in _pngs(group.root / d)]


def test_images(group: Group) -> list:
    """[(image path, label, ground-truth path or None)], anomalous ones first, sorted."""
    items = []
    for images, truths in zip(group.dirs["abnormal_dir"], group.dirs["mask_dir"]):
        items += [(p, 1, group.root / truths / p.name) for p in _pngs(group.root / images)]
    for normal in group.dirs["normal_test_dir"]:
        items += [(p, 0, None) for p in _pngs(group.root / normal)]
    return items


def load_rgb(path: Path) -> np.ndarray:
    from PIL import Image
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


def load_mask(path, shape) -> np.ndarray:
    """Ground truth as bool (from 128 up, as the post-process counts a mask pixel); all False
    for a normal image (path None)."""
    if path is None:
        return np.zeros(shape, dtype=bool)
    from PIL import Image
    with Image.open(path) as image:
        return np.asarray(image.convert("L")) >= 128


def median_predictions(group: Group, reduction: str) -> list:
    """The no-model baseline on one group: distance of each test image to the per-pixel median
    of the group's training images."""
    reference = median_reference.median_image([load_rgb(p) for p in train_images(group)])
    predictions = []
    for path, label, truth in test_images(group):
        heat = median_reference.distance_map(load_rgb(path), reference)
        predictions.append(Prediction(
            name=str(path.relative_to(group.root)), group=group.name, label=label,
            score=median_reference.image_score(heat, reduction), heat=heat,
            mask=load_mask(truth, heat.shape)))
    return predictions
