"""A render batch as the user asked for it, validated into a plan — no bpy.

The render operator, the command line and the GUI all build a BatchRequest and call
prepare_batch(); --dry-run prints describe_plan() and stops there.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..ephemeris.reader import Ephemeris, load_ephemeris
from ..errors import UserError
from .config import INT_MAX, INT_MIN, Config, load_config
from .denoiser import DenoiserChoice
from .layout import exp_dir
from .plan import Plan, make_plan, normalise_modes, parse_shard, pose_split
from .poses import DATA_DIR, load_pose_table

DEFAULT_EPHEMERIS = DATA_DIR / "default_ephemeris.csv"


@dataclass(frozen=True)
class BatchRequest:
    config_path: Path | None          # None: the built-in default config
    exp_num: int
    anomaly: bool = False
    modes: frozenset = field(default_factory=frozenset)
    seed: int | None = None           # None: the config's seed
    shard: str | None = None          # "i/N"
    dry_run: bool = False
    config: Config | None = None      # given directly (the GUI's settings): config_path unused


@dataclass
class PreparedBatch:
    request: BatchRequest
    config: Config
    ephemeris: Ephemeris
    plan: Plan                        # this shard's jobs
    full_plan_images: int
    exp_dir: Path
    seed: int
    modes: frozenset


def prepare_batch(request: BatchRequest) -> PreparedBatch:
    """Everything a batch needs, validated; nothing is written (the dry run stops here)."""
    check_exp_num(request.exp_num)
    if request.seed is not None:
        check_seed(request.seed)
    if request.config is not None:
        config = request.config
    else:
        config = load_config(request.config_path) if request.config_path else Config()
    modes = normalise_modes(request.modes)
    if request.anomaly:
        _check_min_pixel(config)
    seed = config.seed if request.seed is None else request.seed
    ephemeris = load_ephemeris(config.ephemeris_path or DEFAULT_EPHEMERIS)
    _check_last_day(config, ephemeris)
    poses = load_pose_table(config.pose_table)
    plan = make_plan(config, ephemeris, poses, anomaly=request.anomaly, modes=modes, seed=seed)
    full = plan.image_count
    if request.shard:
        plan = plan.shard(*parse_shard(request.shard))
    exp = exp_dir(config.output_dir, request.exp_num)
    check_output_folder(exp)
    return PreparedBatch(request, config, ephemeris, plan, full, exp, seed, modes)


def check_exp_num(value) -> int:
    """exp_<N>: N from 0 to the largest number Blender's integer properties hold."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= INT_MAX:
        raise UserError(f"--exp_num is {value!r}, expected a whole number from 0 to {INT_MAX}")
    return value


def check_seed(value) -> int:
    """Any 32-bit whole number, negative ones too: Blender's integer properties hold 32 bits."""
    if isinstance(value, bool) or not isinstance(value, int) or not INT_MIN <= value <= INT_MAX:
        raise UserError(f"--seed is {value!r}, expected a whole number from {INT_MIN} to "
                        f"{INT_MAX}")
    return value


def _check_min_pixel(config: Config) -> None:
    """An anomaly must cover more than min_pixel pixels: at min_pixel ≥ the image's pixel count
    every placement fails and every anomalous image would be skipped."""
    width, height = config.resolution
    if config.min_pixel >= width * height:
        raise UserError(f"{config.source or 'config'}: min_pixel is {config.min_pixel}, expected "
                        f"fewer than the {width * height} pixels of a {width}×{height} image "
                        f"(resolution): an anomaly must cover more than min_pixel pixels")


def _check_last_day(config: Config, ephemeris: Ephemeris) -> None:
    """Days past the ephemeris' last row, refused without listing them all: end_day can be
    two billion, and the planner would walk every one of those days."""
    first_outside = max(0, -(-(len(ephemeris) - config.start_day) // config.day_interval))
    outside = range(config.start_day, config.end_day + 1, config.day_interval)[first_outside:]
    if len(outside) > 5:
        rows = len(ephemeris)
        raise UserError(f"{ephemeris.path}: {len(outside)} days, {outside[0]} to {outside[-1]} "
                        f"(end_day {config.end_day}), are outside the ephemeris, which has "
                        f"{rows} rows (days 0–{rows - 1}); check start_day, end_day and "
                        f"day_interval")
    ephemeris.check_days(outside)   # a few: named one by one


def check_output_folder(exp: Path) -> None:
    """Say now, before rendering and in a dry run, that exp_<N> cannot be created or written
    (a file in the way, a read-only folder); creates nothing."""
    for folder in (exp, *exp.parents):
        if os.path.lexists(folder):
            break
    if not folder.is_dir():
        raise UserError(f"output folder {exp} cannot be created: {folder} is a file, not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UserError(f"output folder {exp} is not writable: no permission to write in "
                        f"{folder}")
    longest = os.pathconf(folder, "PC_NAME_MAX")
    for name in exp.relative_to(folder).parts:
        if len(os.fsencode(name)) > longest:
            raise UserError(f"output folder {exp} cannot be created: the name {name[:40]}… is "
                            f"too long (at most {longest} bytes per folder name here)")


def describe_plan(batch: PreparedBatch, finished: set[str] = frozenset(),
                  denoising: DenoiserChoice | None = None, views: dict | None = None) -> str:
    """The dry-run report: what would be rendered, where, and how many.

    denoising: what this Blender's Cycles will do with `denoise` (core/dataset/denoiser.plan_denoiser
    on the denoisers Cycles offers); None where nobody asked Cycles: the report says what was
    asked.
    views: job_id -> core/dataset/view_search.SteadyPose, the pose each job renders from (the render
    batch's dry run measures them on the built scene); None: poses not listed.
    """
    plan, config, request = batch.plan, batch.config, batch.request
    kind = "anomalous" if request.anomaly else "normal"
    lines = [
        f"plan: {kind} batch, exp_{request.exp_num}, seed {batch.seed}, "
        f"modes: {', '.join(sorted(batch.modes)) or 'none'}",
        f"config: {config.source or 'built-in defaults'}",
        f"ephemeris: {batch.ephemeris.path} ({len(batch.ephemeris)} rows)",
        f"output: {batch.exp_dir}",
        f"views: protocol {config.protocol}: the {pose_split(config, request.anomaly)} pose "
        f"table of {config.pose_table}",
        f"render: {config.resolution[0]}×{config.resolution[1]}, {config.samples} samples, "
        f"device {config.device}",
        denoising.note if denoising else f"denoise: {'on' if config.denoise else 'off'} (asked)",
    ]
    if config.annotations:   # opt-in: a batch without them reports exactly as before
        lines.append(f"annotations: {', '.join(config.annotations)} (Camera<K>/<kind>/ beside "
                     f"the masks, from the same render)")
    if request.shard:
        lines.append(f"shard {request.shard}: {plan.image_count} of {batch.full_plan_images} images")
    for day, reason in sorted(plan.refused_days.items()):
        lines.append(f"refused day {day}: ephemeris row {day} is corrupt ({reason})")
    per_day = Counter(job.day for job in plan.jobs)
    per_camera = Counter(job.camera.name for job in plan.jobs)
    per_anomaly = Counter(job.anomaly for job in plan.jobs if job.anomaly)
    lines.append("jobs per day: " + ", ".join(f"{d}: {n}" for d, n in sorted(per_day.items())))
    lines.append("jobs per camera: " + ", ".join(f"{c}: {n}" for c, n in sorted(per_camera.items())))
    if per_anomaly:
        lines.append("anomalies: " + ", ".join(f"{a}: {n}" for a, n in sorted(per_anomaly.items())))
    for job in plan.jobs:
        extra = f" {job.anomaly} scale {job.scale:g}" if job.anomaly else ""
        twins = f" + {len(job.references)} twins" if job.references else ""
        lines.append(f"  day {job.day} {job.camera.name}{extra}: {len(job.images)} images{twins}")
        if views is not None:
            lines.append(f"    camera: {views[job.job_id].describe()}")
        for image in job.renders:
            path = job.relative_paths(image)["image"]
            mark = "  (done)" if path in finished else ""
            lines.append(f"    {path}{mark}")
    line = twin_cost(plan)
    if line:
        lines.append(line)
    elif request.anomaly and not config.references:
        lines.append("twins: off (references: false): no anomaly-free reference images")
    todo = sum(1 for job in plan.jobs for image in job.renders
               if job.relative_paths(image)["image"] not in finished)
    lines.append(f"total: {plan.image_count} images in {len(plan.jobs)} jobs "
                 f"({plan.image_count - todo} already done, {todo} to render)")
    return "\n".join(lines)


def twin_cost(plan: Plan) -> str:
    """What the anomaly-free twins add to a plan, or "" when it has none."""
    twins = plan.twin_count
    if not twins:
        return ""
    others = plan.image_count - twins
    return (f"twins: {twins} anomaly-free reference images (one per camera-day and "
            f"illumination), +{100 * twins / others:.0f}% on {others} anomalous images")
