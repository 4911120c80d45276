"""One sample, start to finish: verify, combine masks, write. Runs inside the process pool.

A Job carries everything a worker needs (no shared state), so the result depends only on the
job and never on which process ran it or in what order.
"""

import zlib
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from ..atomic_files import copy_file, save_png
from . import masks, verify
from .output_layout import OutputPaths, SourceImage

# Masks are long runs of one value: zlib's run-length strategy at level 1 is as fast as plain
# level 1 and about 3x smaller (it is also what OpenCV's imwrite uses by default).
MASK_PNG = {"compress_level": 1, "compress_type": zlib.Z_RLE}


@dataclass(frozen=True)
class Job:
    source: SourceImage
    exp_dir: Path
    expected_size: tuple[int, int]  # (width, height)
    outputs: OutputPaths
    stale: tuple[Path, ...] = ()    # the same sample's files in the other split, to remove
    min_pixel: int = 2000
    reference: str | None = None    # its twin (relative to exp_dir), copied to outputs.reference


@dataclass(frozen=True)
class Outcome:
    accepted: bool
    reason: str | None = None        # one of verify.REASONS when rejected
    detail: str = ""
    anomaly_pixels: int | None = None


def process_job(job: Job) -> Outcome:
    try:
        pixels = _verify_and_write(job)
    except verify.Rejected as rejected:
        _remove(job.outputs.all())  # a sample rejected now must not linger from an earlier run
        return Outcome(False, rejected.reason, rejected.detail)
    _remove(job.stale)
    return Outcome(True, anomaly_pixels=pixels)


def _verify_and_write(job: Job) -> int | None:
    source, exp, size = job.source, job.exp_dir, job.expected_size
    _require_masks(job)
    _require_annotations(job)
    verify.check_image(exp / source.image, size)
    anomaly = None
    pixels = None
    if source.anomaly_mask is not None:
        anomaly = verify.read_mask(exp / source.anomaly_mask, size, "anomaly mask")
        pixels = masks.anomaly_pixels(anomaly)
        if pixels <= job.min_pixel:  # decided before decoding anything else
            raise verify.Rejected(verify.ANOMALY_TOO_SMALL,
                                  f"anomaly covers {pixels} px, needs more than {job.min_pixel}")
    fb = verify.read_mask(exp / source.fb_mask, size, "fb mask")
    if job.reference is not None:   # a pair is whole or the sample is not written
        if not (exp / job.reference).is_file():
            raise verify.Rejected(verify.MISSING_REFERENCE, f"its twin {job.reference} is "
                                                            f"listed in manifest.jsonl, not on disk")
        verify.check_image(exp / job.reference, size)
    _write(job, masks.combine_masks(fb, anomaly), anomaly)
    return pixels


def _require_masks(job: Job) -> None:
    for relative in (job.source.fb_mask, job.source.anomaly_mask):
        if relative is not None and not (job.exp_dir / relative).is_file():
            raise verify.Rejected(verify.MISSING_MASK, f"no {relative}")


def _require_annotations(job: Job) -> None:
    for kind, _ in job.outputs.annotations:
        relative = job.source.annotation(kind)
        if not (job.exp_dir / relative).is_file():
            raise verify.Rejected(verify.MISSING_ANNOTATION,
                                  f"no {relative} (manifest.jsonl lists its {kind})")


def _write(job: Job, combined, anomaly) -> None:
    out = job.outputs
    for path in out.all():
        path.parent.mkdir(parents=True, exist_ok=True)
    save_png(Image.fromarray(combined), out.mask, **MASK_PNG)
    if out.ground_truth is not None:
        save_png(Image.fromarray(masks.ground_truth(anomaly)), out.ground_truth, **MASK_PNG)
    if out.reference is not None:
        copy_file(job.exp_dir / job.reference, out.reference)
    for kind, path in out.annotations:
        copy_file(job.exp_dir / job.source.annotation(kind), path)
    copy_file(job.exp_dir / job.source.image, out.image)  # last: an image implies its masks


def _remove(paths) -> None:
    for path in paths:
        if path.exists():
            path.unlink()
