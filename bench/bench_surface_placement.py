"""How often the surface kinds (frost, mmod_hole) find a place on the hull of the built-in station.

surface_placement_rate: placed camera-days / planned camera-days, per kind, from the views a
batch uses (the 16 built-in test poses, jittered and kept on the station) over days 0–30 every
6 days, at 1920×1080 with the original's min_pixel of 2000 (0.1 % of the image). Geometry
only: nothing is rendered.
"""

import statistics
import time
from collections import Counter

KINDS = ("frost", "mmod_hole")
SETTINGS = {"start_day": 0, "end_day": 30, "day_interval": 6, "cams": {"start": 0, "end": 15},
            "anomalies": list(KINDS), "resolution": [1920, 1080], "min_pixel": 2000}


def run(args):
    from allo_addon.core.dataset.batch_request import BatchRequest, prepare_batch
    from allo_addon.core.dataset.config import config_from_dict
    from allo_addon.scene.assembly import StationScene
    from allo_addon.scene.placement import Placement, place_on_surface
    from allo_addon.scene.render_settings import configure_cycles
    from allo_addon.scene.view_survey import steady_pose

    config = config_from_dict(SETTINGS)
    batch = prepare_batch(BatchRequest(None, 1, anomaly=True, config=config, seed=42))
    stage = StationScene(config)
    configure_cycles(stage.scene, config)
    planned, placed, pixels, seconds, refusals = Counter(), Counter(), {k: [] for k in KINDS}, [], Counter()
    for job in batch.plan.jobs:
        stage.apply_day(batch.ephemeris.day(job.day))
        steady_pose(stage, job, config, batch.seed)   # the camera a batch would use
        stage.add_anomaly(job.anomaly, job.anomaly_seed, job.scale)
        started = time.perf_counter()
        result = place_on_surface(stage, config, job.placement_seed, job.scale, config.min_pixel)
        seconds.append(time.perf_counter() - started)
        planned[job.anomaly] += 1
        if isinstance(result, Placement):
            placed[job.anomaly] += 1
            pixels[job.anomaly].append(result.estimated_pixels)
        else:
            refusals.update(result.reasons)
    for kind in KINDS:
        yield {"metric": f"surface_placement_rate_{kind}",
               "value": round(placed[kind] / max(1, planned[kind]), 3), "unit": "fraction",
               "placed": placed[kind], "camera_days": planned[kind],
               "median_estimated_pixels": statistics.median(pixels[kind]) if pixels[kind] else None,
               **SETTINGS}
    yield {"metric": "surface_placement_seconds", "value": round(statistics.mean(seconds), 4),
           "unit": "s per camera-day", "refusal_reasons": dict(refusals)}
