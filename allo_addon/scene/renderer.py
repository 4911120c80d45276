"""One Cycles render per image: the beauty PNG and, from the same render, the object-index
pass as a float EXR, turned into exact masks; with `annotations`, the Depth and Normal passes
too (core/annotations.py turns them into the annotation images)."""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

import bpy
import numpy as np

from ..core import annotations as ann
from ..core.object_masks import masks_from_index
from . import compat

INDEX_STEM, INDEX_SOCKET = "index_", "pass"
# annotation -> (Render Layers output, file stem, File Output item kind)
PASSES = {ann.DEPTH: ("Depth", "depth_", "FLOAT"), ann.NORMALS: ("Normal", "normal_", "VECTOR")}


class MaskedRenderer:
    def __init__(self, scene, scratch: Path, quiet: bool = False, annotations=()):
        self.scene = scene
        self.scratch = Path(scratch)
        self.quiet = quiet
        self.annotations = tuple(annotations)
        tree = compat.compositor_tree(scene)
        layers = tree.nodes.new("CompositorNodeRLayers")
        layers.scene = scene
        self.index_node, socket = compat.float_exr_output(
            tree, str(self.scratch), INDEX_STEM, INDEX_SOCKET)
        tree.links.new(compat.render_layers_output(layers, "Object Index"), socket)
        self.pass_nodes = {}   # only the passes asked for: none by default
        for kind in self.annotations:
            if kind in PASSES:
                output, stem, item = PASSES[kind]
                node, socket = compat.float_exr_output(tree, str(self.scratch), stem,
                                                       INDEX_SOCKET, item)
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
        return beauty, masks, seconds, self._annotations(scratch, index)

    def _annotations(self, scratch: Path, index: np.ndarray) -> dict:
        passes = {}
        for kind, (_, stem) in self.pass_nodes.items():
            path = compat.exr_written(scratch, stem, INDEX_SOCKET)
            if path is None:
                raise RuntimeError(f"Blender did not write the {kind} pass into {scratch}")
            passes[kind] = read_channels(path)
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


def read_channels(path: Path) -> np.ndarray:
    """Every channel of an image Blender can read (H×W×C float32, bottom row first)."""
    image = bpy.data.images.load(str(path), check_existing=False)
    try:
        width, height = image.size
        pixels = np.empty(width * height * image.channels, np.float32)
        image.pixels.foreach_get(pixels)
        return pixels.reshape(height, width, image.channels)
    finally:
        bpy.data.images.remove(image)


def read_first_channel(path: Path) -> np.ndarray:
    return read_channels(path)[:, :, 0]


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
