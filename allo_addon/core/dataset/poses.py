"""Camera pose tables: `split,index,x,y,z,rx,ry,rz` (Blender units, radians, XYZ Euler).

Split `train` is used for normal batches, `test` for anomalous ones. Camera K is row K of its
split, named `Camera<K>`. Each pose is jittered per day (docs/formats.md §4).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

from ..errors import UserError
from ..user_files import read_user_text
from .config import FLOAT_MAX
from .layout import camera_folder
from .seeds import rng_for

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
PRESETS = {
    "builtin": DATA_DIR / "camera_poses_builtin.csv",
    "original": DATA_DIR / "camera_poses_original.csv",
}
SPLITS = ("train", "test")
HEADER = ("split", "index", "x", "y", "z", "rx", "ry", "rz")


@dataclass(frozen=True)
class CameraPose:
    index: int
    location: tuple[float, float, float]
    rotation: tuple[float, float, float]   # XYZ Euler, radians

    @property
    def name(self) -> str:
        return camera_folder(self.index)   # its folder in exp_<N>/ (core/dataset/layout.py)


@dataclass(frozen=True)
class PoseTable:
    path: Path
    poses: dict[str, dict[int, CameraPose]]   # split -> index -> pose

    def pose(self, split: str, index: int) -> CameraPose:
        table = self.poses.get(split, {})
        if index not in table:
            have = sorted(table)
            listed = f"{have[0]}–{have[-1]}" if have else "none"
            raise UserError(f"{self.path}: no '{split}' camera {index} (cams in the config); "
                            f"this table has {split} cameras {listed}")
        return table[index]


def load_pose_table(source) -> PoseTable:
    path = PRESETS.get(source, source) if isinstance(source, str) else source
    path = Path(path)
    lines = read_user_text(path, "camera pose table").splitlines()
    rows = [(n, line) for n, line in enumerate(lines, 1) if line.strip() and not line.startswith("#")]
    if not rows or tuple(c.strip() for c in rows[0][1].split(",")) != HEADER:
        raise UserError(f"{path}: expected a header line '{','.join(HEADER)}'")
    poses: dict[str, dict[int, CameraPose]] = {s: {} for s in SPLITS}
    for line_no, cells in zip((n for n, _ in rows[1:]), csv.reader(l for _, l in rows[1:])):
        if len(cells) != len(HEADER):
            raise UserError(f"{path}: line {line_no} has {len(cells)} values, expected 8 "
                            f"({','.join(HEADER)})")
        split = cells[0].strip()
        if split not in SPLITS:
            raise UserError(f"{path}: line {line_no}: split is {split!r}, expected train or test")
        try:
            index = int(cells[1])
            x, y, z, rx, ry, rz = (float(c) for c in cells[2:])
        except ValueError:
            raise UserError(f"{path}: line {line_no}: expected an integer index and six "
                            f"numbers, got {','.join(cells)!r}") from None
        if not all(math.isfinite(v) and abs(v) <= FLOAT_MAX for v in (x, y, z, rx, ry, rz)):
            raise UserError(f"{path}: line {line_no}: a value is not finite (or past "
                            f"{FLOAT_MAX:.3g}, where Blender's 32-bit floats end)")
        if index in poses[split]:
            raise UserError(f"{path}: line {line_no}: {split} camera {index} appears twice")
        poses[split][index] = CameraPose(index, (x, y, z), (rx, ry, rz))
    return PoseTable(path=path, poses=poses)


def jittered(pose: CameraPose, seed: int, split: str, day: int,
             position_sigma: float, rotation_sigma: float, attempt: int = 0) -> CameraPose:
    """The pose of `pose` on `day`: a normal draw per axis, seeded by the job's identity.
    attempt > 0: another draw for the same job (the renderer's redraws when a view loses the
    station); attempt 0 is the plan's."""
    identity = (split, day, pose.index) + ((attempt,) if attempt else ())
    rng = rng_for(seed, "jitter", *identity)
    location = tuple(c + rng.gauss(0.0, position_sigma) for c in pose.location)
    rotation = tuple(a + rng.gauss(0.0, rotation_sigma) for a in pose.rotation)
    return CameraPose(pose.index, location, rotation)
