"""Up-front checks of a request: every user mistake is found before anything is written."""

import os
from pathlib import Path

from ..errors import UserError
from .min_pixel import check as check_min_pixel
from .output_layout import ANOMALY, NORMAL, OUTPUT_MANIFEST, PRODUCTS, camera_folders
from .output_manifest import read_output_manifest


def check_input(exp_dir: Path, kind: str) -> None:
    if not exp_dir.exists():
        raise UserError(f"input folder {exp_dir} does not exist (expected an exp_<N> folder "
                        f"written by the renderer)")
    if not exp_dir.is_dir():
        raise UserError(f"input {exp_dir} is a file, not a folder (expected an exp_<N> folder "
                        f"written by the renderer)")
    try:
        cameras = camera_folders(exp_dir)
    except OSError as error:
        raise UserError(f"input folder {exp_dir} cannot be read ({error.strerror})") from None
    if not cameras:
        raise UserError(f"no Camera<K> folders in input folder {exp_dir} (expected "
                        f"{exp_dir}/Camera1/{kind}/…)")
    if not any((camera / kind).is_dir() for camera in cameras):
        other = NORMAL if kind == ANOMALY else ANOMALY
        hint = ""
        if any((camera / other).is_dir() for camera in cameras):
            hint = "; this is an anomalous batch: add --anomaly" if other == ANOMALY else \
                "; this is a normal batch: drop --anomaly"
        raise UserError(f"no {kind}/ folder in any Camera folder of {exp_dir}{hint}")


def check_output(folder: Path, exp_dir: Path, role: str) -> None:
    """folder can be created or written, and does not lie inside the input."""
    if folder == exp_dir or exp_dir in folder.parents:
        raise UserError(f"{role} folder {folder} is inside the input folder {exp_dir}; "
                        f"choose a folder outside it (e.g. beside it: {exp_dir.parent}/train)")
    if folder.exists() and not folder.is_dir():
        raise UserError(f"{role} {folder} is a file, not a folder")
    existing = next(p for p in (folder, *folder.parents) if p.exists())
    if not existing.is_dir():
        raise UserError(f"{role} folder {folder} cannot be created: {existing} is a file")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UserError(f"{role} folder {folder} is not writable (no write permission on "
                        f"{existing})")


def check_log_file(path: Path, exp_dir: Path, output: Path) -> None:
    if exp_dir in path.parents:
        raise UserError(f"log file {path} is inside the input folder {exp_dir}; the input is "
                        f"never written: choose a file outside it")
    if path.parent == output and path.name in PRODUCTS:
        raise UserError(f"log file {path}: {path.name} is written by the post-process; give "
                        f"the log another name")
    if path.is_dir():
        raise UserError(f"log file {path} is a folder; give a file name such as "
                        f"{path}/postprocess.log")
    if not path.parent.is_dir():
        raise UserError(f"log file {path}: folder {path.parent} does not exist")
    if not os.access(path if path.exists() else path.parent, os.W_OK):
        raise UserError(f"log file {path} is not writable")


def check_settings(min_pixel, shape: tuple[int, int], ratio: float, anomaly: bool,
                   workers: int) -> None:
    """min_pixel: a min_pixel.MinPixel."""
    check_min_pixel(min_pixel)
    if len(shape) != 2 or min(shape) <= 0:
        raise UserError(f"shape {shape} is not a positive WIDTHxHEIGHT")
    if not 0 <= ratio < 1:
        raise UserError(f"normal_test_ratio is {ratio}; expected a share from 0 up to (not "
                        f"including) 1")
    if ratio > 0 and anomaly:
        raise UserError("normal_test_ratio holds out normal images; it applies to a normal "
                        "batch, not with --anomaly")
    if workers < 0:
        raise UserError(f"workers is {workers}; expected 0 (all cores) or more")


def check_split_kind(output: Path, kind: str) -> None:
    """Normal and anomalous samples never share Camera<K>/images/: Anomalib would pair the
    normal ones with anomaly masks. (Held-out normal test images live under normal/.)"""
    for record in read_output_manifest(output / OUTPUT_MANIFEST):
        image, source = record.get("image"), record.get("source")
        if record.get("kind") not in (None, kind) and not (
                isinstance(image, str) and "/normal/" in image):
            exp = source.get("exp") if isinstance(source, dict) else None
            raise UserError(
                f"output folder {output} already holds {record['kind']} samples (from "
                f"{exp or 'another exp'}); write {kind} samples to "
                f"their own split folder" + (" (normal test images: --normal_test_ratio with "
                                             "--test_output)" if kind == NORMAL else ""))


def check_output_files(written, removed=()) -> None:
    """Every file a run writes can be written: no folder in its place, a folder (or room for
    one) where its folders go, and the nearest existing one writable; so can every existing
    file it removes (the same sample's files in the other split)."""
    folders = set()
    for path in list(written) + [p for p in removed if p.exists()]:
        if path.is_dir():
            raise UserError(f"{path} is a folder where the post-process writes a file; move it "
                            f"away")
        folders.add(path.parent)
    writable = set()
    for folder in sorted(folders):
        existing = folder
        while not existing.exists():
            existing = existing.parent
        if not existing.is_dir():
            raise UserError(f"{existing} is a file where the post-process needs a folder "
                            f"({folder}); move it away")
        if existing not in writable and not os.access(existing, os.W_OK | os.X_OK):
            raise UserError(f"folder {existing} is not writable")
        writable.add(existing)
