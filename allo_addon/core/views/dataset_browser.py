"""What the dataset browser lists: the images of an exp_<N> folder or of a post-processed split
folder, read from its manifest.jsonl, with their camera, day, kind and split, filtered and
counted. No bpy: the panel (panels/sidebar_dataset.py) draws what this returns.

An exp folder's manifest holds the renderer's records (scene/batch.py); a split folder's holds
one line per accepted sample (core/postprocess/run.py), with the renderer's record under
"render". Both are read with read_records(): a damaged line is an error naming it, a torn last
line is skipped, as for every other reader.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..dataset.layout import ANOMALY_MASK, FB_MASK
from ..dataset.manifest import NAME, read_records
from ..dataset.names import parse_render_name
from ..errors import UserError
from ..postprocess.output_manifest import record_source

ALL = "*"              # a filter that keeps every value
UNSPLIT = "unsplit"    # the split of an exp folder's images: the post-process decides splits
FIELDS = ("camera", "day", "kind", "split")


@dataclass(frozen=True)
class Pose:
    """The camera an image was rendered from: the pose after jitter, and the lens."""

    location: tuple[float, float, float]
    rotation_euler_xyz: tuple[float, float, float]
    lens_mm: float | None
    sensor_width_mm: float | None
    resolution: tuple[int, int] | None


@dataclass(frozen=True)
class Entry:
    image: str                  # relative to the dataset folder
    camera: str
    day: int | None             # None: neither the record nor the file name says
    kind: str                   # normal, anomaly, reference (a normal batch's twin)
    split: str                  # train / test in a split folder, UNSPLIT in an exp folder
    masks: tuple[str, ...]      # exp: (fb_mask, anomaly_mask or none); split: (3-class mask,)
    three_class: bool           # masks[0] holds 0/1/2 (split folder), not 0/255 files
    record: dict

    @property
    def label(self) -> str:
        day = "?" if self.day is None else self.day
        return f"{self.camera}  day {day}  {self.kind}  {Path(self.image).name}"

    def render_record(self) -> dict:
        """The renderer's record: the record itself (exp) or the one a split line carries."""
        if "source" in self.record:
            render = self.record.get("render")
            return render if isinstance(render, dict) else {}
        return self.record

    def pose(self) -> Pose:
        """The manifest's camera pose (after jitter); UserError naming what is missing."""
        render = self.render_record()
        pose = render.get("camera_pose")
        pose = pose if isinstance(pose, dict) else {}
        location = _vector(pose.get("location"))
        rotation = _vector(pose.get("rotation_euler_xyz"))
        if location is None or rotation is None:
            where = "render.camera_pose" if render is not self.record else "camera_pose"
            raise UserError(f"the manifest record of {self.image} has no {where} with a location "
                            f"and rotation_euler_xyz of three numbers each (rendered by a version "
                            f"that did not record it?); expected e.g. "
                            f'"camera_pose": {{"location": [x, y, z], '
                            f'"rotation_euler_xyz": [rx, ry, rz]}}')
        intrinsics = render.get("intrinsics")
        intrinsics = intrinsics if isinstance(intrinsics, dict) else {}
        return Pose(location, rotation, _positive(intrinsics.get("lens_mm")),
                    _positive(intrinsics.get("sensor_width_mm")), _size(render.get("resolution")))


@dataclass(frozen=True)
class Dataset:
    root: Path
    kind: str        # "exp" or "split"
    entries: tuple[Entry, ...]


def open_dataset(folder) -> Dataset:
    """The images a folder's manifest lists; UserError when there is no folder or manifest,
    or a line of it is damaged."""
    root = Path(folder)
    if not root.is_dir():
        what = "is a file, not a folder" if root.exists() else "does not exist"
        raise UserError(f"dataset folder {root} {what}; expected an exp_<N> folder a batch "
                        f"rendered into, or a split folder the post-process wrote")
    if not (root / NAME).is_file():
        raise UserError(f"{root} has no {NAME}: it is not an exp_<N> folder a batch rendered "
                        f"into, nor a split folder the post-process wrote (renders/train, "
                        f"renders/test)")
    entries = tuple(_entry(record) for record in read_records(root))
    split = bool(entries) and all("source" in e.record for e in entries)
    return Dataset(root, "split" if split else "exp", entries)


def _entry(record: dict) -> Entry:
    image = record["image"]   # read_records checked it is a non-empty string
    if "source" in record:   # a split folder's line
        render = record.get("render") if isinstance(record.get("render"), dict) else {}
        exp_image = record_source(record)[1] or image
        mask = record.get("mask")
        masks = (mask,) if isinstance(mask, str) and mask else ()
        kind = "reference" if record.get("twin") is True else _text(record.get("kind"))
        return Entry(image, _camera(record, image), _day(render, exp_image), kind,
                     _text(record.get("split")), masks, True, record)
    masks = record.get("masks") if isinstance(record.get("masks"), dict) else {}
    mask_files = tuple(m for m in (masks.get(FB_MASK), masks.get(ANOMALY_MASK))
                       if isinstance(m, str) and m)
    return Entry(image, _camera(record, image), _day(record, image), _text(record.get("kind")),
                 UNSPLIT, mask_files, False, record)


def _text(value) -> str:
    return value if isinstance(value, str) and value else "unknown"


def _camera(record: dict, image: str) -> str:
    camera = record.get("camera")
    return camera if isinstance(camera, str) and camera else image.split("/")[0]


def _day(record: dict, image: str) -> int | None:
    day = record.get("day")
    if isinstance(day, int) and not isinstance(day, bool):
        return day
    name = parse_render_name(image.rsplit("/", 1)[-1])   # a record without "day": the name says
    return int(name.day) if name and name.day.isdigit() else None


def _vector(value) -> tuple[float, float, float] | None:
    if not isinstance(value, list) or len(value) != 3:
        return None
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
               for v in value):
        return None
    return tuple(float(v) for v in value)


def _positive(value) -> float | None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    return float(value) if ok and math.isfinite(value) and value > 0 else None


def _size(value) -> tuple[int, int] | None:
    ok = (isinstance(value, list) and len(value) == 2
          and all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value))
    return (value[0], value[1]) if ok else None


# --- filtering and counting ----------------------------------------------------------------

@dataclass(frozen=True)
class Filters:
    camera: str = ALL
    day: int | None = None      # None: every day
    kind: str = ALL
    split: str = ALL

    def keeps(self, entry: Entry, ignore: str = "") -> bool:
        """Whether entry passes every filter but `ignore`'s."""
        return all(name == ignore or _passes(getattr(self, name), getattr(entry, name))
                   for name in FIELDS)


def _passes(wanted, value) -> bool:
    return wanted is None or wanted == ALL or wanted == value


def select(entries, filters: Filters) -> list[Entry]:
    return [e for e in entries if filters.keeps(e)]


def values(entries, field: str) -> list:
    """The field's distinct values in a reader's order (Camera2 before Camera10, days by
    number, None last)."""
    return sorted({getattr(e, field) for e in entries}, key=_natural)


def facet_counts(entries, filters: Filters, field: str) -> dict:
    """How many images each value of `field` has among those the other filters keep: what
    choosing that value would list. Every value of the dataset is there (0 when none left),
    so a menu built from it keeps its order while other filters change."""
    counts = Counter(getattr(e, field) for e in entries if filters.keeps(e, ignore=field))
    return {value: counts.get(value, 0) for value in values(entries, field)}


def _natural(value):
    if value is None:
        return (2, ())
    if isinstance(value, int):
        return (0, (value,))
    return (1, tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", str(value))))


# --- what the panel shows of the selected image ----------------------------------------------

def key_fields(entry: Entry) -> list[tuple[str, str]]:
    """(label, value) of the record's fields a user checks first; the rest is in the file."""
    render = entry.render_record()
    rows = [("Image", entry.image), ("Camera", entry.camera),
            ("Day", "?" if entry.day is None else str(entry.day))]
    if render.get("epoch"):
        rows.append(("UTC", str(render["epoch"])))
    rows += [("Kind", entry.kind), ("Split", entry.split)]
    if "source" in entry.record:
        rows.append(("From", "/".join(record_source(entry.record))))
    anomaly = render.get("anomaly")
    if isinstance(anomaly, dict):
        rows.append(("Anomaly", " ".join(f"{anomaly.get(k)}" for k in ("name", "scale_label",
                                                                        "colour")
                                         if anomaly.get(k) is not None)))
    pixels = entry.record.get("anomaly_pixels", render.get("anomaly_pixels"))
    if isinstance(pixels, int) and entry.kind == "anomaly":
        rows.append(("Anomaly pixels", str(pixels)))
    if render.get("sun_strength") is not None:
        rows.append(("Sun strength", f"{render['sun_strength']:g}"
                     if isinstance(render["sun_strength"], (int, float)) else "?"))
    pose = render.get("camera_pose") if isinstance(render.get("camera_pose"), dict) else {}
    for label, key in (("Location", "location"), ("Rotation", "rotation_euler_xyz")):
        vector = _vector(pose.get(key))
        if vector:
            rows.append((label, ", ".join(f"{v:.3f}" for v in vector)))
    redraws = pose.get("jitter_redraws", "absent")
    if redraws != "absent":
        rows.append(("Jitter", "none: the table pose" if redraws is None
                     else f"redrawn {redraws}×" if redraws else "first draw"))
    return rows
