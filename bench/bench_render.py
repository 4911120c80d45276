"""Render pipeline at the demo's settings on the built-in scene.

pipeline_overhead: wall time of a whole anomalous batch (scene build, placement, mask and file
writing, manifest) / the sum of the time spent inside Cycles' render call for the same images.
placement_speedup: one 20-sample render of the same view (what the original paid at least once
per placement attempt) / our geometric placement check, per camera-day.
placement_pixel_error: mean |estimated − final mask pixels| / final, over depth-0 images.
"""

import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

DEMO_CONFIG = Path(__file__).resolve().parent.parent / "allo_addon" / "data" / "demo_config.yaml"
MODES = frozenset({"illumination", "depth", "scale", "colour"})


def run(args):
    import bpy
    from allo_addon.core.batch import BatchRequest, prepare_batch
    from allo_addon.core.manifest import read_records
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
        placed_jobs = len({r["job"] for r in records})
        placement = summary.placement_seconds / max(1, placed_jobs)
        scene = run_.stage.scene
        scene.cycles.samples = 20
        scene.cycles.use_denoising = False
        times = []
        for _ in range(3):
            t = time.perf_counter()
            bpy.ops.render.render(write_still=False, scene=scene.name)
            times.append(time.perf_counter() - t)
        render20 = statistics.median(times)
        yield {"metric": "placement_speedup", "value": round(render20 / placement, 2),
               "unit": "ratio", "render_20_samples_seconds": round(render20, 4),
               "placement_seconds_per_camera_day": round(placement, 5),
               "camera_days": placed_jobs, **settings}
        yield {"metric": "placement_pixel_error", "value": round(statistics.mean(errors), 4),
               "unit": "mean relative error", **settings, "depth0_images": len(errors)}
