"""postprocess(request) -> Summary: an exp_<N> render tree into the Anomalib layout.

Order of work: check everything (nothing written on a mistake), plan one Job per image
(held-out normal test images are chosen here from the seed, so workers never decide anything)
and check that every file it will write can be written; create the output folders and open
the log (undone if that fails); run the jobs in a process pool (results come back in job
order), then write manifest, report and contact sheet. A folder that cannot be read or written
ends in a UserError naming it, never in a traceback.
"""

from collections import Counter
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..dataset.annotations import KINDS as ANNOTATION_KINDS
from ..dataset.settings import with_fields
from ..errors import UserError
from . import checks, mvtec, pool, splits, verify
from .contact_sheet import SheetEntry, make_contact_sheet, pick_evenly
from .min_pixel import MinPixel, check_reachable
from .options import request_fields
from .output_layout import (ANOMALIB, ANOMALY, CONTACT_SHEET, DEFAULT_LOG, LAYOUTS, MVTEC, MVTEC_GOOD,
                            NORMAL, OUTPUT_MANIFEST, PRODUCTS, REFERENCE, REPORT, TEST, TRAIN,
                            check_category, is_folder_name, mvtec_paths, output_paths, source_images)
from .output_manifest import merge_output_manifest, read_render_manifest, relative
from .report import anomaly_kind, build_report, illumination, write_report
from .worker import Job, Outcome, process_job

SHEET_SAMPLES = 12


@with_fields(request_fields())
class PostprocessRequest:
    """What to post-process: a field per option of options.py's OPTIONS (input, output,
    seed …), then the one the min_pixel option's N@WxH fills:"""
    min_pixel_at: tuple[int, int] | None = None   # the resolution min_pixel is meant for

@dataclass
class Summary:
    output: Path
    log_file: Path
    accepted: dict[str, int] = field(default_factory=dict)            # camera -> count
    rejected: dict[str, dict[str, int]] = field(default_factory=dict)  # camera -> reason -> n
    held_out: int = 0
    twins: int = 0                   # of accepted: anomaly-free twins, as normal test images
    warnings: list[str] = field(default_factory=list)   # e.g. a camera left without anomalies

    def count_accepted(self, camera: str, held_out: bool, twin: bool = False) -> None:
        self.accepted[camera] = self.accepted.get(camera, 0) + 1
        self.held_out += held_out
        self.twins += twin

    def count_rejected(self, camera: str, reason: str) -> None:
        reasons = self.rejected.setdefault(camera, {})
        reasons[reason] = reasons.get(reason, 0) + 1

    @property
    def total_accepted(self) -> int:
        return sum(self.accepted.values())

    @property
    def total_rejected(self) -> int:
        return sum(sum(reasons.values()) for reasons in self.rejected.values())

    def lines(self) -> list[str]:
        lines = []
        for camera in sorted(set(self.accepted) | set(self.rejected), key=lambda c: (len(c), c)):
            reasons = self.rejected.get(camera, {})
            detail = ", ".join(f"{reason} {n}" for reason, n in sorted(reasons.items()))
            lines.append(f"{camera}: {self.accepted.get(camera, 0)} accepted, "
                         f"{sum(reasons.values())} rejected" + (f" ({detail})" if detail else ""))
        held = f" ({self.held_out} held out as normal test images)" if self.held_out else ""
        if self.twins:
            held = f" ({self.twins} of them anomaly-free twins, as normal test images)"
        lines.append(f"total: {self.total_accepted} accepted{held}, "
                     f"{self.total_rejected} rejected")
        return lines


@dataclass(frozen=True)
class _Paths:
    exp: Path
    output: Path
    test_output: Path
    log_file: Path
    kind: str
    layout: str = ANOMALIB
    category: str | None = None


def postprocess(request: PostprocessRequest,
                progress: Callable[[int, int], None] | None = None) -> Summary:
    try:
        paths = _checked_paths(request)
        records = read_render_manifest(paths.exp)
        jobs, held_out = _plan(request, paths, records)
        check_reachable(_threshold(request), [records[j.source.image] for j in jobs
                                              if j.source.kind == ANOMALY
                                              and j.source.image in records])
        leak_check = _check_splits(paths, jobs, records, held_out)
        if paths.layout == MVTEC:
            truths = {j.outputs.ground_truth: j.outputs.image for j in jobs
                      if j.outputs.ground_truth is not None}
            mvtec.check_mask_order(list(truths), truths)
        checks.check_output_files(*_touched_files(jobs, paths))
    except OSError as error:   # a folder or file that cannot be read or looked into
        raise UserError(f"cannot access {error.filename or request.input}: "
                        f"{error.strerror or error}") from None
    log = _start_writing(request, paths)
    try:
        return _write(request, paths, records, jobs, held_out, log, progress, leak_check)
    except OSError as error:   # checked up front; a full disk or a change meanwhile gets here
        raise UserError(f"cannot write {error.filename}: {error.strerror or error} (the "
                        f"samples written so far are whole; run again once it is fixed)") from None


def _write(request, paths, records, jobs, held_out, log, progress, leak_check) -> Summary:
    summary = Summary(paths.output, paths.log_file)
    with log:
        log.write(f"postprocess {paths.exp} -> {paths.output} ({paths.kind}, min_pixel "
                  f"{_threshold(request).describe()}, seed {request.seed})\n")
        rejected = [_log_rejection(log, summary, camera, image, outcome)
                    for camera, image, outcome in _listed_but_missing(records, jobs, paths.kind)]
        log.flush()  # forked workers must not inherit unwritten lines
        accepted = []
        for job, outcome in zip(jobs, _run_jobs(jobs, request.workers, progress)):
            source = job.source
            if outcome.accepted:
                summary.count_accepted(source.camera, held_out=source.image in held_out,
                                       twin=source.kind == REFERENCE)
                accepted.append(_output_record(job, outcome, paths, records, held_out))
            else:
                rejected.append(_log_rejection(log, summary, source.camera, source.image,
                                               outcome))
        errors, summary.warnings = _empty_parts(paths, jobs, held_out, accepted, rejected)
        for line in summary.lines() + [f"WARNING {w}" for w in summary.warnings] + [
                f"ERROR {e}" for e in errors]:
            log.write(line + "\n")
    _write_products(request, paths, jobs, accepted, rejected, leak_check)
    if errors:
        raise UserError("; ".join(errors) + f" (see {paths.log_file} and report.json)")
    return summary


def _empty_parts(paths: _Paths, jobs: list[Job], held: set, accepted: list,
                 rejected: list) -> tuple[list[str], list[str]]:
    """(errors, warnings) for the parts of the splits that had images to take and took none:
    a whole part (the training images; the test split's anomalous or normal images) is an
    error, never a quiet success; one camera's part is a warning (a per-camera model of the
    same-view protocol has nothing to be tested on there). Each names why they were rejected."""
    planned = {}   # (folder, "anomalous" | "normal", camera) -> the images planned for it
    for job in jobs:
        held_out = paths.kind == NORMAL and job.source.image in held
        folder = paths.test_output if held_out else paths.output
        if paths.layout == MVTEC:   # one root: tell its train and test images apart
            folder = folder / (TRAIN if job.source.kind == NORMAL and not held_out else TEST)
        what = "anomalous" if job.source.kind == ANOMALY else "normal"
        planned.setdefault((folder, what, job.source.camera), set()).add(job.source.image)
    taken = {record["source"]["image"] for record in accepted}
    parts = {}
    for (folder, what, camera), names in planned.items():
        parts.setdefault((folder, what), {})[camera] = names
    errors, warnings = [], []
    for (folder, what), cameras in sorted(parts.items()):
        everything = set().union(*cameras.values())
        if not everything & taken:
            errors.append(f"no {what} image accepted into {folder}: all {len(everything)} "
                          f"rejected ({_reasons(everything, rejected)})")
            continue
        for camera, names in sorted(cameras.items(), key=lambda c: (len(c[0]), c[0])):
            if not names & taken:
                warnings.append(f"{folder.name}/{camera} has no {what} image: all "
                                f"{len(names)} rejected ({_reasons(names, rejected)})")
    return errors, warnings


def _reasons(names: set, rejected: list) -> str:
    reasons = {}
    for record in rejected:
        if record["image"] in names:
            reasons.setdefault(record["reason"], []).append(record)
    return "; ".join(f"{reason} {len(rs)}, e.g. {rs[0]['image']}: {rs[0]['detail']}"
                     for reason, rs in sorted(reasons.items()))


def _touched_files(jobs: list[Job], paths: _Paths) -> tuple[list[Path], list[Path]]:
    """(every file the run may write, every file it may remove)."""
    written = [paths.output / name for name in PRODUCTS] + [paths.log_file]
    removed = []
    for job in jobs:
        written += job.outputs.all()
        removed += job.stale
    return written, removed


def _start_writing(request, paths: _Paths):
    """The first writes: the output folders and the log, opened. If one of them fails, the
    folders made so far are removed again, so a refused run leaves nothing behind."""
    created = []
    try:
        folders = [paths.output] + ([paths.test_output] if request.normal_test_ratio > 0 else [])
        for folder in folders:
            missing = [f for f in (folder, *folder.parents) if not f.exists()]
            for new in reversed(missing):
                new.mkdir()
                created.append(new)
        return open(paths.log_file, "w", encoding="utf-8")
    except OSError as error:
        for folder in reversed(created):
            try:
                folder.rmdir()
            except OSError:
                pass   # not ours to insist on: the error below is what the user must see
        raise UserError(f"cannot create {error.filename}: {error.strerror or error}") from None


def _checked_paths(request: PostprocessRequest) -> _Paths:
    exp = Path(request.input).expanduser().resolve()
    output = Path(request.output).expanduser().resolve()
    kind = ANOMALY if request.anomaly else NORMAL
    checks.check_settings(_threshold(request), tuple(request.shape),
                          request.normal_test_ratio, request.anomaly, request.workers)
    _check_layout(request)
    checks.check_input(exp, kind)
    checks.check_output(output, exp, "output")
    if request.layout == MVTEC:   # one tree: both splits and both kinds under each category
        return _Paths(exp, output, output, _log_file(request, exp, output), kind, MVTEC,
                      request.category)
    checks.check_split_kind(output, kind)
    test_output = Path(request.test_output or output.parent / TEST).expanduser().resolve()
    if request.normal_test_ratio > 0:
        if test_output == output:
            raise UserError(f"test output {test_output} is the output folder; held-out "
                            f"normal test images need their own split folder")
        checks.check_output(test_output, exp, "test output")
    return _Paths(exp, output, test_output, _log_file(request, exp, output), kind)


def _log_file(request: PostprocessRequest, exp: Path, output: Path) -> Path:
    log_file = Path(request.log_file or output / DEFAULT_LOG).expanduser().resolve()
    if request.log_file:
        checks.check_log_file(log_file, exp, output)
    return log_file


def _check_layout(request: PostprocessRequest) -> None:
    if request.layout not in LAYOUTS:
        raise UserError(f"unknown layout {request.layout!r}: expected one of "
                        f"{', '.join(LAYOUTS)}")
    if request.layout == MVTEC and request.test_output:
        raise UserError(f"test output {request.test_output} is for the {ANOMALIB} layout; the "
                        f"{MVTEC} layout writes test images to <output>/<category>/test/")
    if request.category is None:
        return
    if request.layout != MVTEC:
        raise UserError(f"category {request.category!r} is for the {MVTEC} layout; add "
                        f"layout {MVTEC} or drop the category")
    why = check_category(request.category)
    if why:
        raise UserError(f"category {request.category!r} cannot name a folder: {why}")


def _held_out_names(sources, ratio: float, seed: int, records: dict) -> set:
    """Every image of the camera-days held out (core/postprocess/splits.held_out_days): a
    camera-day is all-train or all-test, never split between them."""
    days = splits.held_out_days(sources, records, ratio, seed)
    return {s.image for s in sources
            if (s.camera, splits.day_of(s.image, records.get(s.image))) in days}


def _sibling(paths: _Paths) -> Path | None:
    """The other split's folder: the test output of a normal run; the train folder beside
    the output of an anomalous run."""
    if paths.layout == MVTEC:   # both splits are in the output folder and its manifest
        return None
    other = paths.test_output if paths.kind == NORMAL else paths.output.parent / TRAIN
    return other if other != paths.output else None


def _check_splits(paths: _Paths, jobs: list[Job], records: dict, held: set) -> dict:
    """Refuse a run that would leak a camera-day into both splits or overwrite another exp's
    sample; returns the leak check for report.json."""
    planned = {}
    for job in jobs:
        source = job.source
        split = TEST if paths.kind == ANOMALY or source.image in held else TRAIN
        key = (source.camera, splits.day_of(source.image, records.get(source.image)))
        planned.setdefault(key, set()).add(split)
    sibling = _sibling(paths)
    existing = splits.existing_camera_days(paths.output, skip_exp=paths.exp.name)
    if sibling is not None:
        existing += splits.existing_camera_days(sibling)
    written = {path: job.source.image for job in jobs for path in job.outputs.all()}
    splits.check_no_collision(written, paths.exp.name,
                              [paths.output] + ([sibling] if sibling else []))
    return splits.check_no_leak(planned, existing)


def _expected_size(record: dict | None, default) -> tuple[int, int]:
    size = (record or {}).get("resolution")
    if isinstance(size, (list, tuple)) and len(size) == 2 and all(
            isinstance(v, int) and v > 0 for v in size):
        return (size[0], size[1])
    return tuple(default)


def _plan(request, paths: _Paths, records: dict) -> tuple[list[Job], set]:
    sources = source_images(paths.exp, paths.kind)
    threshold = _threshold(request)
    held = _held_out_names(sources, request.normal_test_ratio, request.seed, records)
    if paths.kind == ANOMALY:   # the twins: normal test images of the same camera-days
        sources += source_images(paths.exp, REFERENCE)
    jobs = []
    for source in sources:
        reference = _reference(records.get(source.image))
        kinds = _annotation_kinds(records.get(source.image))
        if paths.layout == MVTEC:   # the twin is written as itself, under test/good/
            label = (_mvtec_label(source, records.get(source.image))
                     if source.kind == ANOMALY else MVTEC_GOOD)
            in_split = mvtec_paths(paths.output, source, label, paths.category,
                                   annotations=kinds)
            in_test = mvtec_paths(paths.output, source, label, paths.category, held_out=True,
                                  annotations=kinds)
        else:
            in_split = output_paths(paths.output, source, paired=reference is not None,
                                    annotations=kinds)
            in_test = output_paths(paths.test_output, source, held_out=True,
                                   annotations=kinds)
        if source.image in held:
            outputs, stale = in_test, in_split.all()
        else:  # a normal image lives in one split only, even after the ratio changed
            outputs, stale = in_split, in_test.all() if paths.kind == NORMAL else ()
        record = records.get(source.image)
        size = _expected_size(record, request.shape)
        jobs.append(Job(source=source, exp_dir=paths.exp, outputs=outputs, stale=stale,
                        expected_size=size, min_pixel=threshold.for_image(record, size),
                        reference=reference))
    return jobs, held


def _mvtec_label(source, record: dict | None) -> str:
    """The test/<label>/ folder of an anomalous image: its anomaly kind, which must name a
    folder other than good/ (MVTec readers take good/ for normal images)."""
    label = anomaly_kind(source.name, record)
    if not label or label == MVTEC_GOOD or not is_folder_name(label):
        raise UserError(f"{source.image}: cannot tell its anomaly kind for the {MVTEC} layout "
                        f"(got {label!r}; expected the anomaly.name of its manifest.jsonl record "
                        f"or a <day>_<anomaly>_… file name, a folder name other than "
                        f"{MVTEC_GOOD!r})")
    return label


def _threshold(request) -> MinPixel:
    return MinPixel(request.min_pixel,
                    tuple(request.min_pixel_at) if request.min_pixel_at else None)


def _annotation_kinds(record: dict | None) -> tuple[str, ...]:
    """The annotations the render wrote for an image (its record's annotations.files), in
    core/dataset/annotations.KINDS order; their files are found from the image's own path."""
    listed = ((record or {}).get("annotations") or {})
    files = listed.get("files") if isinstance(listed, dict) else None
    return tuple(k for k in ANNOTATION_KINDS if isinstance(files, dict) and k in files)


def _reference(record: dict | None) -> str | None:
    """The twin the renderer linked to an anomalous image (exp-relative), if any."""
    reference = (record or {}).get("reference")
    return reference if isinstance(reference, str) and reference else None


def _listed_but_missing(records: dict, jobs: list[Job], kind: str):
    on_disk = {job.source.image for job in jobs}
    return [(_camera(record, image), image,
             Outcome(False, verify.MISSING_IMAGE, "listed in manifest.jsonl, not on disk"))
            for image, record in sorted(records.items())
            if record.get("kind") in _KINDS_OF[kind] and image not in on_disk]


_KINDS_OF = {NORMAL: (NORMAL,), ANOMALY: (ANOMALY, REFERENCE)}   # what a run of a kind reads


def _camera(record: dict, image: str) -> str:
    camera = record.get("camera")
    return camera if isinstance(camera, str) and camera else image.split("/")[0]


def _run_jobs(jobs: list[Job], workers: int, progress):
    """Outcomes in job order, whichever process finished first."""
    workers = min(workers or os.cpu_count() or 1, len(jobs))
    if workers <= 1:
        yield from _counted(map(process_job, jobs), len(jobs), progress)
        return
    with pool.process_pool(workers) as executor:   # fork or spawn: pool.py says which and why
        chunk = max(1, len(jobs) // (workers * 16))
        yield from _counted(executor.map(process_job, jobs, chunksize=chunk), len(jobs), progress)


def _counted(outcomes, total: int, progress):
    for done, outcome in enumerate(outcomes, start=1):
        if progress:
            progress(done, total)
        yield outcome


def _log_rejection(log, summary: Summary, camera: str, image: str, outcome: Outcome) -> dict:
    summary.count_rejected(camera, outcome.reason)
    log.write(f"REJECTED {image}: {outcome.reason}: {outcome.detail}\n")
    return {"camera": camera, "image": image, "reason": outcome.reason, "detail": outcome.detail}


def _output_record(job: Job, outcome: Outcome, paths: _Paths, records: dict, held) -> dict:
    source, render = job.source, records.get(job.source.image)
    out = job.outputs
    twin = source.kind == REFERENCE
    return {
        "split": TEST if paths.kind == ANOMALY or source.image in held else TRAIN,
        "camera": source.camera,
        "kind": NORMAL if twin else source.kind,   # to Anomalib a twin is a normal test image
        "twin": twin,
        "image": relative(out.image, paths.output),
        "reference": relative(out.reference, paths.output) if out.reference else None,
        "mask": relative(out.mask, paths.output),
        "ground_truth": relative(out.ground_truth, paths.output) if out.ground_truth else None,
        **({"annotations": {kind: relative(path, paths.output) for kind, path in out.annotations}}
           if out.annotations else {}),
        "anomaly_pixels": outcome.anomaly_pixels,
        "anomaly_share": None if outcome.anomaly_pixels is None else round(
            outcome.anomaly_pixels / (job.expected_size[0] * job.expected_size[1]), 6),
        "anomaly": anomaly_kind(source.name, render) if source.kind == ANOMALY else None,
        "illumination": illumination(source.name, render),
        "source": {"exp": paths.exp.name, "image": source.image},
        "render": render,
    }


def _write_products(request, paths: _Paths, jobs: list[Job], accepted: list, rejected: list,
                    leak_check: dict) -> None:
    merge_output_manifest(paths.output / OUTPUT_MANIFEST, paths.exp.name, accepted)
    # the sizes the images were checked against (their records' resolution, else --shape)
    # and the thresholds applied: what the data is, not what the flags' defaults say
    shapes = Counter(f"{w}x{h}" for w, h in (job.expected_size for job in jobs))
    thresholds = sorted({job.min_pixel for job in jobs if job.source.kind == ANOMALY})
    one_shape = jobs[0].expected_size if len(shapes) == 1 else None
    header = {"input": paths.exp.name, "kind": paths.kind, "output": paths.output.name,
              "settings": {"min_pixel": thresholds[0] if len(thresholds) == 1 else None,
                           "min_pixel_from": _threshold(request).describe(),
                           "seed": request.seed,
                           "shape": list(one_shape) if one_shape else None,
                           "shapes": dict(sorted(shapes.items())),
                           "normal_test_ratio": request.normal_test_ratio,
                           "held_out_by": splits.GROUPING},
              "twins": sum(1 for r in accepted if r.get("twin")),
              "splits": leak_check}
    area = one_shape[0] * one_shape[1] if one_shape else None
    write_report(paths.output / REPORT, build_report(header, accepted, rejected, area))
    shown = pick_evenly(accepted, SHEET_SAMPLES)
    entries = [SheetEntry(paths.output / r["image"], paths.output / r["mask"], _caption(r))
               for r in shown]
    title = (f"{paths.exp.name} -> {paths.output.name} ({paths.kind}): {len(accepted)} "
             f"accepted, {len(rejected)} rejected")
    width, height = _expected_size(shown[0]["render"] if shown else None, request.shape)
    make_contact_sheet(entries, title, paths.output / CONTACT_SHEET, width / height)


def _caption(record: dict) -> str:
    name = record["source"]["image"].split("/")[-1]
    area = f" | {record['anomaly_pixels']} px" if record["anomaly_pixels"] is not None else ""
    split = " | test" if record["split"] == TEST and record["kind"] == NORMAL else ""
    return f"{record['camera']} | {name}{area}{split}"
