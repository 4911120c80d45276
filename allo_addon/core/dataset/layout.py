"""Where a batch writes (docs/formats.md §5): the folders and file paths of exp_<N>/, named here once
for the renderer that writes them and the post-process, gallery, browser and tests that read them.

    exp_<N>/manifest.jsonl                       one record per image (core/dataset/manifest.py)
    exp_<N>/manifest.d/<writer>.jsonl            sharded runs' parts, until merged
    exp_<N>/Camera<K>/normal/<name>.png          a normal batch's images
    exp_<N>/Camera<K>/anomaly/<name>.png         an anomalous batch's images
    exp_<N>/Camera<K>/fb_mask/<name>.png         station and bodies, 0/255 (core/dataset/mask_classes.py)
    exp_<N>/Camera<K>/anomaly_mask/<name>.png    the anomaly, 0/255 (anomalous images only)
    exp_<N>/Camera<K>/reference/<name>.png       an anomalous batch's anomaly-free twins
    exp_<N>/Camera<K>/reference_fb_mask/<name>.png   their fb masks
    exp_<N>/Camera<K>/<kind>/<name>.<ext>        annotations asked for: depth, normals, parts
                                                 (core/dataset/annotations.py; twins: reference_<kind>/)
    exp_<N>/.partial/                            files being written, claims, the lock

<name> is a render file name (core/dataset/names.py).
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from ..errors import UserError

MANIFEST = "manifest.jsonl"
MANIFEST_PARTS = "manifest.d"    # one <writer>.jsonl per sharded process, until merged
PARTIAL = ".partial"   # files being written; renamed into place when complete
CLAIMS = "claims"      # in PARTIAL: which process renders which job (core/runs/claims.py)
LOCK = "lock"          # in PARTIAL: held while a claim or a manifest line is written

CAMERA_FOLDER = re.compile(r"^Camera(\d+)$")
NORMAL, ANOMALY, REFERENCE = "normal", "anomaly", "reference"   # image folders, = image kinds
FB_MASK, ANOMALY_MASK = "fb_mask", "anomaly_mask"               # mask folders, = manifest keys
# a twin's fb mask has its own folder: fb_mask/ holds the anomalous images' own (the anomaly may
# hide station there), and a normal batch in the same exp writes the twins' names in fb_mask/
REFERENCE_FB_MASK = "reference_fb_mask"


def camera_folder(index: int) -> str:
    return f"Camera{index}"


def image_files(camera: str, kind: str, name: str) -> dict[str, str]:
    """Every file of one image, as paths relative to exp_<N>/: "image", then its masks under
    their manifest keys (FB_MASK, and ANOMALY_MASK for an anomalous image). kind: NORMAL,
    ANOMALY or REFERENCE (a twin)."""
    if kind == REFERENCE:
        return {"image": f"{camera}/{REFERENCE}/{name}",
                FB_MASK: f"{camera}/{REFERENCE_FB_MASK}/{name}"}
    files = {"image": f"{camera}/{kind}/{name}", FB_MASK: f"{camera}/{FB_MASK}/{name}"}
    if kind == ANOMALY:
        files[ANOMALY_MASK] = f"{camera}/{ANOMALY_MASK}/{name}"
    return files


def exp_dir(output_dir: Path, exp_num: int) -> Path:
    return Path(output_dir) / f"exp_{exp_num}"


def partial_dir(exp: Path) -> Path:
    return Path(exp) / PARTIAL


def lock_file(exp: Path) -> Path:
    return partial_dir(exp) / LOCK


def claims_dir(exp: Path) -> Path:
    return partial_dir(exp) / CLAIMS


def prepare_exp_dir(output_dir: Path, exp_num: int) -> Path:
    """Create exp_<N>/ (and its scratch folder), or say clearly why it cannot be written."""
    path = exp_dir(output_dir, exp_num)
    try:
        (path / PARTIAL).mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path / PARTIAL):
            pass
    except OSError as error:
        raise UserError(f"output folder {path} is not writable: {error.strerror or error}") from None
    return path


def place_file(source: Path, exp: Path, relative: str) -> None:
    """Move a finished file from the scratch folder to its final name in one rename."""
    target = exp / relative
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)
    except OSError as error:
        raise UserError(f"cannot write {target}: {_in_the_way(exp, target) or error.strerror or error}"
                        ) from None


def _in_the_way(exp: Path, target: Path) -> str:
    """What occupies an image's path, said so a user knows what to move (else "")."""
    if target.is_dir():
        return "a folder is in the way where this image goes; move it away and run again"
    for parent in target.relative_to(exp).parents:
        if (exp / parent).is_file():
            return f"{exp / parent} is a file where a folder is expected; move it away and run again"
    return ""
