"""The Moon's maria and rays as an image generated at build time (core/moon_map.py), sampled
through ShaderGraph.equirect_texture (+X = longitude 0°, +Z = north)."""

from __future__ import annotations

import functools

import bpy
import numpy as np

from ...core.moon_map import albedo_map

IMAGE_NAME = "ALLO_moon_albedo"
_albedo = functools.lru_cache(maxsize=1)(albedo_map)   # ~1 s: once per process, not per scene


def moon_albedo_image() -> bpy.types.Image:
    """The generated map as a packed 8-bit image (saved with the .blend); made once per file."""
    image = bpy.data.images.get(IMAGE_NAME)
    if image is not None:
        return image
    value = _albedo()
    height, width = value.shape
    image = bpy.data.images.new(IMAGE_NAME, width, height, alpha=False, float_buffer=False)
    image.colorspace_settings.name = "Non-Color"
    rgba = np.empty((height, width, 4), np.float32)
    rgba[..., :3] = value[..., None]
    rgba[..., 3] = 1.0
    image.pixels.foreach_set(rgba.ravel())
    image.pack()
    return image

