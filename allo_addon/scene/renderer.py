"""One Cycles render per image: the beauty PNG and, from the same render, the object-index
pass as a float EXR, turned into exact masks.

With a sensor model (config `sensor:`, core/sensor/model.py) the same render also writes its linear
radiance as a float EXR, and the sensor model, not Blender's view transform, makes the PNG; a
lens distortion is applied to the masks too, so they still match the image pixel for pixel.
Without one, nothing of this runs: the PNG is Blender's, byte for byte as before.

With `annotations` (core/dataset/annotations.py) the same render also writes the Depth and Normal
passes; they, and the part ids read from the object index, take the masks' remap too. Without
the key no pass is added."""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

import bpy
import numpy as np

from ..core.atomic_files import write_atomic
from ..core.dataset import annotations as ann
from ..core.dataset.mask_classes import masks_from_index
from ..core.dataset.seeds import derive_seed
from ..core.sensor import model as sensor_model
from ..core.sensor.png_output import png_bytes
from . import compat

INDEX_STEM, INDEX_SOCKET = "index_", "pass"
RADIANCE_STEM, RADIANCE_SOCKET = "radiance_", "rgb"
# annotation -> (Render Layers output, file stem, written as RGB)
PASSES = {ann.DEPTH: ("Depth", "depth_", False), ann.NORMALS: ("Normal", "normal_", True)}


class MaskedRenderer:
    def __init__(self, scene, scratch: Path, quiet: bool = False, sensor=None, annotations=()):
        self.scene = scene
        self.scratch = Path(scratch)
        self.quiet = quiet
        self.sensor = sensor             # core/sensor/model.SensorSpec, or None: Blender's PNG
        self.sensor_record = None        # after each render with a sensor: for the manifest
        self.annotations = tuple(annotations)
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
        self.pass_nodes = {}   # only the passes asked for: none by default
        for kind in self.annotations:
            if kind in PASSES:
                output, stem, colour = PASSES[kind]
                node, socket = compat.float_exr_output(tree, str(self.scratch), stem,
                                                       INDEX_SOCKET, colour=colour)
                tree.links.new(compat.render_layers_output(layers, output), socket)
                self.pass_nodes[kind] = (node, stem)

    def render(self, seed: int, stem: str):
        """Render the scene; returns (beauty PNG path in scratch, masks dict, seconds,
        annotations dict: kind -> array, empty unless asked for)."""
        scratch = self.scratch / stem
        scratch.mkdir(parents=True, exist_ok=True)
        for stale in scratch.iterdir():
            stale.unlink()
        compat.set_output_directory(self.index_node, str(scratch))
        if self.radiance_node is not None:
            compat.set_output_directory(self.radiance_node, str(scratch))
        for node, _ in self.pass_nodes.values():
            compat.set_output_directory(node, str(scratch))
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
        index = read_first_channel(index_file)
        masks = masks_from_index(index)
        index_file.unlink()
        found = self._annotations(scratch, index)
        if self.sensor is not None:
            masks, found = self._through_sensor(scratch, beauty, masks, seed, found)
        return beauty, masks, seconds, found

    def _annotations(self, scratch: Path, index: np.ndarray) -> dict:
        passes = {}
        for kind, (_, stem) in self.pass_nodes.items():
            path = compat.exr_written(scratch, stem, INDEX_SOCKET)
            if path is None:
                raise RuntimeError(f"Blender did not write the {kind} pass into {scratch}")
            passes[kind] = read_pixels(path)
            path.unlink()
        found = {}
        if ann.DEPTH in passes:
            found[ann.DEPTH] = ann.depth_from_pass(passes[ann.DEPTH][:, :, 0], index)
        if ann.NORMALS in passes:
            rotation = np.array(self.scene.camera.matrix_world.to_3x3())
            found[ann.NORMALS] = ann.normals_to_camera(passes[ann.NORMALS], rotation, index)
        if ann.PARTS in self.annotations:
            found[ann.PARTS] = ann.parts_from_index(index)
        return found

    def _through_sensor(self, scratch: Path, beauty: Path, masks: dict, seed: int,
                        found: dict) -> tuple[dict, dict]:
        """Replace Blender's PNG with the sensor model's, from the linear radiance; the masks
        and annotations take the lens distortion's remap (nearest neighbour)."""
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
        masks = {name: sensor_model.remap_nearest(mask, shot.remap)
                 for name, mask in masks.items()}
        return masks, {kind: _remap_nearest(values, shot.remap) for kind, values in found.items()}

    def focal_px(self) -> float:
        """The focal length in pixels, as the manifest's intrinsics (sensor fit: the long side)."""
        camera, render = self.scene.camera.data, self.scene.render
        return camera.lens / camera.sensor_width * max(render.resolution_x, render.resolution_y)


def _remap_nearest(values: np.ndarray, remap) -> np.ndarray:
    """remap_nearest for one image or each channel of one (normals: H×W×3)."""
    if values.ndim == 2:
        return sensor_model.remap_nearest(values, remap)
    return np.stack([sensor_model.remap_nearest(np.ascontiguousarray(values[:, :, c]), remap)
                     for c in range(values.shape[2])], axis=2)


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
