"""Masks from Cycles' object-index pass: exact identity, never a thresholded beauty render.

Every station part and body has pass index 1, the anomaly 2, empty space 0. The pass holds
whole numbers (no anti-aliasing), so each pixel belongs to exactly one class and the two masks
never overlap. With the `parts` annotation a station part or body has PARTS_BASE + its part id
instead of 1 (core/dataset/annotations.py): still "station or body" here, so the masks do not change.

The mask values of the whole dataset are defined here, once: the pass indices are the class
values of the post-process's 3-class masks (docs/formats.md §6: masks/<name>.png), and ON is the value
of a set pixel in fb_mask/, anomaly_mask/ and the binary ground_truth/.
"""

from __future__ import annotations

import numpy as np

from .annotations import PARTS_BASE
from .layout import ANOMALY_MASK, FB_MASK

SPACE, STATION_OR_BODY, ANOMALY = 0, 1, 2   # pass index = 3-class mask value
ON = 255                                    # a set pixel of a binary mask (0 elsewhere)


def masks_from_index(index: np.ndarray) -> dict[str, np.ndarray]:
    """fb_mask and anomaly_mask (uint8, 0/255) from a float index image in Blender's row order
    (bottom row first); returned top row first, as PNG files store them."""
    ids = np.rint(index[::-1]).astype(np.int32)
    return {
        FB_MASK: np.where((ids == STATION_OR_BODY) | (ids > PARTS_BASE), ON, 0).astype(np.uint8),
        ANOMALY_MASK: np.where(ids == ANOMALY, ON, 0).astype(np.uint8),
    }


def write_mask_png(mask: np.ndarray, path) -> None:
    from PIL import Image
    Image.fromarray(mask).save(path, format="PNG", compress_level=1)
