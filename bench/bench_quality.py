"""Render quality against time (#14 §1): which Cycles settings reach the original's quality for
less, on a fixed set of views of the built-in scene.

The images are 1920×1080 (FRAME), the original's size, but only a CROP of each is rendered
(Cycles' border render, cropped): a 240×135 window of the full-HD frame, on the part of the view
that matters (the anomaly, the foil, the Moon's limb). Every pixel of the window is the pixel
the full-HD image would have, so the noise, the adaptive sampler's stopping and what the
denoiser sees per feature are full HD's, at 1/64 of the cost. Each view is rendered once as a
reference (REFERENCE_SAMPLES, no adaptive stop, denoised), cached under build/bench_quality/
keyed by the Blender version and a hash of the views and of the scene's source files. Then
each candidate renders every view; its error is PSNR (RGB) and SSIM (luma) of the 8-bit beauty
PNG against the reference (bench/quality_metrics.py), and its masks must equal the
reference's. Time is the CPU seconds of the render call (every Cycles
thread; the machine is shared, so wall time says more about the neighbours than about the
setting), averaged over the views; wall seconds are recorded too. A full-HD image has 64
windows' worth of pixels (black space among them, which costs little) and one scene sync
(~0.5 CPU s, measured as a 1-sample render of a window): time ratios between candidates are
those of the windows' content at full HD, the sync's share making them slightly understated.

equal_quality_speedup: the original's time (256 samples, denoised, Blender's bounce defaults) /
the time of the cheapest candidate within 0.5 dB PSNR and 0.005 SSIM of the original on every
view. (An earlier version rendered whole views at 240×135: the denoiser then saw 64× fewer
pixels per feature and every pixel held 64 full-HD pixels' detail, so the adaptive sampler ran
longer and fewer samples lost more than they do at full HD; docs/quality_bench_240x135.jsonl.)
`--quick`: 96×54 windows of a 768×432 frame, a 64-sample reference, three candidates (a smoke
test; its plot goes to build/, not docs/).
"""

from __future__ import annotations

import hashlib
import inspect
import json
import math
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import quality_metrics as qm

REPO = Path(__file__).resolve().parent.parent
FRAME, QUICK_FRAME = (1920, 1080), (768, 432)   # the image the window is cut from
SIZE, QUICK_SIZE = (240, 135), (96, 54)          # the window rendered
REFERENCE_SAMPLES, QUICK_REFERENCE_SAMPLES = 512, 64
CACHE = REPO / "build" / "bench_quality"
PLOT = REPO / "docs" / "quality_vs_time.png"
ORIGINAL = "original"
REFERENCE_SEED_OFFSET = 7919   # the reference's Cycles seed: the view's + this
# a scene without atmosphere, glass or volumes: light rarely needs more than a few bounces
SPACE_BOUNCES = {"max_bounces": 4, "diffuse_bounces": 2, "glossy_bounces": 2,
                 "transmission_bounces": 2, "volume_bounces": 0, "transparent_max_bounces": 4}


@dataclass(frozen=True)
class View:
    name: str
    what: str
    day: int
    split: str = "train"
    cam: int = 0
    anomaly: str | None = None
    lens_mm: float | None = None     # only the Moon's limb view: a wider lens (see moon_limb_pose)
    # the window's centre, as fractions of the frame (x from the left, y from the top); None:
    # centred on the anomaly (where the placement put it at this frame size)
    window: tuple[float, float] | None = None


# Chosen by ray casts over the built-in pose tables (station share, share of the hull seen that
# faces the Sun unshadowed), days 0-360 in steps of 15, then fixed here so the cache holds.
# The fixed windows were picked on each whole view (rendered at 480×270): the hatch on the
# sunlit hull, the middle of the solar array on the shadowed side, the Moon's crescent.
VIEWS = (
    View("sunlit_hull", "sunlit hull, foil and solar arrays (train 23: 90 % station, 98 % of it "
         "sunlit)", day=30, cam=23, window=(0.58, 0.80)),
    View("shadowed_side", "the side away from the Sun, lit by the camera's spotlight only "
         "(train 17: 70 % station, none of it sunlit)", day=0, cam=17, window=(0.5, 0.55)),
    View("moon_limb_earth", "the Moon's limb with the Earth in view, no station (12 mm lens: "
         "the ephemeris never has the Earth closer than 67° to the limb)", day=10, lens_mm=12.0,
         window=(0.09, 0.48)),
    View("close_anomaly_spot", "a floating drill 2 m from the camera on the shadowed side, in "
         "the spotlight", day=45, split="test", cam=9, anomaly="drill"),
    View("surface_anomaly", "frost on the sunlit hull", day=30, split="test", cam=3,
         anomaly="frost"),
)
QUICK_VIEWS = (VIEWS[1], VIEWS[3])
MOON_VIEW = VIEWS[2].name


def candidates(quick: bool = False) -> list[dict]:
    """name, samples, denoise, Cycles knobs (scene.cycles), spot-light knobs. The original is
    Blender's defaults (the configure_cycles of today): every candidate starts from it."""
    def c(name, samples, denoise=True, cycles=None, spot=None):
        return {"name": name, "samples": samples, "denoise": denoise,
                "cycles": dict(cycles or {}), "spot": dict(spot or {})}
    if quick:
        return [c(ORIGINAL, 256), c("s16", 16), c("s16_space_bounces", 16, cycles=SPACE_BOUNCES)]
    return [
        c(ORIGINAL, 256),
        # fewer samples (the adaptive stop, threshold 0.01, stays on as in the original)
        c("s192", 192),
        c("s128", 128),
        c("s96", 96),
        c("s64", 64),
        c("s32", 32),
        # the adaptive stop: a pixel stops once its noise estimate is under the threshold
        c("threshold_0.02", 256, cycles={"adaptive_threshold": 0.02}),
        c("threshold_0.03", 256, cycles={"adaptive_threshold": 0.03}),
        c("threshold_0.05", 256, cycles={"adaptive_threshold": 0.05}),
        # one knob at a time on the original: what each one buys
        c("space_bounces", 256, cycles=SPACE_BOUNCES),
        c("no_caustics", 256, cycles={"caustics_reflective": False,
                                      "caustics_refractive": False}),
        c("no_light_tree", 256, cycles={"use_light_tree": False}),
        c("path_guiding", 256, cycles={"use_guiding": True}),
        c("clamp_indirect_3", 256, cycles={"sample_clamp_indirect": 3.0}),
        c("denoise_balanced", 256, cycles={"denoising_quality": "BALANCED"}),
        c("denoise_fast", 256, cycles={"denoising_quality": "FAST"}),
        c("prefilter_fast", 256, cycles={"denoising_prefilter": "FAST"}),
        c("no_denoise", 256, denoise=False),
        c("direct_only", 256, cycles={"max_bounces": 0}),
    ]


def run(args):
    import bpy
    quick = bool(getattr(args, "quick", False))
    size = QUICK_SIZE if quick else SIZE
    frame = QUICK_FRAME if quick else FRAME
    ref_samples = QUICK_REFERENCE_SAMPLES if quick else REFERENCE_SAMPLES
    views = QUICK_VIEWS if quick else VIEWS
    plot = CACHE / "quality_vs_time_quick.png" if quick else PLOT
    yield from measure(views, candidates(quick), size, ref_samples, plot,
                       blender=bpy.app.version_string, frame=frame)


def measure(views, cands, size, ref_samples, plot: Path | None, blender: str,
            cache_root: Path = CACHE, frame=None):
    """size: the window rendered of each view, out of a `frame`-sized image (None: the whole
    view at `size`)."""
    from PIL import Image
    settings = {"resolution": list(size), "frame": list(frame or size),
                "reference_samples": ref_samples, "blender": blender}
    with tempfile.TemporaryDirectory(prefix="allo_quality_") as scratch:
        bench = QualityBench(size, Path(scratch), frame)
        results, windows = {}, {}
        for view in views:
            bench.show(view)
            ref = bench.reference(view, ref_samples, cache_root / cache_key(
                view, size, ref_samples, blender, frame))
            # where the window lies and what it holds (the masks' pixel counts)
            windows[view.name] = {
                "x_y_width_height": bench.window,
                **{f"{name}_pixels": int(np.count_nonzero(mask))
                   for name, mask in ref["masks"].items()}}
            for cand in cands:
                image, masks, cpu, wall = bench.render(cand)
                beauty = np.asarray(Image.open(image).convert("RGB"))
                entry = results.setdefault(cand["name"], {"candidate": cand, "views": {}})
                entry["views"][view.name] = {
                    "psnr": round(qm.psnr(beauty, ref["beauty"]), 3),
                    "ssim": round(qm.ssim(beauty, ref["beauty"]), 5),
                    "masks_equal": all(np.array_equal(masks[k], ref["masks"][k])
                                       for k in ref["masks"]),
                    "cpu_seconds": round(cpu, 3), "wall_seconds": round(wall, 3)}
    settings["windows"] = windows
    for entry in results.values():
        per_view = entry["views"].values()
        entry["seconds"] = statistics.mean(v["cpu_seconds"] for v in per_view)
        entry["wall"] = statistics.mean(v["wall_seconds"] for v in per_view)
    speedup, best = qm.equal_quality_speedup(results, ORIGINAL)
    draft = qm.cheapest_within(results, ORIGINAL, qm.DRAFT_PSNR_DB, qm.DRAFT_SSIM)
    original = results[ORIGINAL]
    for name, entry in results.items():
        yield {"metric": "quality_candidate", "candidate": name,
               "value": round(entry["seconds"], 3), "unit": "CPU s per image",
               "wall_seconds_per_image": round(entry["wall"], 3),
               "min_psnr": min(v["psnr"] for v in entry["views"].values()),
               "min_ssim": min(v["ssim"] for v in entry["views"].values()),
               "within_original": qm.within(entry["views"], original["views"],
                                            qm.PSNR_TOLERANCE_DB, qm.SSIM_TOLERANCE),
               "samples": entry["candidate"]["samples"], "denoise": entry["candidate"]["denoise"],
               "cycles": entry["candidate"]["cycles"], "spot": entry["candidate"]["spot"],
               "views": entry["views"], **settings}
    yield {"metric": "equal_quality_speedup", "value": round(speedup, 2), "unit": "ratio",
           "chosen": best, "draft_choice": draft,
           "original_seconds": round(original["seconds"], 3),
           "chosen_seconds": round(results[best]["seconds"], 3),
           "tolerance": {"psnr_db": qm.PSNR_TOLERANCE_DB, "ssim": qm.SSIM_TOLERANCE},
           "views": [v.name for v in views], **settings}
    if plot is not None:
        from .quality_plot import draw
        draw(results, ORIGINAL, best, draft, plot, settings)


def cache_key(view: View, size, ref_samples, blender: str, frame=None) -> str:
    """One view's reference: Blender version + a hash of the view, size, reference samples, the
    code that sets the view up, and the scene's code (a change to the station, bodies,
    anomalies or placement renders that reference again)."""
    setup = [QualityBench.show, QualityBench._config_dict, QualityBench.reference,
             QualityBench._crop_to, QualityBench._anomaly_in_frame]
    if view.name == MOON_VIEW:
        setup += [moon_limb_pose, _limb_and_earth_aim]
    digest = hashlib.sha256(json.dumps([view.__dict__, list(size), ref_samples]
                                       + ([list(frame)] if frame else []),
                                       sort_keys=True).encode())
    for function in setup:
        digest.update(inspect.getsource(function).encode())
    scene = REPO / "allo_addon" / "scene"
    for path in sorted([*scene.glob("*.py"), *scene.glob("builtin/**/*.py")]):
        digest.update(path.read_bytes())
    return f"blender{blender.split()[0]}-{view.name}-{digest.hexdigest()[:16]}"


class QualityBench:
    """The built-in scene, one view at a time, rendered under candidate settings: a `size`
    window of a `frame`-sized image (frame None: the whole image at `size`)."""

    def __init__(self, size, scratch: Path, frame=None):
        from allo_addon.core.dataset.batch_request import DEFAULT_EPHEMERIS
        from allo_addon.core.dataset.config import config_from_dict
        from allo_addon.core.ephemeris.reader import load_ephemeris
        from allo_addon.headless.blender_session import ensure_registered
        from allo_addon.scene.assembly import StationScene
        from allo_addon.scene.render_settings import (choose_device, configure_cycles,
                                                      configure_denoising)
        from allo_addon.scene.renderer import MaskedRenderer
        ensure_registered()
        self.size, self.frame = tuple(size), tuple(frame or size)
        self.window = None       # the last view's window: [x0, y0 from the top, width, height] px
        self.config = config_from_dict(self._config_dict(self.frame))
        self.stage = StationScene(self.config)
        configure_cycles(self.stage.scene, self.config)
        choose_device(self.stage.scene, "cpu")   # CPU time is what is measured
        self.denoiser = configure_denoising(self.stage.scene, self.config).denoiser
        self.renderer = MaskedRenderer(self.stage.scene, scratch, quiet=True)
        self.ephemeris = load_ephemeris(DEFAULT_EPHEMERIS)
        self.lens = self.stage.camera.data.lens
        self.seed = 0
        # every knob any candidate touches, as the original has it: restored before each render
        cycles = self.stage.scene.cycles
        knobs = {k for cand in candidates() for k in cand["cycles"]} | \
            {"use_adaptive_sampling", "adaptive_threshold", "adaptive_min_samples"}
        self.defaults = {k: getattr(cycles, k) for k in knobs if hasattr(cycles, k)}
        spot = self.stage.spot.data
        self.spot_defaults = {k: getattr(spot, k) for cand in candidates() for k in cand["spot"]}

    @staticmethod
    def _config_dict(size, view=None):
        raw = {"resolution": list(size), "pose_jitter": {"position": 0.0, "rotation": 0.0},
               "seed": 42}
        if view is not None:
            raw.update({"start_day": view.day, "end_day": view.day, "cams": [view.cam],
                        "sun_strength": [10.0]})
        if view is not None and view.anomaly:
            # as the gallery places a kind: close, in a small box, enough attempts
            raw.update({"anomalies": [view.anomaly], "min_pixel": 20, "anomaly_distance": 2.0,
                        "scales": [1.0],
                        "anomaly_box": 0.4, "placement_attempts": 30, "references": False})
        return raw

    def show(self, view: View) -> None:
        """Set the stage as the batch would for this view's job (day, pose, anomaly placed)."""
        from allo_addon.core.dataset.batch_request import BatchRequest, prepare_batch
        from allo_addon.core.dataset.config import config_from_dict
        from allo_addon.core.dataset.plan import is_surface_kind
        from allo_addon.scene.placement import Placement, place_anomaly, place_on_surface
        stage = self.stage
        stage.remove_anomaly()
        stage.camera.data.lens = view.lens_mm or self.lens
        config = config_from_dict(self._config_dict(self.frame, view))
        geometry = self.ephemeris.day(view.day)
        stage.apply_day(geometry)
        if view.name == MOON_VIEW:
            moon_limb_pose(stage, geometry)
            stage.apply_image(config.default_sun_strength)
            self.seed = 1
            self._crop_to(view.window)
            return
        batch = prepare_batch(BatchRequest(None, 1, anomaly=view.anomaly is not None,
                                           seed=42, config=config))
        job = batch.plan.jobs[0]
        stage.set_camera(job.camera)
        image = next(i for i in job.images if not i.twin)
        self.seed = image.render_seed
        if view.anomaly:
            stage.add_anomaly(job.anomaly, job.anomaly_seed, job.scale)
            place = place_on_surface if is_surface_kind(config, job.anomaly) else place_anomaly
            placement = place(stage, config, job.placement_seed, job.scale, config.min_pixel)
            if not isinstance(placement, Placement):
                raise RuntimeError(f"view {view.name}: the {view.anomaly} was not placed "
                                   f"({placement.describe()})")
        stage.apply_image(image.sun_strength, image.depth, image.colour)
        stage.show_anomaly(True)
        self._crop_to(view.window or self._anomaly_in_frame())

    def _anomaly_in_frame(self) -> tuple[float, float]:
        """The placed anomaly's centre in the frame (fractions, y from the top); the frame's
        centre on a view without one."""
        from bpy_extras.object_utils import world_to_camera_view
        from mathutils import Vector
        stage = self.stage
        if stage.anomaly is None:
            return 0.5, 0.5
        stage.scene.view_layers[0].update()     # matrix_world: where the placement moved it
        box = [stage.anomaly.matrix_world @ Vector(corner) for corner in stage.anomaly.bound_box]
        centre = sum(box, Vector()) / len(box)
        at = world_to_camera_view(stage.scene, stage.camera, centre)
        return at.x, 1.0 - at.y

    def _crop_to(self, centre) -> None:
        """Render only a `size` window of the frame around `centre` (kept inside the frame);
        with frame == size, the whole image."""
        render = self.stage.scene.render
        (width, height), (frame_w, frame_h) = self.size, self.frame
        render.use_border = render.use_crop_to_border = (width, height) != (frame_w, frame_h)
        x0 = min(max(round(centre[0] * frame_w - width / 2), 0), frame_w - width)
        top = min(max(round(centre[1] * frame_h - height / 2), 0), frame_h - height)
        render.border_min_x, render.border_max_x = x0 / frame_w, (x0 + width) / frame_w
        # Blender's border counts y from the bottom
        render.border_min_y = (frame_h - top - height) / frame_h
        render.border_max_y = (frame_h - top) / frame_h
        self.window = [x0, top, width, height]

    def reference(self, view: View, samples: int, cache: Path) -> dict:
        from PIL import Image
        png, npz = cache / f"{view.name}.png", cache / f"{view.name}_masks.npz"
        if not (png.exists() and npz.exists()):
            # every sample taken (no adaptive stop), then denoised: what is left of the noise
            # at this count would otherwise set a floor under every candidate's error
            # Another seed than the candidates': with theirs, the reference's first 256 samples
            # would be the original's own, and the error of the candidates with most samples
            # would look smaller than it is (measured: it did).
            ref = {"name": "reference", "samples": samples, "denoise": True,
                   "cycles": {"use_adaptive_sampling": False}, "spot": {}}
            image, masks, cpu, wall = self.render(ref, seed=self.seed + REFERENCE_SEED_OFFSET)
            cache.mkdir(parents=True, exist_ok=True)
            np.savez_compressed(npz, **masks)
            png.write_bytes(image.read_bytes())
            print(f"# reference {view.name}: {samples} samples, {cpu:.1f} CPU s, {wall:.1f} s",
                  file=sys.stderr, flush=True)   # stdout holds only the JSON lines
        with np.load(npz) as stored:
            masks = {k: stored[k] for k in stored.files}
        return {"beauty": np.asarray(Image.open(png).convert("RGB")), "masks": masks}

    def render(self, cand: dict, seed: int | None = None):
        from allo_addon.scene.render_settings import apply_cycles_settings
        scene, spot = self.stage.scene, self.stage.spot.data
        for key, value in self.defaults.items():
            setattr(scene.cycles, key, value)
        for key, value in self.spot_defaults.items():
            setattr(spot, key, value)
        apply_cycles_settings(scene.cycles, cand["cycles"])
        for key, value in cand["spot"].items():
            setattr(spot, key, value)
        scene.cycles.samples = cand["samples"]
        scene.cycles.use_denoising = bool(cand["denoise"] and self.denoiser)
        cpu = time.process_time()
        image, masks, wall, _ = self.renderer.render(self.seed if seed is None else seed, "quality")
        return image, masks, time.process_time() - cpu, wall


def moon_limb_pose(stage, geometry) -> None:
    """Aimed halfway between the Earth and the point of the Moon's limb nearest to it, so both
    are in the frame, from 20 m beyond the sunlit-hull view's table pose along that aim: from
    the pose itself the station's modules hide the Earth (a 3-pixel disc at this size)."""
    from mathutils import Vector

    from allo_addon.core.dataset.poses import load_pose_table
    where = Vector(load_pose_table("builtin").pose(VIEWS[0].split, VIEWS[0].cam).location)
    where = where + _limb_and_earth_aim(geometry, where) * 20.0
    aim = _limb_and_earth_aim(geometry, where)
    stage.camera.location = where
    stage.camera.rotation_euler = aim.to_track_quat("-Z", "Y").to_euler()
    stage.scene.view_layers[0].update()


def _limb_and_earth_aim(geometry, where):
    """Unit vector halfway between the Earth and the Moon's limb point nearest to it."""
    from mathutils import Vector
    moon = Vector(geometry.body("moon").position) - where
    earth = (Vector(geometry.body("earth").position) - where).normalized()
    centre = moon.normalized()
    radius = math.asin(min(1.0, geometry.body("moon").radius / moon.length))
    # the limb point: from the Moon's centre, `radius` toward the Earth on the great circle
    towards = (earth - centre * centre.dot(earth)).normalized()
    limb = centre * math.cos(radius) + towards * math.sin(radius)
    return (limb + earth).normalized()
