"""The no-model baseline: how far each test pixel is from the median training image.

No learning at all: the per-pixel median of the training images (of one camera in the
same-view protocol, of all training cameras in the novel-view one) is "the normal image"; a
test image's anomaly map is its RGB distance to it, and its image score the largest (or the
mean) value of that map after a small box blur, so one noisy pixel does not decide. A model
that does not beat this has learnt nothing a subtraction would not give.
"""

import numpy as np

BLUR = 5   # box blur side (px) before taking an image's largest distance
REDUCTIONS = ("max", "mean")


def median_image(images) -> np.ndarray:
    """Per-pixel, per-channel median of equally sized HxWxC images, as float32."""
    stack = np.stack([np.asarray(image, dtype=np.float32) for image in images])
    if stack.ndim != 4:
        raise ValueError(f"expected HxWxC images, got an array of shape {stack.shape[1:]}")
    return np.median(stack, axis=0)


def distance_map(image, reference) -> np.ndarray:
    """Euclidean RGB distance (0 … 441 for 8-bit images) of every pixel to the reference."""
    image = np.asarray(image, dtype=np.float32)
    if image.shape != reference.shape:
        raise ValueError(f"image {image.shape} and reference {reference.shape} differ in shape")
    return np.sqrt(np.sum((image - reference) ** 2, axis=-1))


def box_blur(values: np.ndarray, side: int = BLUR) -> np.ndarray:
    """Mean over a side x side window (edges padded with their own values), via summed areas."""
    if side <= 1:
        return values.astype(np.float64)
    pad = side // 2
    padded = np.pad(values.astype(np.float64), ((pad, side - 1 - pad), (pad, side - 1 - pad)),
                    mode="edge")
    area = np.pad(padded.cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    height, width = values.shape
    return (area[side:side + height, side:side + width] - area[:height, side:side + width]
            - area[side:side + height, :width] + area[:height, :width]) / (side * side)


def image_score(heat: np.ndarray, reduction: str) -> float:
    if reduction == "max":
        return float(box_blur(heat).max())
    if reduction == "mean":
        return float(heat.mean())
    raise ValueError(f"reduction {reduction!r}: expected one of {', '.join(REDUCTIONS)}")
