"""Image error and the equal-quality choice for `python -m bench quality` (numpy only, no bpy).

PSNR is over the RGB values of the 8-bit images (what the dataset stores); SSIM is Wang et al.
2004 on the luma (Rec. 601) of those images, with a Gaussian window (σ 1.5, 11×11) and the
standard constants K1 = 0.01, K2 = 0.03 for a dynamic range of 255.
"""

from __future__ import annotations

import math

import numpy as np

PEAK = 255.0
SSIM_SIGMA, SSIM_RADIUS = 1.5, 5
K1, K2 = 0.01, 0.03
# the target's tolerance against the original's own error, on every view (issue #14)
PSNR_TOLERANCE_DB, SSIM_TOLERANCE = 0.5, 0.005
# the draft preset's looser tolerance: visibly noisier, still usable for a first look
DRAFT_PSNR_DB, DRAFT_SSIM = 3.0, 0.03


def psnr(image: np.ndarray, reference: np.ndarray) -> float:
    """dB; inf for identical images."""
    diff = image.astype(np.float64) - reference.astype(np.float64)
    mse = float(np.mean(diff * diff))
    return math.inf if mse == 0 else 10.0 * math.log10(PEAK * PEAK / mse)


def luma(image: np.ndarray) -> np.ndarray:
    image = image.astype(np.float64)
    if image.ndim == 2:
        return image
    return image[..., :3] @ np.array([0.299, 0.587, 0.114])


def _gaussian_kernel() -> np.ndarray:
    x = np.arange(-SSIM_RADIUS, SSIM_RADIUS + 1, dtype=np.float64)
    kernel = np.exp(-x * x / (2 * SSIM_SIGMA ** 2))
    return kernel / kernel.sum()


def _blur(image: np.ndarray) -> np.ndarray:
    """Separable Gaussian filter, 'valid' part only (no padding invents edge statistics)."""
    kernel = _gaussian_kernel()
    n = len(kernel)
    rows = sum(kernel[i] * image[:, i:image.shape[1] - n + 1 + i] for i in range(n))
    return sum(kernel[i] * rows[i:rows.shape[0] - n + 1 + i, :] for i in range(n))


def ssim(image: np.ndarray, reference: np.ndarray) -> float:
    """Mean SSIM over the image (1 for identical images)."""
    x, y = luma(image), luma(reference)
    if min(x.shape) < 2 * SSIM_RADIUS + 1:
        raise ValueError(f"image {x.shape} is smaller than the SSIM window")
    c1, c2 = (K1 * PEAK) ** 2, (K2 * PEAK) ** 2
    mx, my = _blur(x), _blur(y)
    sxx = _blur(x * x) - mx * mx
    syy = _blur(y * y) - my * my
    sxy = _blur(x * y) - mx * my
    index = ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sxx + syy + c2))
    return float(index.mean())


def within(candidate: dict, baseline: dict, psnr_db: float, ssim_drop: float) -> bool:
    """candidate and baseline: {view: {"psnr", "ssim", "masks_equal"}}; every view of the
    baseline must be no worse than psnr_db / ssim_drop below it, with the same masks."""
    for view, base in baseline.items():
        got = candidate.get(view)
        if got is None or not got.get("masks_equal", False):
            return False
        if got["psnr"] < base["psnr"] - psnr_db or got["ssim"] < base["ssim"] - ssim_drop:
            return False
    return True


def cheapest_within(results: dict, baseline: str, psnr_db: float = PSNR_TOLERANCE_DB,
                    ssim_drop: float = SSIM_TOLERANCE) -> str:
    """results: {name: {"seconds": per image, "views": {...}}}; the fastest candidate within
    tolerance of `baseline` on every view (the baseline itself qualifies, so there is one)."""
    base = results[baseline]["views"]
    fit = [name for name, r in results.items() if within(r["views"], base, psnr_db, ssim_drop)]
    return min(fit, key=lambda name: (results[name]["seconds"], name))


def equal_quality_speedup(results: dict, baseline: str) -> tuple[float, str]:
    best = cheapest_within(results, baseline)
    return results[baseline]["seconds"] / results[best]["seconds"], best
