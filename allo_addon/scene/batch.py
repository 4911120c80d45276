"""Running a prepared batch: one job (camera-day) at a time, one image per step.

`BatchRun.steps()` is a generator that yields after every image, so the GUI's modal operator
can render one image per timer tick and the background path can simply loop over it. Files are
rendered into exp_<N>/.partial/, renamed into place, and only then recorded in the manifest.
Each job is claimed first (core/runs/claims.py), so renders sharing an exp_<N> (shards, a second
terminal) render and record every image once. A sharded run records into its own manifest part
and folds the parts into manifest.jsonl when it ends (core/dataset/manifest.py).
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field

import bpy

from ..core import logs
from ..core.dataset import annotations as ann
from ..core.dataset import manifest
from ..core.dataset.batch_request import PreparedBatch
from ..core.dataset.layout import ANOMALY_MASK, FB_MASK, exp_dir, place_file, prepare_exp_dir
from ..core.dataset.mask_classes import write_mask_png
from ..core.dataset.plan import is_surface_kind, pose_split
from ..core.ephemeris.bodies import BODIES
from ..core.errors import UserError
from ..core.runs import claims, stop_request
from ..core.runs.processes import current
from ..core.runs.scratch import scratch_dir
from ..core.runs.status import LOG, skipped_line
from .assembly import StationScene, check_assets
from .placement import PlacementFailure, place_anomaly, place_on_surface
from .render_settings import choose_device, configure_cycles, configure_denoising
from .renderer import MaskedRenderer
from .view_survey import steady_pose


@dataclass
class Progress:
    done: int
    total: int
    path: str
    render_seconds: float
    elapsed: float

    @property
    def eta(self) -> float:
        return self.elapsed / self.done * (self.total - self.done) if self.done else 0.0

    def line(self) -> str:
        return (f"[{self.done}/{self.total}] {self.path}  render {self.render_seconds:.2f} s  "
                f"elapsed {_clock(self.elapsed)}  ETA {_clock(self.eta)}")


@dataclass
class Summary:
    rendered: int = 0
    twins: int = 0                 # of rendered: anomaly-free references of anomalous images
    already_done: int = 0
    skipped_jobs: list[str] = field(default_factory=list)
    render_seconds: float = 0.0
    wall_seconds: float = 0.0
    placement_seconds: float = 0.0
    device_note: str = ""
    being_rendered: dict[str, int] = field(default_factory=dict)  # "pid P on host H" -> images

    def lines(self, exp_dir) -> list[str]:
        per_image = self.render_seconds / self.rendered if self.rendered else 0.0
        out = [f"done: {self.rendered} images rendered, {self.already_done} already there, "
               f"{len(self.skipped_jobs)} camera-days skipped; wall {_clock(self.wall_seconds)}, "
               f"Cycles {self.render_seconds:.1f} s ({per_image:.2f} s per image)",
               f"output: {exp_dir}"]
        if self.twins:
            anomalous = self.rendered - self.twins
            share = f", +{100 * self.twins / anomalous:.0f}% images" if anomalous else ""
            out.insert(1, f"twins: {self.twins} of the rendered images are anomaly-free "
                          f"references{share}")
        out += [f"skipped: {s}" for s in self.skipped_jobs]
        out += [f"not rendered here: {n} images being rendered by {who}; run the same command "
                f"again after it ends to render any it leaves"
                for who, n in sorted(self.being_rendered.items())]
        return out


def _unfinished(job, finished: set[str]) -> list:
    return [i for i in job.renders if job.relative_paths(i)["image"] not in finished]


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class BatchRun:
    """logger: where the run's lines go besides exp_<N>/render.log (core/logs.py): the `allo`
    loggers' console by default; logs.QUIET for none."""

    def __init__(self, batch: PreparedBatch, logger=logs.BATCH, quiet: bool = True):
        self.batch = batch
        self.logger = logger
        self.quiet = quiet
        self.summary = Summary()
        self.stage = None
        self._view = None       # the camera pose of the current job (core/dataset/view_search.SteadyPose)
        self.denoising = None   # core/dataset/denoiser.DenoiserChoice, once the device is chosen

    def run(self) -> Summary:
        for _ in self.steps():
            pass
        return self.summary

    def steps(self):
        """Render, yielding a Progress after each image; every line also goes to render.log."""
        check_assets(self.batch.config)
        exp = exp_dir(self.batch.config.output_dir, self.batch.request.exp_num)
        with logs.run_log(exp / LOG, self.logger):
            yield from self._steps(exp)

    def _steps(self, exp):
        batch, config = self.batch, self.batch.config
        part = current().token() if batch.request.shard else None   # shards: never a shared file
        records = manifest.ManifestWriter(exp, log=self._log, part=part)
        finished = set(records.refresh())   # read before anything is written: it may be damaged
        exp = prepare_exp_dir(config.output_dir, batch.request.exp_num)
        todo = [(job, image) for job in batch.plan.jobs for image in job.renders
                if job.relative_paths(image)["image"] not in finished]
        self.summary.already_done = batch.plan.image_count - len(todo)
        for day, reason in sorted(batch.plan.refused_days.items()):
            self._log(f"refused day {day}: ephemeris row {day} is corrupt ({reason})")
        if not todo:
            self._log(f"nothing to render: all {batch.plan.image_count} images are done")
            self._merge(exp)
            return
        started = time.perf_counter()
        self.stage = StationScene(config)
        configure_cycles(self.stage.scene, config)
        self.summary.device_note = choose_device(self.stage.scene, config.device)
        self._log(self.summary.device_note)
        self.denoising = configure_denoising(self.stage.scene, config)
        self._log(self.denoising.note)
        scratch = scratch_dir(exp)
        renderer = MaskedRenderer(self.stage.scene, scratch, quiet=self.quiet,
                                  sensor=config.sensor, annotations=config.annotations)
        done = 0
        try:  # also when the GUI stops the generator (Esc): no scratch file or claim stays
            for job in batch.plan.jobs:
                images = _unfinished(job, finished)
                if not images:
                    continue
                if self._stop_requested(exp):
                    return
                claim = claims.claim(exp, job.job_id)
                # another writer may have recorded some since we looked
                fresh = _unfinished(job, records.refresh())
                self.summary.already_done += len(images) - len(fresh)
                done += len(images) - len(fresh)
                if isinstance(claim, claims.Holder):
                    self._leave_to(exp, job, claim, len(fresh))
                    done += len(fresh)
                    continue
                try:
                    placement = self._prepare_job(job) if fresh else None
                    if isinstance(placement, PlacementFailure):
                        self.summary.skipped_jobs.append(f"day {job.day} {job.camera.name} "
                                                         f"({job.anomaly}): {placement.describe()}")
                        self._log(skipped_line(job.day, job.camera.name,
                                               placement.describe()))   # `status` reads it
                        done += len(fresh)
                        continue
                    for image in fresh:
                        if self._stop_requested(exp):
                            return   # the finally blocks release the claim and the scratch
                        self.stage.apply_image(image.sun_strength, image.depth, image.colour)
                        self.stage.show_anomaly(not image.twin)
                        seconds = self._render_image(renderer, records, exp, job, image,
                                                     placement)
                        done += 1
                        self.summary.rendered += 1
                        self.summary.twins += image.twin
                        self.summary.render_seconds += seconds
                        progress = Progress(done, len(todo), job.relative_paths(image)["image"],
                                            seconds, time.perf_counter() - started)
                        self._log(progress.line())
                        yield progress
                finally:
                    claim.release()
        finally:
            self.stage.remove_anomaly()
            shutil.rmtree(scratch, ignore_errors=True)
            self._merge(exp)
        self.summary.wall_seconds = time.perf_counter() - started
        for line in self.summary.lines(exp):
            self._log(line)

    def _stop_requested(self, exp) -> bool:
        """SIGTERM came (core/runs/stop_request.py): stop before the next image."""
        if stop_request.requested():
            self._log("stopping before the next image (SIGTERM); finished images are kept")
            return True
        return False

    def _merge(self, exp) -> None:
        """Fold manifest parts (ours, or any a killed shard left) into manifest.jsonl. Readers
        merge the parts themselves, so a fold that fails only leaves them for later."""
        try:
            manifest.merge(exp, log=self._log)
        except (UserError, OSError) as error:
            self._log(f"manifest parts left in {exp / manifest.PARTS} ({error}); every reader "
                      f"still sees them: fold them with `python -m allo_addon.headless "
                      f"merge --exp {exp}`")

    def _leave_to(self, exp, job, holder: claims.Holder, images: int) -> None:
        """A job claimed by a live process, or by one on another host: not ours to render."""
        if not images:
            return
        who = holder.describe()
        self.summary.being_rendered[who] = self.summary.being_rendered.get(who, 0) + images
        line = f"left day {job.day} {job.camera.name} ({images} images) to {who}, claimed " \
               f"{holder.since}"
        if holder.elsewhere:
            line += (f"; that process cannot be checked from here (another host or PID "
                     f"namespace): if that render is no longer running, delete {holder.path} "
                     f"and run again")
        self._log(line)

    def _prepare_job(self, job):
        geometry = self.batch.ephemeris.day(job.day)
        self.stage.apply_day(geometry)
        self._view = steady_pose(self.stage, job, self.batch.config, self.batch.seed)
        if job.kind != "anomaly":
            self.stage.remove_anomaly()
            return None
        self.stage.add_anomaly(job.anomaly, job.anomaly_seed, job.scale)
        place = place_on_surface if is_surface_kind(self.batch.config, job.anomaly) else place_anomaly
        placement = place(self.stage, self.batch.config, job.placement_seed, job.scale,
                          self.batch.config.min_pixel)
        self.summary.placement_seconds += getattr(placement, "seconds", 0.0)
        return placement

    def _render_image(self, renderer, records, exp, job, image, placement) -> float:
        stem = job.job_id
        beauty, masks, seconds, found = renderer.render(image.render_seed, stem)
        paths = job.relative_paths(image)
        scratch = beauty.parent
        files = {"image": beauty}
        for folder in [k for k in paths if k != "image"]:   # fb_mask (, anomaly_mask)
            files[folder] = scratch / f"{folder}.png"
            write_mask_png(masks[folder], files[folder])
        extra = self._write_annotations(found, scratch, job, image, paths["image"])
        for key, source in files.items():
            place_file(source, exp, paths[key])
        for path, source in extra.values():   # before the record: it lists them
            place_file(source, exp, path)
        record = self._record(job, image, placement, paths, masks, seconds)
        if renderer.sensor_record is not None:   # config `sensor:` only: every parameter
            record["sensor"] = renderer.sensor_record
        if found:
            record["annotations"] = self._annotation_record(extra)
        records.append(record)   # never a second record for one image
        return seconds

    def _write_annotations(self, found: dict, scratch, job, image, image_path: str) -> dict:
        """Write each annotation into scratch; returns {kind: (exp-relative path, scratch file)}."""
        written = {}
        name = image_path.split("/")[-1]
        for kind, values in found.items():
            source = scratch / f"{kind}{ann.EXTENSIONS[kind]}"
            if kind == ann.DEPTH:
                ann.write_exr(source, {"Y": values})
            elif kind == ann.NORMALS:
                ann.write_exr(source, {"R": values[:, :, 0], "G": values[:, :, 1],
                                       "B": values[:, :, 2]})
            else:
                write_mask_png(values, source)
            written[kind] = (ann.relative_path(job.camera.name, name, kind, image.twin), source)
        return written

    def _annotation_record(self, written: dict) -> dict:
        files = {kind: path for kind, (path, _) in written.items()}
        record = {"files": files}
        if ann.DEPTH in files:
            record["depth"] = ann.DEPTH_MEANING
        if ann.NORMALS in files:
            record["normals"] = ann.NORMALS_MEANING
            record["camera_matrix_world"] = [[round(v, 9) for v in row]
                                             for row in self.stage.camera.matrix_world]
        if ann.PARTS in files:
            record["parts"] = ann.PARTS_MEANING
            record["part_names"] = {str(k): v for k, v in self.stage.parts.items()}
        return record

    def _record(self, job, image, placement, paths, masks, seconds) -> dict:
        config, geometry = self.batch.config, self.batch.ephemeris.day(job.day)
        width, height = config.resolution
        camera = self.stage.camera
        sensor = camera.data.sensor_width
        focal_px = config.lens_mm / sensor * max(width, height)
        record = {
            "exp_num": self.batch.request.exp_num,
            "job": job.job_id,
            "kind": "reference" if image.twin else job.kind,
            "day": job.day,
            "epoch": geometry.epoch,
            "camera": job.camera.name,
            "camera_index": job.camera.index,
            "image": paths["image"],
            "masks": {k: v for k, v in paths.items() if k != "image"},
            "resolution": [width, height],
            "seed": self.batch.seed,
            "protocol": config.protocol,
            "render_seed": image.render_seed,
            "samples": config.samples,
            "denoise": config.denoise,              # what the config asked for
            "denoised": self.denoising.denoised,     # what this Blender's Cycles could do
            "denoiser": self.denoising.denoiser,
            "camera_pose": {"location": list(self._view.pose.location),
                            "rotation_euler_xyz": list(self._view.pose.rotation),
                            "jitter_redraws": self._view.redraws,   # null: the table pose
                            "station_share": None if self._view.share is None
                            else round(self._view.share, 4),
                            "table_split": pose_split(config, job.kind == "anomaly"),
                            "table_location": list(job.table_pose.location),
                            "table_rotation_euler_xyz": list(job.table_pose.rotation)},
            "intrinsics": {"lens_mm": config.lens_mm, "sensor_width_mm": sensor,
                           "fx": focal_px, "fy": focal_px, "cx": width / 2, "cy": height / 2,
                           "clip_start": camera.data.clip_start,
                           "clip_end": camera.data.clip_end},
            "bodies": {name: {"position": list(geometry.body(name).position),
                              "radius": geometry.body(name).radius,
                              "angular_radius_deg": geometry.body(name).angular_radius_deg}
                       for name in BODIES},
            "sun_visible_fraction": geometry.sun_visible_fraction,
            "sun_strength": image.sun_strength,
            "sun_lamp_energy": self.stage.sun_energy,
            "fb_pixels": int((masks[FB_MASK] > 0).sum()),
            "anomaly": None,
            "anomaly_pixels": 0,
            "render_seconds": round(seconds, 4),
            "blender": bpy.app.version_string,
        }
        if image.twin:   # the anomalous images it is the anomaly-free twin of
            record["twin_of"] = [job.relative_paths(i)["image"] for i in job.images
                                 if i.reference == image.name]
        elif job.kind == "anomaly":
            obj = self.stage.anomaly
            record["anomaly"] = {
                "name": job.anomaly, "scale": job.scale, "scale_label": job.scale_label,
                "depth": image.depth, "colour": image.colour,
                "location": [round(v, 6) for v in obj.location],
                "rotation_euler_xyz": [round(v, 6) for v in obj.rotation_euler],
                "size_m": round(max(obj.dimensions), 4),   # largest dimension, scale included
                "placement_attempts": placement.attempts,
                "estimated_pixels": placement.estimated_pixels,
            }
            pixels = int((masks[ANOMALY_MASK] > 0).sum())
            record["anomaly_pixels"] = pixels
            record["meets_min_pixel"] = pixels > config.min_pixel
            record["min_pixel"] = config.min_pixel   # the post-process's default threshold
            twin = next((t for t in job.references if t.name == image.reference), None)
            record["reference"] = job.relative_paths(twin)["image"] if twin else None
        return record

    def _log(self, line: str) -> None:
        self.logger.info(line)
