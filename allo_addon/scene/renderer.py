"""One Cycles render per image: the beauty PNG and, from the same render, the object-index
pass as a float EXR, turned into exact masks.

With a sensor model (config `sensor:`, core/sensor.py) the same render also writes its linear
radiance as a float EXR, and the sensor model, not Blender's view transform, makes the PNG; a
lens distortion is applied to the masks too, so they still match the image pixel for pixel.
Without one, nothing of this runs: the PNG is Blender's, byte for byte as before."""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

import bpy
import numpy as np

from ..core import sensor as sensor_model
from ..core.atomic_files import write_atomic
from ..core.rgb_png import png_bytes
from ..core.seeds import derive_seed
from ..core.object_masks import masks_from_index
from . import compat

INDEX_STEM, INDEX_SOCKET = "index_", "pass"
RADIANCE_STEM, RADIANCE_SOCKET = "radiance_", "rgb"


class MaskedRenderer:
    def __init__(self, scene, scratch: Path, quiet: bool = False, sensor=None):
        self.scene = scene
        self.scratch = Path(scratch)
        self.quiet = quiet
        self.sensor = sensor             # core/sensor.SensorSpec, or None: Blender's PNG
        self.sensor_record = None        # after each render with a sensor: for the manifest
        tree = compat.compositor_tree(scene)
        layers = tree.nodes.new("CompositorNodeRLayers")
        layers.scene = scene
        self.index_node, socket = compat.float_exr_output(
            tree, str(self.scratch), INDEX_STEM, INDEX_SOCKET)
        tree.links.new(compat.render_layers_output(layers, "Object Index"), socket)
        self.radiance_node = None
        if sensor is not None:
            self.radiance_node, socket = compat.float_exr_output(
                tree, str(self.scratch), RADIANCE_STEM, RADIANCE_SOCKET, colour=True)
            tree.links.new(compat.render_layers_output(layers, "Image"), socket)

    def render(self, seed: int, stem: str):
        """Render the scene; returns (beauty PNG path in scratch, masks dict, seconds)."""
        scratch = self.scratch / stem
        scratch.mkdir(parents=True, exist_ok=True)
        for stale in scratch.iterdir():
            stale.unlink()
        compat.set_output_directory(self.index_node, str(scratch))
        if self.radiance_node is not None:
            compat.set_output_directory(self.radiance_node, str(scratch))
        beauty = scratch / "beauty.png"
        self.scene.render.filepath = str(beauty)
        self.scene.cycles.seed = seed
        started = time.perf_counter()
        from .timeline import paused
        with _silenced(self.quiet), paused():   # the timeline's handler leaves the day alone
            bpy.ops.render.render(write_still=True, scene=self.scene.name)
        seconds = time.perf_counter() - started
        index_file = compat.exr_written(scratch, INDEX_STEM, INDEX_SOCKET)
        if index_file is None or not beauty.exists():
            raise RuntimeError(f"Blender did not write the render files into {scratch}")
        masks = masks_from_index(read_first_channel(index_file))
        index_file.unlink()
        if self.sensor is not None:
            masks = self._through_sensor(scratch, beauty, masks, seed)
        return beauty, masks, seconds

    def _through_sensor(self, scratch: Path, beauty: Path, masks: dict, seed: int) -> dict:
        """Replace Blender's PNG with the sensor model's, from the linear radiance; the masks
        take the lens distortion's remap (nearest neighbour)."""
        radiance_file = compat.exr_written(scratch, RADIANCE_STEM, RADIANCE_SOCKET)
        if radiance_file is None:
            raise RuntimeError(f"Blender did not write the radiance EXR into {scratch}")
        radiance = read_pixels(radiance_file)[::-1, :, :3]   # Blender's rows: bottom first
        radiance_file.unlink()
        focal_px = self.focal_px()
        shot = sensor_model.expose(radiance, self.sensor, seed, focal_px)
        data = png_bytes(shot.pixels)
        write_atomic(beauty, lambda tmp: Path(tmp).write_bytes(data))
        height, width = shot.pixels.shape[:2]
        self.sensor_record = {
            **self.sensor.record(), "shutter_s_used": shot.shutter_s,
            "clipped_share": round(shot.clipped_share, 6),
            "noise_seed": derive_seed(seed, "sensor"),
            "distortion_intrinsics": {   # OpenCV's model; pixel centres at i + 0.5
                "fx": focal_px, "fy": focal_px, "cx": width / 2, "cy": height / 2,
                "k1_k2_p1_p2_k3": list(self.sensor.distortion),
                "outside_render": "black, no mask"}}
        return {name: sensor_model.remap_nearest(mask, shot.remap) for name, mask in masks.items()}

    def focal_px(self) -> float:
        """The focal length in pixels, as the manifest's intrinsics (sensor fit: the long side)."""
        camera, render = self.scene.camera.data, self.scene.render
        return camera.lens / camera.sensor_width * max(render.resolution_x, render.resolution_y)


def read_first_channel(path: Path) -> np.ndarray:
    return read_pixels(path)[:, :, 0]


def read_pixels(path: Path) -> np.ndarray:
    """(height, width, channels) float32 of an EXR, bottom row first (linear: EXR is float)."""
    image = bpy.data.images.load(str(path), check_existing=False)
    try:
        width, height = image.size
        pixels = np.empty(width * height * image.channels, np.float32)
        image.pixels.foreach_get(pixels)
        return pixels.reshape(height, width, image.channels)
    finally:
        bpy.data.images.remove(image)


@contextlib.contextmanager
def _silenced(quiet: bool):
    """Hide Blender's own per-render chatter (it writes to the C-level stdout)."""
    if not quiet:
        yield
        return
    import sys
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)
