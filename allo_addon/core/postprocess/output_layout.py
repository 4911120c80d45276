"""Where things are: the render tree we read (docs/formats.md §5, named in core/dataset/layout.py) and the
Anomalib layout we write (§6, named here).

Input:   <exp>/Camera<K>/{normal|anomaly}/<name>.png, masks in fb_mask/ and anomaly_mask/;
         an anomalous batch's twins in reference/, their masks in reference_fb_mask/.
Output:  <split>/Camera<K>/images|masks|ground_truth/<name>.png
         <test>/Camera<K>/normal/images|masks/<name>.png   (normal test images: held out from a
                                                            normal batch, or the twins)
         <test>/Camera<K>/reference/<name>.png   (each anomalous image's twin, under its name)
--layout mvtec (mvtec_paths): <root>/<category>/train/good, test/good, test/<anomaly kind>,
         ground_truth/<anomaly kind>/<stem>_mask.png; 3-class masks in <root>/masks/<category>/.
Annotations (core/dataset/annotations.py), when the render record lists them: read from
         <exp>/Camera<K>/<kind>/<stem>.<ext> (twins: reference_<kind>/), written beside images/
         and masks/ as <kind>/<stem>.<ext>; mvtec: <root>/<kind>/<category>/…, beside masks/.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from ..dataset import annotations as ann
from ..dataset.layout import (ANOMALY, ANOMALY_MASK, CAMERA_FOLDER, FB_MASK, MANIFEST,  # noqa: F401
                              NORMAL, REFERENCE, REFERENCE_FB_MASK, image_files)

TRAIN, TEST = "train", "test"
# what a run writes into the split folder besides the samples
OUTPUT_MANIFEST, REPORT, CONTACT_SHEET = MANIFEST, "report.json", "contact_sheet.png"
PRODUCTS = (OUTPUT_MANIFEST, REPORT, CONTACT_SHEET)
DEFAULT_LOG = "postprocess.log"


@dataclass(frozen=True)
class SourceImage:
    """One rendered image and its masks, as paths relative to the exp folder."""

    camera: str
    name: str
    kind: str  # NORMAL or ANOMALY

    @property
    def image(self) -> str:
        return image_files(self.camera, self.kind, self.name)["image"]

    @property
    def fb_mask(self) -> str:
        return image_files(self.camera, self.kind, self.name)[FB_MASK]

    @property
    def anomaly_mask(self) -> str | None:
        return image_files(self.camera, self.kind, self.name).get(ANOMALY_MASK)

    def annotation(self, kind: str) -> str:
        return ann.relative_path(self.camera, self.name, kind, twin=self.kind == REFERENCE)


@dataclass(frozen=True)
class OutputPaths:
    """Where one accepted sample is written; ground_truth only for anomalous samples, reference
    (a copy of its twin, under the anomalous image's name) for those that have a twin."""

    image: Path
    mask: Path
    ground_truth: Path | None = None
    reference: Path | None = None
    annotations: tuple[tuple[str, Path], ...] = ()   # (kind, path): the render's annotations

    def all(self) -> tuple[Path, ...]:
        return tuple(p for p in (self.image, self.mask, self.ground_truth, self.reference)
                     if p is not None) + tuple(path for _, path in self.annotations)


def _annotations(folder: Path, name: str, kinds) -> tuple[tuple[str, Path], ...]:
    stem = Path(name).stem
    return tuple((kind, folder / kind / f"{stem}{ann.EXTENSIONS[kind]}") for kind in kinds)


def camera_folders(exp_dir: Path) -> list[Path]:
    """Camera<K> folders, in camera order (Camera2 before Camera10)."""
    found = [p for p in exp_dir.iterdir() if p.is_dir() and CAMERA_FOLDER.match(p.name)]
    return sorted(found, key=lambda p: int(CAMERA_FOLDER.match(p.name).group(1)))


def source_images(exp_dir: Path, kind: str) -> list[SourceImage]:
    """Every <kind>/*.png under every camera, sorted by camera then file name."""
    images = []
    for camera in camera_folders(exp_dir):
        folder = camera / kind
        if folder.is_dir():
            names = sorted(p.name for p in folder.iterdir()
                           if p.suffix.lower() == ".png" and not p.name.startswith("."))
            images.extend(SourceImage(camera.name, name, kind) for name in names)
    return images


def output_paths(split_root: Path, source: SourceImage, held_out: bool = False,
                 paired: bool = False, annotations=()) -> OutputPaths:
    """Paths in the split folder; normal test images (held out, or twins) go under
    Camera<K>/normal/; paired: an anomalous image's twin goes to Camera<K>/reference/;
    annotations (kinds) beside images/ as <kind>/<stem>.<ext>."""
    folder = split_root / source.camera
    if held_out or source.kind == REFERENCE:
        folder = folder / "normal"
    ground_truth = folder / "ground_truth" / source.name if source.kind == ANOMALY else None
    reference = split_root / source.camera / REFERENCE / source.name if paired else None
    return OutputPaths(folder / "images" / source.name, folder / "masks" / source.name,
                       ground_truth, reference, _annotations(folder, source.name, annotations))


# --layout mvtec: the MVTec AD tree, which Anomalib's MVTecAD and the PatchCore/EfficientAD code
# read as <category>/{train,test}/<label>/<image> (exactly three levels: Anomalib takes the last
# three parts of every file under the category) and <category>/ground_truth/<label>/<stem>_mask
# .png. Our 3-class masks have no place there; they go to <root>/masks/<category>/…, outside
# every category, where those readers never look.
ANOMALIB, MVTEC = "anomalib", "mvtec"
LAYOUTS = (ANOMALIB, MVTEC)
MVTEC_GOOD = "good"
MVTEC_MASKS = "masks"
_CATEGORY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def is_folder_name(name: str) -> bool:
    return bool(_CATEGORY.match(name))


def check_category(category: str) -> str | None:
    """Why `category` cannot name an MVTec category folder (None when it can)."""
    if not is_folder_name(category):
        return "letters, digits, '_', '.', '-' only, starting with a letter or digit"
    if category == MVTEC_MASKS:
        return f"'{MVTEC_MASKS}' holds the 3-class masks beside the categories"
    if category in ann.KINDS:
        return f"'{category}' holds that annotation beside the categories"
    return None


def mvtec_paths(root: Path, source: SourceImage, label: str, category: str | None,
                held_out: bool = False, annotations=()) -> OutputPaths:
    """Paths of one sample in the MVTec layout under `root` (the folder holding the categories).
    label: 'good' for a normal image (a training image unless held out; a twin is a test
    image), else its anomaly kind. category None: one category per camera (Camera<K>); a name:
    all cameras in that category, each file name prefixed with its camera (names repeat across
    cameras)."""
    name = source.name if category is None else f"{source.camera}_{source.name}"
    category = category or source.camera
    split = TRAIN if source.kind == NORMAL and not held_out else TEST
    truth = (root / category / "ground_truth" / label / f"{Path(name).stem}_mask.png"
             if source.kind == ANOMALY else None)
    found = tuple((kind, root / kind / category / split / label / f"{Path(name).stem}"
                                                                   f"{ann.EXTENSIONS[kind]}")
                  for kind in annotations)
    return OutputPaths(root / category / split / label / name,
                       root / MVTEC_MASKS / category / split / label / name, truth, None, found)
