"""Splits that cannot leak: a camera-day is in the train split or the test split, never both.

The images of one camera on one day share pose, jitter, sky and sun direction (only the sun's
strength or the anomaly differs): an image of a day the model trained on is a near-copy of a
training image. So normal test images are held out by whole camera-days, and a run that would
put a camera-day in both splits (this run's own images, or what the split folders already hold
from earlier runs: the twins of an anomalous batch, another batch's held-out days) is refused
before anything is written.
"""

from pathlib import Path

from ..dataset.names import parse_render_name
from ..dataset.seeds import keyed_rng
from ..errors import UserError
from .output_layout import OUTPUT_MANIFEST, TEST, TRAIN, SourceImage
from .output_manifest import read_output_manifest, record_source

GROUPING = "camera-day"


def day_of(image: str, render: dict | None) -> str:
    """The render day of an image (its manifest record, else its file name), as text; an image
    whose day cannot be told is a group of its own."""
    day = (render or {}).get("day")
    if isinstance(day, int) and not isinstance(day, bool):
        return str(day)
    parsed = parse_render_name(image.rsplit("/", 1)[-1])
    return parsed.day if parsed else f"unknown ({image})"


def held_out_days(sources: list[SourceImage], records: dict, ratio: float,
                  seed: int) -> set[tuple[str, str]]:
    """round(ratio × days) whole camera-days per camera (at least one when the ratio is above 0,
    never all: training keeps a day), drawn from the seed and the camera name only."""
    held = set()
    if ratio <= 0:
        return held
    for camera in sorted({s.camera for s in sources}):
        days = sorted({day_of(s.image, records.get(s.image)) for s in sources
                       if s.camera == camera}, key=_day_order)
        count = held_out_count(ratio, len(days))
        held.update((camera, day) for day in
                    keyed_rng(seed, camera).sample(days, count))
    return held


def held_out_count(ratio: float, groups: int) -> int:
    """How many of `groups` camera-days a held-out share takes: round(ratio × groups), at least
    one, never all (the other side keeps a camera-day)."""
    return min(max(1, round(ratio * groups)), groups - 1)


def _day_order(day: str):
    return (0, int(day), day) if day.isdigit() else (1, 0, day)


def existing_camera_days(folder: Path, skip_exp: str | None = None) -> list[tuple]:
    """(camera, day, split, where) of every sample a split folder's manifest lists; skip_exp:
    the exp whose lines this run replaces."""
    found = []
    for record in read_output_manifest(folder / OUTPUT_MANIFEST):
        exp, image = record_source(record)
        split, camera = record.get("split"), record.get("camera")
        if exp == skip_exp or split not in (TRAIN, TEST) or not isinstance(camera, str):
            continue
        render = record.get("render") if isinstance(record.get("render"), dict) else None
        found.append((camera, day_of(image, render), split,
                      f"{folder / OUTPUT_MANIFEST} ({exp or 'an unnamed exp'}: {image})"))
    return found


def check_no_leak(planned: dict[tuple[str, str], set], existing: list[tuple]) -> dict:
    """planned: (camera, day) -> the splits this run puts it in. Refuses (UserError) a run that
    puts a camera-day in both splits; returns the check as report.json states it."""
    for (camera, day), splits in sorted(planned.items()):
        if len(splits) > 1:   # cannot happen with held_out_days: a guard on this module
            raise UserError(f"{camera} day {day} would be in both the train and test split")
    for camera, day, split, where in existing:
        mine = planned.get((camera, day), set())
        other = ({TRAIN, TEST} - {split}) & mine
        if other:
            new = other.pop()
            raise UserError(
                f"{camera} day {day} would be in both splits: this run puts it in {new}, and "
                f"{where} already has it in {split}. Images of one camera-day are near-copies "
                f"(same pose and sky); render the {'normal' if new == TRAIN else 'anomalous'} "
                f"batch on other days (start_day/end_day), or write to split folders that do "
                f"not hold that day")
    per_split = {s: sorted({f"{c} day {d}" for (c, d), splits in planned.items() if s in splits},
                           key=_camera_day_order)
                 for s in (TRAIN, TEST)}
    return {"grouping": GROUPING,
            "check": "no (camera, day) in both the train and the test split, counting this "
                     "run and what the split folders' manifests already hold",
            "passed": True,
            "camera_days": {s: len(v) for s, v in per_split.items()},
            "test_camera_days": per_split[TEST]}


def _camera_day_order(text: str):
    camera, _, day = text.partition(" day ")
    return (len(camera), camera, _day_order(day))


def check_no_collision(written: dict[Path, str], exp_name: str, folders: list[Path]) -> None:
    """Never overwrite another exp's sample (a normal batch's held-out day and a twin of the
    same camera-day have the same name under test/Camera<K>/normal/images/)."""
    for folder in folders:
        for record in read_output_manifest(folder / OUTPUT_MANIFEST):
            source = record.get("source") if isinstance(record.get("source"), dict) else {}
            exp, image = str(source.get("exp", "")), record.get("image")
            if exp == exp_name or not isinstance(image, str):
                continue
            path = (folder / image).resolve()
            if path in written:
                raise UserError(f"{path} would be written for {exp_name}/{written[path]}, but "
                                f"it is {exp}'s sample {source.get('image')} (listed in "
                                f"{folder / OUTPUT_MANIFEST}); post-process one of them into "
                                f"other split folders")
