"""exp_<N>/manifest.jsonl: one JSON record per written image, appended after its files exist.

A record is appended in one write() on a file opened with O_APPEND, so concurrent shards
writing the same manifest never interleave lines, and a crash leaves at most a torn last line,
which readers skip.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

NAME = "manifest.jsonl"


def append_record(exp_dir: Path, record: dict) -> None:
    line = (json.dumps(record, sort_keys=True, allow_nan=False) + "\n").encode()  # NaN: not JSON
    fd = os.open(Path(exp_dir) / NAME, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


def read_records(exp_dir: Path) -> list[dict]:
    path = Path(exp_dir) / NAME
    if not path.exists():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue  # a torn line from a crash: its image is rendered again
    return records


def finished_images(exp_dir: Path) -> set[str]:
    """Images (paths relative to exp_dir) that are recorded and whose files are all there."""
    exp_dir = Path(exp_dir)
    done = set()
    for record in read_records(exp_dir):
        files = [record.get("image")] + list((record.get("masks") or {}).values())
        if all(f and (exp_dir / f).is_file() for f in files):
            done.add(record["image"])
    return done
