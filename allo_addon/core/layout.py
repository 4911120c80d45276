"""Where a batch writes: exp_<N>/Camera<K>/{normal,anomaly,fb_mask,anomaly_mask}/
(docs/formats.md §5)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import UserError

PARTIAL = ".partial"   # files being written; renamed into place when complete
CLAIMS = "claims"      # in PARTIAL: which process renders which job (core/claims.py)
LOCK = "lock"          # in PARTIAL: held while a claim or a manifest line is written


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
