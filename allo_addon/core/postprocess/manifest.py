"""manifest.jsonl in (the renderer's records) and out (one line per accepted sample).

The output manifest of a split folder may hold samples of several exp folders; a run replaces
the lines of its own exp and keeps the others, so re-running never duplicates a line.
"""

import json
import os
from pathlib import Path

from ..atomic_files import write_text
from ..manifest import read_records


def read_render_manifest(exp_dir: Path) -> dict[str, dict]:
    """Render records by image path (relative to exp_dir); empty when there is no manifest.

    Read as every reader reads it (core/manifest.read_records): a torn last line is skipped, a
    damaged line elsewhere is an error naming it. An image recorded twice (by an older
    version's concurrent renders) keeps its last record.
    """
    return {record["image"]: record for record in read_records(exp_dir)}


def relative(path: Path, start: Path) -> str:
    return Path(os.path.relpath(path, start)).as_posix()


def merge_output_manifest(path: Path, exp_name: str, records: list[dict]) -> None:
    """Write path with this exp's records replacing any earlier ones of the same exp."""
    kept = []
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue  # our own file, written atomically: only a hand edit gets here
            if record.get("source", {}).get("exp") != exp_name:
                kept.append(record)
    merged = sorted(kept + records, key=lambda r: (r["source"]["exp"], r["source"]["image"]))
    write_text(path, "".join(json.dumps(r, sort_keys=True) + "\n" for r in merged))
