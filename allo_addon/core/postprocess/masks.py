"""The 3-class segmentation mask and the binary ground truth.

Render masks are 8-bit, 255 where the thing is visible and 0 elsewhere. A pixel counts as set
from 128 up: on 0/255 masks that is exactly the original's `== 255`, and an anti-aliased edge
is split at half coverage instead of being dropped.
"""

import numpy as np

# class values in masks/<name>.png, and the value of anomalous pixels in ground_truth/<name>.png:
# the renderer's (core/dataset/mask_classes.py), one definition for the whole dataset
from ..dataset.mask_classes import ANOMALY, ON as GROUND_TRUTH_ON, SPACE, STATION_OR_BODY


def is_set(mask: np.ndarray) -> np.ndarray:
    """Boolean array: where an 8-bit mask marks its thing."""
    return mask >= 128


def combine_masks(fb: np.ndarray, anomaly: np.ndarray | None = None) -> np.ndarray:
    """3-class uint8 mask: 0 space, 1 station and bodies (fb), 2 anomaly (wins over fb)."""
    combined = np.where(is_set(fb), STATION_OR_BODY, SPACE).astype(np.uint8)
    if anomaly is not None:
        combined[is_set(anomaly)] = ANOMALY
    return combined


def ground_truth(anomaly: np.ndarray) -> np.ndarray:
    """Binary uint8 mask for Anomalib: 255 on the anomaly, 0 elsewhere."""
    return is_set(anomaly).astype(np.uint8) * np.uint8(GROUND_TRUTH_ON)


def anomaly_pixels(anomaly: np.ndarray) -> int:
    return int(np.count_nonzero(is_set(anomaly)))
