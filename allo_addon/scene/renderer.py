"""One Cycles render per image: the beauty PNG and, from the same render, the object-index
pass as a float EXR, turned into exact masks."""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

import bpy
import numpy as np

from ..core.object_masks import masks_from_index
from . import compat

INDEX_STEM, INDEX_SOCKET = "index_", "pass"


class MaskedRenderer:
    def __init__(self, scene, scratch: Path, quiet: bool = False):
        self.scene = scene
        self.scratch = Path(scratch)
        self.quiet = quiet
        tree = compat.compositor_tree(scene)
        layers = tree.nodes.new("CompositorNodeRLayers")
        layers.scene = scene
        self.index_node, socket = compat.float_exr_output(
            tree, str(self.scratch), INDEX_STEM, INDEX_SOCKET)
        tree.links.new(compat.render_layers_output(layers, "Object Index"), socket)

    def render(self, seed: int, stem: str):
        """Render the scene; returns (beauty PNG path in scratch, masks dict, seconds)."""
        scratch = self.scratch / stem
        scratch.mkdir(parents=True, exist_ok=True)
        for stale in scratch.iterdir():
            stale.unlink()
        compat.set_output_directory(self.index_node, str(scratch))
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
        return beauty, masks, seconds


def read_first_channel(path: Path) -> np.ndarray:
    image = bpy.data.images.load(str(path), check_existing=False)
    try:
        width, height = image.size
        pixels = np.empty(width * height * image.channels, np.float32)
        image.pixels.foreach_get(pixels)
        return pixels.reshape(height, width, image.channels)[:, :, 0]
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
