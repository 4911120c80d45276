"""manifest.jsonl in (the renderer's records) and out (one line per accepted sample).

The output manifest of a split folder may hold samples of several exp folders; a run replaces
the lines of its own exp and keeps the others, so re-running never duplicates a line.
"""

import json
import os
from pathlib import Path

from ..atomic_files import write_text
from ..dataset.manifest import SAMPLES, read_file, read_records


def read_render_manifest(exp_dir: Path) -> dict[str, dict]:
    """Render records by image path (relative to exp_dir); empty when there is no manifest.

    Read as every reader reads it (core/dataset/manifest.read_records): a torn last line is skipped, a
    damaged line elsewhere is an error naming it. An image recorded twice (by an older
    version's concurrent renders) keeps its last record.
    """
    return {record["image"]: record for record in read_records(exp_dir)}


def relative(path: Path, start: Path) -> str:
    return Path(os.path.relpath(path, start)).as_posix()


def read_output_manifest(path: Path) -> list[dict]:
    """The records of a split folder's manifest.jsonl; [] when there is none. Read by the same
    rules as the render manifest (core/dataset/manifest.py), which the dataset browser also applies to
    this file: a torn last line is skipped, any other line that is not a JSON object with an
    "image" path is an error naming the file and the line. It is read before anything is
    written (checks.check_split_kind), so a hand-damaged file stops a run at its start."""
    return read_file(path, SAMPLES)


def record_source(record: dict) -> tuple[str, str]:
    """(exp, image) an output manifest line came from; empty strings where a hand edit broke it."""
    source = record.get("source")
    source = source if isinstance(source, dict) else {}
    return str(source.get("exp", "")), str(source.get("image", ""))


def merge_output_manifest(path: Path, exp_name: str, records: list[dict]) -> None:
    """Write path with this exp's records replacing any earlier ones of the same exp."""
    kept = [r for r in read_output_manifest(path) if record_source(r)[0] != exp_name]
    merged = sorted(kept + records, key=record_source)
    write_text(path, "".join(json.dumps(r, sort_keys=True) + "\n" for r in merged))
