"""The Moon's maria and rays (core/assets/moon_map.py) as an image, sampled through
ShaderGraph.equirect_texture (+X = longitude 0°, +Z = north).

The map ships rasterised (data/moon_albedo.png, scripts/make_moon_map.py): rasterising it
took ~1 s of every scene build, most of a shard's start. The file holds exactly the bytes the
generated float map became in Blender's 8-bit image (tests/test_moon_map.py)."""

from __future__ import annotations

import bpy

from ...core.assets.moon_map import SHIPPED_MAP

IMAGE_NAME = "ALLO_moon_albedo"


def moon_albedo_image() -> bpy.types.Image:
    """The generated map as a packed 8-bit image (saved with the .blend); made once per file."""
    image = bpy.data.images.get(IMAGE_NAME)
    if image is not None:
        return image
    image = bpy.data.images.load(str(SHIPPED_MAP), check_existing=False)
    image.name = IMAGE_NAME
    image.colorspace_settings.name = "Non-Color"
    image.pack()
    return image
