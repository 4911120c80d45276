"""Where things are: the render tree we read (FORMATS §5) and the Anomalib layout we write (§6).

Input:   <exp>/Camera<K>/{normal|anomaly}/<name>.png, masks in fb_mask/ and anomaly_mask/.
Output:  <split>/Camera<K>/images|masks|ground_truth/<name>.png
         <test>/Camera<K>/normal/images|masks/<name>.png   (normal images held out for testing)
"""

import re
from dataclasses import dataclass
from pathlib import Path

CAMERA_FOLDER = re.compile(r"^Camera(\d+)$")
NORMAL, ANOMALY = "normal", "anomaly"
TRAIN, TEST = "train", "test"
# what a run writes into the split folder besides the samples
OUTPUT_MANIFEST, REPORT, CONTACT_SHEET = "manifest.jsonl", "report.json", "contact_sheet.png"
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
        return f"{self.camera}/{self.kind}/{self.name}"

    @property
    def fb_mask(self) -> str:
        return f"{self.camera}/fb_mask/{self.name}"

    @property
    def anomaly_mask(self) -> str | None:
        return f"{self.camera}/anomaly_mask/{self.name}" if self.kind == ANOMALY else None


@dataclass(frozen=True)
class OutputPaths:
    """Where one accepted sample is written; ground_truth only for anomalous samples."""

    image: Path
    mask: Path
    ground_truth: Path | None = None

    def all(self) -> tuple[Path, ...]:
        return tuple(p for p in (self.image, self.mask, self.ground_truth) if p is not None)


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


def output_paths(split_root: Path, source: SourceImage, held_out: bool = False) -> OutputPaths:
    """Paths in the split folder; held-out normal test images go under Camera<K>/normal/."""
    folder = split_root / source.camera
    if held_out:
        folder = folder / "normal"
    ground_truth = folder / "ground_truth" / source.name if source.kind == ANOMALY else None
    return OutputPaths(folder / "images" / source.name, folder / "masks" / source.name,
                       ground_truth)
