"""The plan: every image a batch will render, decided before anything renders.

A RenderJob is one camera on one day; it holds the images of every variation combination
(docs/formats.md §4). Everything random (jitter, anomaly choice, drawn scale and colour, placement and
Cycles seeds) comes from (seed, job identity), so a job draws the same whatever runs before it:
sharding takes every N-th job, resuming skips recorded images, and the files stay identical.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace

from ..assets.catalog import SURFACE_KINDS
from ..ephemeris.reader import Ephemeris
from ..errors import UserError
from .config import Config
from .layout import ANOMALY, NORMAL, REFERENCE, image_files
from .names import anomaly_name, normal_name
from .poses import CameraPose, PoseTable, jittered
from .seeds import derive_seed, rng_for

MODES = ("illumination", "depth", "scale", "colour")
MODE_ALIASES = {"color": "colour"}
DEFAULT_COLOUR = "default"
NO_SCALE = -1.0          # the <scale> of a file name when the scale mode is off


def normalise_modes(modes) -> frozenset:
    chosen = set()
    for mode in modes or ():
        name = MODE_ALIASES.get(str(mode).lower(), str(mode).lower())
        if name not in MODES:
            raise UserError(f"unknown mode '{mode}': expected any of "
                            f"{', '.join(MODES)} (color is accepted for colour)")
        chosen.add(name)
    return frozenset(chosen)


def is_surface_kind(config: Config, kind: str) -> bool:
    """A built-in kind that sits on the station's hull (frost, impact holes): it is placed on a
    visible surface and never moved along the view by the depth mode."""
    return config.anomalies_path is None and kind in SURFACE_KINDS


@dataclass(frozen=True)
class ImageSpec:
    name: str                 # file name, the same under every folder of the camera
    sun_strength: float
    depth: float = 0.0
    colour: str = DEFAULT_COLOUR
    render_seed: int = 0
    reference: str | None = None   # anomalous image: the name of its twin (None: no twin)
    twin: bool = False             # the anomaly-free twin (reference) of a lighting's images


@dataclass(frozen=True)
class RenderJob:
    kind: str                 # "normal" or "anomaly"
    day: int
    camera: CameraPose        # jittered for this day
    table_pose: CameraPose    # as in the pose table
    images: tuple[ImageSpec, ...]
    anomaly: str | None = None
    references: tuple[ImageSpec, ...] = ()   # twins: the anomaly hidden, one per illumination
    scale: float = 1.0        # object scale applied to the anomaly
    scale_label: float = NO_SCALE
    anomaly_seed: int = 0     # builds a seeded built-in anomaly
    placement_seed: int = 0   # rotation and position attempts

    @property
    def job_id(self) -> str:
        return f"{self.kind}-day{self.day}-{self.camera.name}"

    @property
    def split(self) -> str:
        """The split the job's jitter is drawn for (and, under the novel-view protocol, the
        pose table split its camera comes from): test for anomalous images."""
        return "test" if self.kind == "anomaly" else "train"

    @property
    def image_folder(self) -> str:
        return ANOMALY if self.kind == "anomaly" else NORMAL

    @property
    def renders(self) -> tuple[ImageSpec, ...]:
        """Every image the job renders: its images, then their twins."""
        return self.images + self.references

    def relative_paths(self, image: ImageSpec) -> dict[str, str]:
        """"image" and each mask's key -> path relative to exp_<N>/ (core/dataset/layout.py); a twin has
        its own folders (reference/, reference_fb_mask/)."""
        kind = REFERENCE if image.twin else self.image_folder
        return image_files(self.camera.name, kind, image.name)


@dataclass
class Plan:
    jobs: list[RenderJob]
    refused_days: dict[int, str] = field(default_factory=dict)   # corrupt ephemeris rows

    @property
    def image_count(self) -> int:
        """Every render, twins included."""
        return sum(len(job.renders) for job in self.jobs)

    @property
    def twin_count(self) -> int:
        return sum(len(job.references) for job in self.jobs)

    def shard(self, index: int, count: int) -> "Plan":
        return Plan([j for n, j in enumerate(self.jobs) if n % count == index], self.refused_days)


def parse_shard(text: str) -> tuple[int, int]:
    """'i/N' -> (i, N), 0 ≤ i < N."""
    try:
        index, count = (int(part) for part in str(text).split("/"))
    except ValueError:
        raise UserError(f"--shard is {text!r}, expected i/N, e.g. 0/4 for the first of four") from None
    if count < 1 or not 0 <= index < count:
        raise UserError(f"--shard is {text!r}, expected i/N with 0 ≤ i < N")
    return index, count


def make_plan(config: Config, ephemeris: Ephemeris, poses: PoseTable, *, anomaly: bool,
              modes=(), seed: int | None = None) -> Plan:
    modes = normalise_modes(modes)
    seed = config.seed if seed is None else seed
    split = "test" if anomaly else "train"       # the jitter's draws
    table = pose_split(config, anomaly)           # the poses jittered
    refused = {d: ephemeris.bad_rows[d] for d in ephemeris.check_days(config.days)}
    days = [d for d in config.days if d not in refused]
    if not days:
        raise UserError(f"{ephemeris.path}: every day from {config.start_day} to "
                        f"{config.end_day} is a corrupt row; nothing can be rendered")
    for camera in config.cams:
        poses.pose(table, camera)  # fail early on a camera the table lacks
    illum = config.sun_strength if "illumination" in modes else (config.default_sun_strength,)
    jobs = []
    for day in days:
        for camera in config.cams:
            table_pose = poses.pose(table, camera)
            pose = jittered(table_pose, seed, split, day, config.pose_jitter.position,
                            config.pose_jitter.rotation)
            if anomaly:
                jobs.append(_anomaly_job(config, modes, seed, day, table_pose, pose, illum,
                                         config.references))
            else:
                jobs.append(_normal_job(seed, day, table_pose, pose, illum))
    return Plan(jobs, refused)


def pose_split(config: Config, anomaly: bool) -> str:
    """The pose table split a batch's cameras take: novel-view (the original) gives anomalous
    batches the test table's views; same-view gives them the train table's, so Camera<K> is
    the same viewpoint in both splits."""
    return "test" if anomaly and config.protocol == "novel-view" else "train"


def _render_seed(seed, kind, day, camera, name) -> int:
    return derive_seed(seed, "render", kind, day, camera, name) & 0x7FFFFFFF


def _normal_job(seed, day, table_pose, pose, illum) -> RenderJob:
    images = tuple(
        ImageSpec(name=normal_name(day, s), sun_strength=s,
                  render_seed=_render_seed(seed, "normal", day, pose.index, s))
        for s in illum)
    return RenderJob("normal", day, pose, table_pose, images)


def _anomaly_job(config, modes, seed, day, table_pose, pose, illum, references) -> RenderJob:
    rng = rng_for(seed, "anomaly", day, pose.index)
    weights = [config.params_for(k).weight for k in config.anomalies]
    if len(set(weights)) == 1:
        kind = rng.choice(config.anomalies)   # the plain draw: plans made before weights existed stay
    else:
        kind = rng.choices(config.anomalies, weights)[0]
    scale, scale_label = 1.0, NO_SCALE
    if "scale" in modes:
        scale = scale_label = rng.choice(config.scales)
    colours = [DEFAULT_COLOUR]
    if "colour" in modes:
        colours.append(rng.choice(config.colours))
    depths = [0.0]
    if "depth" in modes and not is_surface_kind(config, kind):  # depth 0 first: checked there
        depths += [d for d in dict.fromkeys(config.depths) if d != 0.0]
    images, twins = [], {}
    for s, depth, colour in itertools.product(illum, depths, colours):
        name = anomaly_name(day, kind, s, scale_label, depth, colour)
        spec = ImageSpec(name=name, sun_strength=s, depth=depth, colour=colour,
                         render_seed=_render_seed(seed, "anomaly", day, pose.index, name))
        if references:
            # one twin per lighting: depth, scale and colour only change the hidden anomaly.
            # It takes the seed of the lighting's first image (depth 0, default colour), so
            # the two share their Monte-Carlo noise wherever the anomaly changes nothing.
            twin = twins.setdefault(s, ImageSpec(name=normal_name(day, s), sun_strength=s,
                                                 render_seed=spec.render_seed, twin=True))
            spec = replace(spec, reference=twin.name)
        images.append(spec)
    return RenderJob("anomaly", day, pose, table_pose, tuple(images), anomaly=kind, scale=scale,
                     references=tuple(twins.values()),
                     scale_label=scale_label,
                     anomaly_seed=derive_seed(seed, "anomaly-shape", day, pose.index),
                     placement_seed=derive_seed(seed, "placement", day, pose.index))
