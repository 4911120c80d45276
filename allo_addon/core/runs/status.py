"""How far a batch is: per shard, images planned / done / skipped / missing — no bpy.

A cluster renders a batch as K shards (`--shard i/K`, array index i); when some fail, the
user needs to know which indices to run again. The plan says what each shard renders (job n
belongs to shard n % K, core/dataset/plan.Plan.shard), the manifest says what is finished (a
record whose files are all there), and render.log says which camera-days were skipped: an
anomaly that no placement attempt could show enough of. A skip is decided by the seed, so
rendering again skips the same camera-day: skipped images are not missing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..dataset import manifest
from ..dataset.plan import Plan
from . import claims

LOG = "render.log"


def skipped_line(day: int, camera: str, why: str) -> str:
    """The render.log line of a skipped camera-day (scene/batch.py writes it, skipped_jobs reads it)."""
    return f"skipped day {day} {camera}: {why}"


_SKIPPED = re.compile(r"^skipped day (\d+) (\S+): ")


def skipped_jobs(exp_dir: Path) -> set[tuple[int, str]]:
    """(day, camera) of every camera-day render.log says was skipped; empty without a log."""
    try:
        text = (Path(exp_dir) / LOG).read_text(encoding="utf-8", errors="replace")
    except (FileNotFoundError, NotADirectoryError):
        return set()
    return {(int(m[1]), m[2]) for m in map(_SKIPPED.match, text.splitlines()) if m}


@dataclass
class Count:
    planned: int = 0
    done: int = 0
    skipped: int = 0
    missing: int = 0

    def add(self, other: "Count") -> None:
        for key in ("planned", "done", "skipped", "missing"):
            setattr(self, key, getattr(self, key) + getattr(other, key))


@dataclass
class BatchStatus:
    shards: list[Count]                       # index i: shard i/K
    missing_images: list[str] = field(default_factory=list)   # relative to exp_<N>/
    claims: list = field(default_factory=list)   # core/runs/claims.Holder: camera-days being rendered

    @property
    def total(self) -> Count:
        total = Count()
        for count in self.shards:
            total.add(count)
        return total

    @property
    def incomplete_shards(self) -> list[int]:
        """Array indices to run again: shards with missing images."""
        return [i for i, count in enumerate(self.shards) if count.missing]

    @property
    def complete(self) -> bool:
        return not self.total.missing


def batch_status(plan: Plan, exp_dir: Path, shards: int = 1) -> BatchStatus:
    """plan: the whole batch's plan (not one shard's)."""
    finished = manifest.finished_images(exp_dir)
    skipped = skipped_jobs(exp_dir)
    status = BatchStatus([Count() for _ in range(shards)])
    jobs = {job.job_id for job in plan.jobs}
    status.claims = [h for h in claims.holders(exp_dir) if h.path.stem in jobs]
    for n, job in enumerate(plan.jobs):
        count = status.shards[n % shards]
        for image in job.renders:
            path = job.relative_paths(image)["image"]
            count.planned += 1
            if path in finished:
                count.done += 1
            elif (job.day, job.camera.name) in skipped:
                count.skipped += 1
            else:
                count.missing += 1
                status.missing_images.append(path)
    return status


def describe_status(status: BatchStatus, heading: str) -> list[str]:
    """The report printed by `status`: a heading, one line per shard, the total, what to do."""
    width = len(str(len(status.shards) - 1))
    lines = [heading]
    for i, count in enumerate(status.shards):
        if len(status.shards) > 1:
            lines.append(f"  shard {i:>{width}}/{len(status.shards)}: {_counts(count)}")
    total = status.total
    lines.append(f"  total: {_counts(total)}")
    for holder in status.claims:   # its images count as missing until they are recorded
        lines.append(f"  claimed: {holder.path.stem} by {holder.describe()} since "
                     f"{holder.since}; if no render runs there any more, delete {holder.path}")
    if status.complete:
        lines.append("  complete: nothing is missing")
    elif len(status.shards) > 1:
        lines.append(f"  incomplete: re-run array indices "
                     f"{','.join(map(str, status.incomplete_shards))}")
    else:
        lines.append("  incomplete: run the same render command again to render what is missing")
    return lines


def _counts(count: Count) -> str:
    return (f"{count.planned} planned, {count.done} done, {count.skipped} skipped, "
            f"{count.missing} missing")
