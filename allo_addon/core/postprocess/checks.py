"""Up-front checks of a request: every user mistake is found before anything is written."""

import json
import os
from pathlib import Path

from ..errors import UserError
from .layout import ANOMALY, NORMAL, camera_folders


def check_input(exp_dir: Path, kind: str) -> None:
    if not exp_dir.is_dir():
        raise UserError(f"input folder {exp_dir} does not exist (expected an exp_<N> folder "
                        f"written by the renderer)")
    cameras = camera_folders(exp_dir)
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


def check_log_file(path: Path) -> None:
    if path.is_dir():
        raise UserError(f"log file {path} is a folder; give a file name such as "
                        f"{path}/postprocess.log")
    if not path.parent.is_dir():
        raise UserError(f"log file {path}: folder {path.parent} does not exist")
    if not os.access(path if path.exists() else path.parent, os.W_OK):
        raise UserError(f"log file {path} is not writable")


def check_settings(min_pixel: int, shape: tuple[int, int], ratio: float, anomaly: bool,
                   workers: int) -> None:
    if min_pixel < 0:
        raise UserError(f"min_pixel is {min_pixel}; expected 0 or more pixels")
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
    manifest = output / "manifest.jsonl"
    if not manifest.is_file():
        return
    for line in manifest.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if record.get("kind") not in (None, kind) and "/normal/" not in record.get("image", ""):
            raise UserError(
                f"output folder {output} already holds {record['kind']} samples (from "
                f"{record.get('source', {}).get('exp', 'another exp')}); write {kind} samples to "
                f"their own split folder" + (" (normal test images: --normal_test_ratio with "
                                             "--test_output)" if kind == NORMAL else ""))
