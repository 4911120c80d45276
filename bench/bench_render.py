"""Render pipeline at the demo's settings on the built-in scene.

pipeline_overhead: wall time of a whole anomalous batch (scene build, placement, mask and file
writing, manifest) / the sum of the time spent inside Cycles' render call for the same images.

Placement (#14 §4), replayed after the batch for every anomaly job of its plan, through the same
functions the batch calls (scene/batch.py BatchRun._prepare_job), on the job's own view:
placement_attempts / placement_successes / placement_failures: geometric attempts made, jobs
placed, jobs refused (a refused job's attempts and seconds count too).
placement_seconds_per_attempt, placement_seconds_per_success: our geometric check.
placement_speedup_per_attempt: one 20-sample render of that view with the anomaly present, at the
batch's resolution (what the original paid per placement attempt) / our seconds per attempt.
placement_pixel_error: mean |estimated − final mask pixels| / final, over depth-0 images of the
batch (its resolution); placement_pixel_error_1080p: the same replayed at 1920×1080 with the
min_pixel scaled by area, rendered at 1 sample without denoising: the mask is what is compared,
and the object-index pass does not depend on the sample count.
"""

import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

DEMO_CONFIG = Path(__file__).resolve().parent.parent / "allo_addon" / "data" / "demo_config.yaml"
MODES = frozenset({"illumination", "depth", "scale", "colour"})
FULL_HD = (1920, 1080)


def run(args):
    import bpy
    from allo_addon.core.dataset.batch_request import BatchRequest, prepare_batch
    from allo_addon.core.dataset.manifest import read_records
    from allo_addon.scene.batch import BatchRun

    with tempfile.TemporaryDirectory() as out:
        batch = prepare_batch(BatchRequest(DEMO_CONFIG, 1, anomaly=True, modes=MODES, seed=42))
        batch.config = replace(batch.config, output_dir=Path(out))
        batch.exp_dir = Path(out) / "exp_1"
        settings = {"config": "demo_config.yaml", "resolution": list(batch.config.resolution),
                    "samples": batch.config.samples, "denoise": batch.config.denoise,
                    "images": batch.plan.image_count, "blender": bpy.app.version_string}
        started = time.perf_counter()
        run_ = BatchRun(batch, log=lambda line: None)
        summary = run_.run()
        wall = time.perf_counter() - started
        yield {"metric": "pipeline_overhead", "value": round(wall / summary.render_seconds, 4),
               "unit": "ratio", "wall_seconds": round(wall, 2),
               "cycles_seconds": round(summary.render_seconds, 2), **settings}

        records = read_records(batch.exp_dir)
        depth0 = [r for r in records if r["kind"] == "anomaly" and r["anomaly"]["depth"] == 0]
        errors = [abs(r["anomaly"]["estimated_pixels"] - r["anomaly_pixels"]) / r["anomaly_pixels"]
                  for r in depth0 if r["anomaly_pixels"]]

        stage = run_.stage
        trials = replay_placements(batch, stage, batch.config, render_20=True)
        yield from placement_records(trials, settings)
        yield {"metric": "placement_pixel_error", "value": round(statistics.mean(errors), 4),
               "unit": "mean relative error", **settings, "depth0_images": len(errors)}

        full_hd = full_hd_config(batch.config)
        stage.scene.render.resolution_x, stage.scene.render.resolution_y = FULL_HD
        stage.scene.cycles.samples = 1
        stage.scene.cycles.use_denoising = False
        trials = replay_placements(batch, stage, full_hd, masks_in=Path(out) / "scratch_1080p")
        errors = [abs(t["estimated"] - t["mask"]) / t["mask"] for t in trials if t.get("mask")]
        yield {"metric": "placement_pixel_error_1080p",
               "value": round(statistics.mean(errors), 4) if errors else None,
               "unit": "mean relative error", **settings, "resolution": list(FULL_HD),
               "samples": 1, "denoise": False, "min_pixel": full_hd.min_pixel,
               "depth0_images": len(errors),
               "mask_render_seconds": round(statistics.median(t["render"] for t in trials
                                                              if "render" in t), 2)}


def full_hd_config(config):
    """The batch's config at 1920×1080, min_pixel scaled by image area (the same share)."""
    width, height = config.resolution
    scale = FULL_HD[0] * FULL_HD[1] / (width * height)
    return replace(config, resolution=FULL_HD, min_pixel=round(config.min_pixel * scale))


def replay_placements(batch, stage, config, render_20=False, masks_in=None):
    """Place every anomaly job again on its own view, as BatchRun._prepare_job does (same seeds,
    so the same poses); time only the placement call. Then, if asked, render the view with the
    anomaly present: 20 samples undenoised (the original's check), or a masked render at depth 0
    (the anomaly mask's pixels against the placement's estimate)."""
    import bpy
    from allo_addon.core.dataset.plan import is_surface_kind
    from allo_addon.scene.placement import Placement, place_anomaly, place_on_surface
    from allo_addon.scene.renderer import MaskedRenderer
    from allo_addon.scene.view_survey import steady_pose

    scene = stage.scene
    renderer = MaskedRenderer(scene, masks_in, quiet=True) if masks_in else None
    trials = []
    for job in batch.plan.jobs:
        if job.kind != "anomaly":
            continue
        stage.apply_day(batch.ephemeris.day(job.day))
        steady_pose(stage, job, config, batch.seed)
        stage.add_anomaly(job.anomaly, job.anomaly_seed, job.scale)
        place = place_on_surface if is_surface_kind(config, job.anomaly) else place_anomaly
        started = time.perf_counter()
        placement = place(stage, config, job.placement_seed, job.scale, config.min_pixel)
        trial = {"seconds": time.perf_counter() - started, "attempts": placement.attempts,
                 "placed": isinstance(placement, Placement)}
        trials.append(trial)
        if not trial["placed"]:
            continue
        image = next((i for i in job.images if not i.twin and i.depth == 0), None)
        if image is None:
            continue
        stage.apply_image(image.sun_strength, image.depth, image.colour)
        stage.show_anomaly(True)
        if render_20:
            samples, denoise = scene.cycles.samples, scene.cycles.use_denoising
            scene.cycles.samples, scene.cycles.use_denoising = 20, False
            started = time.perf_counter()
            bpy.ops.render.render(write_still=False, scene=scene.name)
            trial["render"] = time.perf_counter() - started
            scene.cycles.samples, scene.cycles.use_denoising = samples, denoise
        if renderer:
            _, masks, trial["render"], _ = renderer.render(image.render_seed, job.job_id)
            trial["mask"] = int((masks["anomaly_mask"] > 0).sum())
            trial["estimated"] = placement.estimated_pixels
    stage.remove_anomaly()
    return trials


def placement_records(trials, settings):
    attempts = sum(t["attempts"] for t in trials)
    successes = sum(t["placed"] for t in trials)
    seconds = sum(t["seconds"] for t in trials)
    per_attempt = seconds / max(1, attempts)
    counts = {"placement_attempts": attempts, "placement_successes": successes,
              "placement_failures": len(trials) - successes, "placement_seconds": round(seconds, 4)}
    yield {"metric": "placement_seconds_per_attempt", "value": round(per_attempt, 6),
           "unit": "s", **counts, **settings}
    yield {"metric": "placement_seconds_per_success",
           "value": round(seconds / successes, 6) if successes else None, "unit": "s",
           **counts, **settings}
    renders = [t["render"] for t in trials if "render" in t]
    if renders:
        render20 = statistics.median(renders)
        yield {"metric": "placement_speedup_per_attempt", "value": round(render20 / per_attempt, 2),
               "unit": "ratio", "render_20_samples_seconds": round(render20, 4),
               "renders_20_samples": len(renders), "anomaly_present": True, **counts, **settings}
