"""Quick Render: one small image of the panel's day and camera, by the batch's own code path.

The settings become a one-day, one-camera, one-image batch (small resolution, few samples, no
denoising, no twins) that renders into a temporary folder, so placement, jitter, anomaly,
lighting and masks are exactly a batch's; its files are read into Blender images in memory and
the folder is deleted: no output folder or manifest of the user's is touched.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import bpy
import numpy as np

from ..core import logs
from ..core.dataset.batch_request import BatchRequest, prepare_batch
from ..core.dataset.layout import ANOMALY_MASK, FB_MASK
from ..core.dataset.manifest import read_records
from ..core.errors import UserError
from ..core.views import day_view
from ..core.views.mask_overlay import classes_from_masks, compose
from .dataset_view import fit, image_editor, memory_image, read_png

IMAGE, OVERLAY = "ALLO Quick Render", "ALLO Quick Render Masks"


@dataclass
class QuickResult:
    record: dict          # the manifest record the batch wrote for it
    image: str            # bpy.data.images names
    overlay: str


def quick_config(config, day: int, camera: int, folder: Path):
    size = day_view.quick_resolution(config.resolution)
    return config.with_overrides(
        start_day=day, end_day=day, day_interval=1, cams=(camera,), resolution=size,
        samples=min(config.samples, day_view.QUICK_SAMPLES), denoise=False, references=False,
        min_pixel=day_view.quick_min_pixel(config.min_pixel, config.resolution, size),
        output_dir=folder)


def quick_render(settings, anomaly: bool) -> QuickResult:
    from . import preview
    from .batch import BatchRun
    config = settings.to_config()
    with tempfile.TemporaryDirectory(prefix="allo-quick-") as folder:
        quick = quick_config(config, settings.preview_day, settings.camera_index, Path(folder))
        batch = prepare_batch(BatchRequest(config_path=None, exp_num=0, anomaly=anomaly,
                                           config=quick))
        run = BatchRun(batch, logger=logs.QUIET)   # its lines only in its own render.log
        steps = run.steps()
        try:
            done = next(steps, None)
        finally:
            steps.close()
            preview.adopt(run.stage)   # the batch built the scene afresh: preview that one
        if done is None:
            why = "; ".join(run.summary.skipped_jobs) or "nothing was rendered"
            raise UserError(f"Quick Render of day {settings.preview_day}, camera "
                            f"{settings.camera_index}: {why}")
        record = read_records(batch.exp_dir)[0]
        beauty = read_png(batch.exp_dir / record["image"])
        masks = {k: read_png(batch.exp_dir / v)[:, :, 0] for k, v in record["masks"].items()}
    return QuickResult(record, memory_image(IMAGE, beauty).name,
                       memory_image(OVERLAY, overlay(beauty, masks)).name)


def overlay(beauty: np.ndarray, masks: dict) -> np.ndarray:
    """The image with its masks laid over it as the dataset browser's Overlay shows them
    (core/views/mask_overlay.py: station and bodies blue, the anomaly red and outlined)."""
    out = beauty.copy()
    classes = classes_from_masks(masks[FB_MASK], masks.get(ANOMALY_MASK))
    out[..., :3] = compose(beauty[..., :3], classes, "OVERLAY")
    return out


def show(context, masks: bool) -> bool:
    """Show the quick render (with its mask overlay or without) in an image editor of the
    window, found or made as the dataset browser's (dataset_view.image_editor: the largest 3D
    view split, its left half the editor), fitted to it. False when there is no window (a
    script) or no quick render yet."""
    image = bpy.data.images.get(OVERLAY if masks else IMAGE)
    if image is None or context.screen is None or context.window is None:
        return False
    editor = image_editor(context)
    editor.spaces.active.image = image
    fit(context, editor)   # a 240-pixel image, as large as the editor
    editor.tag_redraw()
    return True
