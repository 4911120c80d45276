"""Time to first image (#14 §3): a fresh process, from its launch to the first image's Cycles
start, for the built-in scene at a small size, split into the stages a batch goes through.

The child process runs the stages itself through the functions the batch uses (headless
ensure_registered, core/dataset/batch_request.prepare_batch, scene/assembly.StationScene, render_settings,
scene/renderer.MaskedRenderer, BatchRun._prepare_job) in BatchRun.steps' order, and takes a
timestamp between them; inside the scene build, the builders (station, each body, the Moon's
albedo map, the Earth's material, the station's BVH) are wrapped by timers in that child
process only. "Cycles start" is the first render_stats report that names a sample: before
it, Cycles synchronises the scene and compiles shaders (render_sync_and_shaders_seconds).
first_image_seconds: launch to that point, with the built-in scene's cache current (what
every shard after the first on a machine or shared home pays), with cpu_seconds the child's CPU
time (all threads, interpreter start included) up to the same point, less sensitive to other
load on a shared machine than the wall time; first_image_cold_seconds: the
same with an empty cache (the run that builds the scene and writes the cache). Both runs use a
cache folder of their own (ALLO_CACHE_DIR), so a cache of yours is neither read nor changed.
Nothing here asserts on time.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

SIZE = (64, 36)
SAMPLES = 4
REPO = Path(__file__).resolve().parent.parent


def run(args):
    import tempfile
    with tempfile.TemporaryDirectory() as cache:
        for cold in (True, False):
            for record in _child(cache):
                if cold:
                    record["metric"] = record["metric"].replace("first_image", "first_image_cold")
                yield {**record, "scene_cache": "empty" if cold else "current"}


def _child(cache: str):
    env = dict(os.environ, ALLO_CACHE_DIR=cache, PYTHONPATH=os.pathsep.join(
        [str(REPO)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    launched = time.time()
    result = subprocess.run([sys.executable, "-c", "import bench.bench_startup as b; b.child()",
                             str(launched)], env=env, cwd=REPO, capture_output=True, text=True,
                            check=False)
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode or not lines:
        raise RuntimeError(f"startup child failed ({result.returncode}): {result.stderr[-2000:]}")
    return [json.loads(line) for line in lines]


class Clock:
    """Wall-clock marks from the parent's launch time (time.time: shared across processes)."""

    def __init__(self, launched: float):
        self.last = launched
        self.launched = launched
        self.parts = {}

    def mark(self, name: str) -> None:
        now = time.time()
        self.parts[name] = now - self.last
        self.last = now

    def wrap(self, module, attribute: str, name):
        """Time every call of module.attribute under name(args) (child process only)."""
        inner = getattr(module, attribute)

        def timed(*args, **kwargs):
            started = time.time()
            try:
                return inner(*args, **kwargs)
            finally:
                key = name(*args)
                self.parts[key] = self.parts.get(key, 0.0) + time.time() - started
        setattr(module, attribute, timed)


def child():
    launched = float(sys.argv[1])
    clock = Clock(launched)
    import bpy
    clock.mark("interpreter_and_import_bpy_seconds")
    from allo_addon.headless.blender_session import ensure_registered
    ensure_registered()
    clock.mark("addon_registration_seconds")

    import tempfile
    from dataclasses import replace
    from allo_addon.core.dataset import batch_request as core_batch
    from allo_addon.core.dataset.config import Config
    from allo_addon.scene import assembly, render_settings
    from allo_addon.scene.batch import BatchRun
    from allo_addon.scene.builtin import bodies, scene_cache
    from allo_addon.scene.renderer import MaskedRenderer

    clock.wrap(core_batch, "load_ephemeris", lambda *a: "ephemeris_load_seconds")
    clock.wrap(assembly.builtin_station, "build_station", lambda *a: "scene_station_seconds")
    clock.wrap(assembly.builtin_bodies, "build_body", lambda name, *a: f"scene_{name}_seconds")
    clock.wrap(bodies, "moon_albedo_image", lambda *a: "scene_moon_map_seconds (in moon)")
    clock.wrap(scene_cache, "_append", lambda *a: "scene_cache_load_seconds")
    clock.wrap(scene_cache, "_write", lambda *a: "scene_cache_write_seconds")
    clock.wrap(bodies, "earth_material", lambda *a: "scene_earth_texture_seconds (in earth)")
    clock.wrap(assembly, "station_bvh", lambda *a: "scene_station_bvh_seconds")
    clock.mark("bench_imports_seconds")

    with tempfile.TemporaryDirectory() as out:
        config = replace(Config(), resolution=SIZE, samples=SAMPLES, output_dir=Path(out))
        batch = core_batch.prepare_batch(core_batch.BatchRequest(None, 1, config=config))
        clock.mark("prepare_batch_seconds (ephemeris load included)")
        assembly.check_assets(config)
        stage = assembly.StationScene(config)
        clock.mark("scene_build_seconds (station, bodies, BVH included)")
        render_settings.configure_cycles(stage.scene, config)
        render_settings.choose_device(stage.scene, config.device)
        render_settings.configure_denoising(stage.scene, config)
        scratch = Path(out) / "scratch"
        renderer = MaskedRenderer(stage.scene, scratch, quiet=True)
        clock.mark("render_setup_seconds")
        run_ = BatchRun(batch)
        run_.stage = stage
        job = batch.plan.jobs[0]
        run_._prepare_job(job)
        image = job.renders[0]
        stage.apply_image(image.sun_strength, image.depth, image.colour)
        clock.mark("first_view_seconds (day, camera pose)")

        cycles_start = []

        def on_stats(stats, *_):
            if not cycles_start and "sample" in str(stats).lower():
                cycles_start.append(time.time())
                cycles_start.append(str(stats).strip())
                cycles_start.append(time.process_time())
        bpy.app.handlers.render_stats.append(on_stats)
        called = time.time()
        _, _, render_seconds, _ = renderer.render(image.render_seed, job.job_id)
        bpy.app.handlers.render_stats.remove(on_stats)
    settings = {"resolution": list(SIZE), "samples": SAMPLES, "blender": bpy.app.version_string,
                "scene": "built-in", "cpu_count": os.cpu_count(),
                "load_1min": round(os.getloadavg()[0], 2)}
    for name, seconds in clock.parts.items():
        print(json.dumps({"metric": "startup_part", "part": name, "value": round(seconds, 4),
                          "unit": "s", **settings}))
    if cycles_start:
        print(json.dumps({"metric": "startup_part", "part": "render_sync_and_shaders_seconds",
                          "value": round(cycles_start[0] - called, 4), "unit": "s", **settings}))
        print(json.dumps({"metric": "first_image_seconds",
                          "value": round(cycles_start[0] - launched, 4), "unit": "s",
                          "cpu_seconds": round(cycles_start[2], 4),
                          "first_render_seconds": round(render_seconds, 4),
                          "cycles_start_stats": cycles_start[1], **settings}))
    else:   # no report named a sample (another Blender's wording): up to the render's end
        print(json.dumps({"metric": "first_image_seconds_to_render_end",
                          "value": round(called + render_seconds - launched, 4), "unit": "s",
                          "cpu_seconds": round(time.process_time(), 4),
                          "first_render_seconds": round(render_seconds, 4), **settings}))
    sys.stdout.flush()
    os._exit(0)   # the render is measured; skip bpy's slow exit (and 4.5's hang while registered)
