"""Reading the post-process's layout with Anomalib's `Folder` datamodule, without its traps.

1. Anomalib 2.x's Folder collects each folder it is given recursively (`glob("**/*")`), and a
   test split's `Camera<K>/` holds `masks/`, `ground_truth/`, `reference/` and `normal/` beside
   `images/`: given the camera folder as `abnormal_dir`, it takes every PNG under it as an
   anomalous image and fails with `ValueError: NumPy boolean array indexing assignment cannot
   assign 6 input values to the 36 output values` (measured on a 256x144 render). Every folder
   it gets must be a leaf; folder_dirs() returns exactly those.
2. Its `val_split_mode="from_test"` draws validation images from the test set one by one, but
   the images of one camera-day are near-copies (same pose, anomaly and sky; another sun), so
   thresholds would be tuned on siblings of test images. split_by_camera_day() holds out whole
   camera-days, and camera_day_folder() is a Folder whose validation split uses it.

Only camera_day_folder() imports anomalib, when called: the extension never depends on it.
"""

import re
from pathlib import PurePath

from ..dataset.seeds import rng_from
from .splits import held_out_count

_DAY = re.compile(r"^(\d+)_")           # docs/formats.md §5: every image name starts with <day>_
_CAMERA = re.compile(r"^Camera\d+$")


def folder_dirs(train_cameras, test_cameras, train: str = "train",
                test: str = "test") -> dict:
    """Folder's path arguments (relative to its `root`, the folder holding both splits) for
    the given camera numbers: leaf folders only, so that its recursive search finds exactly
    the training images, the anomalous test images, their 0/255 masks (same names, same order)
    and the normal test images (the twins, or held-out normal days)."""
    return {
        "normal_dir": [f"{train}/Camera{k}/images" for k in train_cameras],
        "abnormal_dir": [f"{test}/Camera{k}/images" for k in test_cameras],
        "mask_dir": [f"{test}/Camera{k}/ground_truth" for k in test_cameras],
        "normal_test_dir": [f"{test}/Camera{k}/normal/images" for k in test_cameras],
    }


def camera_day(path) -> tuple[str, int]:
    """(camera, day) of an image in the layout: the nearest `Camera<K>` folder above it and
    the `<day>_` its name starts with."""
    path = PurePath(path)
    cameras = [part for part in path.parts[:-1] if _CAMERA.match(part)]
    day = _DAY.match(path.name)
    if not cameras or not day:
        raise ValueError(f"{path} is not an image of the post-process layout "
                         f"(…/Camera<K>/…/<day>_….png)")
    return cameras[-1], int(day.group(1))


def split_by_camera_day(paths, labels, ratio: float, seed: int) -> tuple[list, list]:
    """(kept, held) indices into paths: `held` is every image of a seeded `ratio` of the
    camera-days (rounded; at least one, never all), so no camera-day is on both sides.
    Camera-days with an anomalous image (label 1) and those without are drawn separately, so
    both sides get both kinds whenever there are two camera-days of a kind."""
    groups = [camera_day(p) for p in paths]
    anomalous = {g for g, label in zip(groups, labels) if int(label) == 1}
    rng = rng_from(seed)
    held = set()
    for kind in (sorted(anomalous), sorted(set(groups) - anomalous)):
        if len(kind) >= 2:
            held.update(rng.sample(kind, held_out_count(ratio, len(kind))))
    if not held and len(set(groups)) >= 2:   # one camera-day of each kind: hold one out
        held.add(sorted(set(groups))[0])
    kept = [i for i, g in enumerate(groups) if g not in held]
    return kept, [i for i, g in enumerate(groups) if g in held]


def camera_day_folder(**folder_args):
    """An anomalib.data.Folder (same arguments) whose `from_test` validation split holds out
    whole camera-days of the test set (split_by_camera_day, with its val_split_ratio and
    seed) instead of single images."""
    from anomalib.data import Folder
    from anomalib.data.utils import ValSplitMode

    class CameraDayFolder(Folder):
        def _create_val_split(self) -> None:
            if ValSplitMode(self.val_split_mode) != ValSplitMode.FROM_TEST:
                super()._create_val_split()
                return
            samples = self.test_data.samples
            kept, held = split_by_camera_day(samples.image_path, samples.label_index,
                                             self.val_split_ratio, self.seed or 0)
            test = self.test_data
            self.test_data, self.val_data = test.subsample(kept), test.subsample(held)

    return CameraDayFolder(**folder_args)
