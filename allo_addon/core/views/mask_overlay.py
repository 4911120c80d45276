"""The dataset browser's three views of an image: the image, the image with its masks laid over
it, and the 3-class mask alone (0 space, 1 station/bodies, 2 anomaly: docs/formats.md §6).

Pure numpy on float RGB arrays in 0..1, any row order (the caller's, Blender's bottom-up rows
included): the overlay changes only pixels whose class is not space, so what the user sees
outside the station and anomaly is the rendered pixel itself.
"""

from __future__ import annotations

import numpy as np

from ..dataset.mask_classes import ANOMALY, SPACE, STATION_OR_BODY

VIEWS = ("IMAGE", "OVERLAY", "MASK")
# (colour, opacity) laid over the image per class; the anomaly's outline is drawn opaque
TINTS = {STATION_OR_BODY: ((0.15, 0.45, 1.0), 0.30), ANOMALY: ((1.0, 0.1, 0.05), 0.45)}
OUTLINE = (1.0, 0.9, 0.0)
MASK_COLOURS = {SPACE: (0.0, 0.0, 0.0), STATION_OR_BODY: (0.35, 0.35, 0.35),
                ANOMALY: (1.0, 0.1, 0.05)}


def classes_from_masks(fb_mask: np.ndarray, anomaly_mask: np.ndarray | None) -> np.ndarray:
    """An exp folder's two 0/255 masks as one class map (the anomaly wins where both are set)."""
    classes = np.where(fb_mask > 0, STATION_OR_BODY, SPACE).astype(np.uint8)
    if anomaly_mask is not None:
        classes[anomaly_mask > 0] = ANOMALY
    return classes


def outline(region: np.ndarray) -> np.ndarray:
    """The pixels of `region` (bool) with a 4-neighbour outside it: its inner edge, so the
    outline never leaves the region (and never covers space)."""
    padded = np.pad(region, 1, mode="constant", constant_values=False)
    inside = (padded[:-2, 1:-1] & padded[2:, 1:-1] & padded[1:-1, :-2] & padded[1:-1, 2:])
    return region & ~inside


def compose(rgb: np.ndarray, classes: np.ndarray, view: str) -> np.ndarray:
    """The view (one of VIEWS) of an H×W×3 image with its H×W class map, as H×W×3 floats."""
    if view == "IMAGE":
        return rgb.copy()
    if view == "MASK":
        out = np.zeros(rgb.shape, dtype=np.float32)
        for value, colour in MASK_COLOURS.items():
            out[classes == value] = colour
        return out
    if view != "OVERLAY":
        raise ValueError(f"view {view!r} is not one of {VIEWS}")
    out = rgb.astype(np.float32, copy=True)
    for value, (colour, opacity) in TINTS.items():
        where = classes == value
        out[where] = out[where] * (1.0 - opacity) + np.asarray(colour) * opacity
    out[outline(classes == ANOMALY)] = OUTLINE
    return out
