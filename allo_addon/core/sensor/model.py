"""A camera sensor between Cycles' linear radiance and the PNG: exposure, optics, noise, ADC.

Cycles renders a noiseless, perfectly exposed picture; a real inspection camera does not. With a
`sensor:` section in render_config.yaml the beauty pass is rendered as float (linear) radiance
and this module turns it into the PNG's pixels (core/sensor/png_output.py writes them), in the order
light meets the camera:

  optics   lens distortion (Brown–Conrady, the masks get the same remap), glare around very
           bright pixels, vignetting (cos⁴ of the field angle)
  exposure radiance -> electrons with the camera equation (f-number, shutter time, pixel area,
           quantum efficiency), shutter time fixed or chosen by a stated metering rule
  sensor   photon shot noise and dark current (Poisson), full-well clip, read noise (Gaussian),
           analog gain and ADC quantisation to `adc_bits`
  output   the DN scaled to 0..1, a tone curve (sRGB or linear), PNG with 8 or 16 bits

Pure numpy, no bpy. Noise is drawn from a generator seeded with derive_seed(render seed,
"sensor"): the same image always gets the same noise, whatever order images render in.
Each colour channel is treated as its own monochrome sensor (no Bayer mosaic / demosaicing).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from ..dataset.seeds import derive_seed
from .spec import PRESETS, SensorSpec  # noqa: F401 (PRESETS: for callers of expose)

LUMA = np.array([0.2126, 0.7152, 0.0722])   # Rec.709: the metering weighs channels like this
PHOTON_J = 6.62607015e-34 * 2.99792458e8 / 550e-9   # J: each channel counted at 550 nm


# --- geometry: distortion ----------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class Remap:
    """For each output pixel, where it samples the rendered image (pixel index units, top row
    first) and whether that point lies inside the render (outside: black, no mask)."""
    x: np.ndarray
    y: np.ndarray
    inside: np.ndarray

    @functools.cached_property
    def nearest(self) -> np.ndarray:
        """Flat index of the nearest source pixel (masks)."""
        h, w = self.x.shape
        x = np.clip(np.rint(self.x), 0, w - 1).astype(np.intp)
        y = np.clip(np.rint(self.y), 0, h - 1).astype(np.intp)
        return y * w + x

    @functools.cached_property
    def bilinear(self):
        """Flat indices of the four neighbours and their weights (zero outside the render)."""
        h, w = self.x.shape
        x0 = np.clip(np.floor(self.x), 0, w - 1).astype(np.intp)
        y0 = np.clip(np.floor(self.y), 0, h - 1).astype(np.intp)
        x1, y1 = np.minimum(x0 + 1, w - 1), np.minimum(y0 + 1, h - 1)
        fx = np.clip(self.x - x0, 0, 1).astype(np.float32)
        fy = np.clip(self.y - y0, 0, 1).astype(np.float32)
        keep = self.inside.astype(np.float32)
        return ((y0 * w + x0, (1 - fx) * (1 - fy) * keep), (y0 * w + x1, fx * (1 - fy) * keep),
                (y1 * w + x0, (1 - fx) * fy * keep), (y1 * w + x1, fx * fy * keep))


@functools.lru_cache(maxsize=4)   # one per batch: every image shares the camera
def distortion_remap(width: int, height: int, focal_px: float, coefficients) -> Remap | None:
    """The remap that makes the pinhole render look through a lens with OpenCV's distortion
    model: a distorted pixel centre is undistorted (fixed-point iteration, as OpenCV's
    undistortPoints) and the render is sampled there. None when every coefficient is 0."""
    k1, k2, p1, p2, k3 = coefficients
    if not any(coefficients):
        return None
    cx, cy = width / 2, height / 2          # pixel centres at i + 0.5, as the manifest's cx, cy
    u, v = np.meshgrid(np.arange(width) + 0.5, np.arange(height) + 0.5)
    xd, yd = (u - cx) / focal_px, (v - cy) / focal_px
    x, y = xd.copy(), yd.copy()
    for _ in range(20):
        r2 = x * x + y * y
        radial = 1 + r2 * (k1 + r2 * (k2 + r2 * k3))
        dx = 2 * p1 * x * y + p2 * (r2 + 2 * x * x)
        dy = p1 * (r2 + 2 * y * y) + 2 * p2 * x * y
        x, y = (xd - dx) / radial, (yd - dy) / radial
    sx, sy = x * focal_px + cx - 0.5, y * focal_px + cy - 0.5
    inside = (sx > -0.5) & (sx < width - 0.5) & (sy > -0.5) & (sy < height - 0.5)
    for array in (sx, sy, inside):
        array.flags.writeable = False       # shared by every image through the cache
    return Remap(sx, sy, inside)


def remap_linear(image: np.ndarray, remap: Remap | None) -> np.ndarray:
    """Bilinear resampling of an (H, W, C) float image; outside the render: 0."""
    if remap is None:
        return image
    h, w, c = image.shape
    flat = image.reshape(h * w, c)
    out = np.zeros((h, w, c), image.dtype)
    for index, weight in remap.bilinear:
        out += flat[index] * weight[..., None]
    return out


def remap_nearest(mask: np.ndarray, remap: Remap | None) -> np.ndarray:
    """Nearest-neighbour resampling of a mask (classes never blend); outside the render: 0."""
    if remap is None:
        return mask
    return np.where(remap.inside, mask.reshape(-1)[remap.nearest], 0).astype(mask.dtype)


# --- optics ------------------------------------------------------------------------------

@functools.lru_cache(maxsize=4)
def vignetting_map(width: int, height: int, focal_px: float, strength: float) -> np.ndarray:
    """1 - strength·(1 - cos⁴θ), θ the field angle of each pixel centre."""
    u, v = np.meshgrid(np.arange(width) + 0.5 - width / 2, np.arange(height) + 0.5 - height / 2)
    cos2 = focal_px ** 2 / (focal_px ** 2 + u * u + v * v)
    out = (1 - strength * (1 - cos2 * cos2)).astype(np.float32)
    out.flags.writeable = False
    return out


def glare(electrons: np.ndarray, threshold: float, strength: float, radius: float) -> np.ndarray:
    """Light above `threshold` electrons scatters: `strength` of the excess is spread with the
    PSF k(r) ∝ (1 + (r/r0)²)^-1.5 (a Moffat-like core with wide wings, cut at 8·r0 or the
    image size), so the Sun and sunlit foil bloom, and dim pixels are left as they are."""
    excess = np.maximum(electrons - threshold, 0) * strength
    if strength == 0 or not excess.any():
        return electrons
    h, w = electrons.shape[:2]
    reach = int(min(8 * radius, h - 1, w - 1))
    r = np.arange(-reach, reach + 1)
    kernel = (1 + (r[:, None] ** 2 + r[None, :] ** 2) / radius ** 2) ** -1.5
    kernel /= kernel.sum()
    # only the box around the bright pixels (plus the PSF's reach) gets any light
    rows, cols = np.nonzero(excess.any(axis=2))
    top, left = max(rows.min() - reach, 0), max(cols.min() - reach, 0)
    bottom, right = min(rows.max() + reach + 1, h), min(cols.max() + reach + 1, w)
    box = excess[top:bottom, left:right]
    bh, bw = box.shape[:2]
    ph, pw = bh + 2 * reach, bw + 2 * reach     # zero padding: no wrap-around of the FFT
    spectrum = np.fft.rfft2(kernel, s=(ph, pw))
    spread = np.zeros_like(excess)
    for c in range(excess.shape[2]):
        full = np.fft.irfft2(np.fft.rfft2(box[:, :, c], s=(ph, pw)) * spectrum, s=(ph, pw))
        spread[top:bottom, left:right, c] = full[reach:reach + bh, reach:reach + bw]
    return electrons - excess + np.maximum(spread, 0)


# --- exposure and sensor -----------------------------------------------------------------

def electrons_per_second(spec: SensorSpec) -> float:
    """Electrons per second in one pixel per Cycles radiance unit (the camera equation:
    focal-plane irradiance E = π·L / (4·N²), lens transmission taken as 1)."""
    area = (spec.pixel_um * 1e-6) ** 2
    watts = np.pi * spec.radiance_scale / (4 * spec.f_number ** 2) * area
    return watts / PHOTON_J * spec.quantum_efficiency


def saturation_e(spec: SensorSpec) -> float:
    """The signal that clips: the full well, or the ADC's top code when gain > 1 reaches it
    first."""
    return spec.full_well_e / max(spec.gain, 1.0)


def metered_shutter(rate: np.ndarray, spec: SensorSpec) -> float:
    """Auto exposure: the shutter time that puts the `meter_percentile` of luminance (in
    electrons per second) at `meter_target` of the saturation signal, between 1 µs and 1 s.
    Everything brighter than that percentile may clip (the Sun, specular foil)."""
    level = float(np.percentile(rate @ LUMA, spec.meter_percentile))
    if level <= 0:
        return 1.0
    return float(np.clip(spec.meter_target * saturation_e(spec) / level, 1e-6, 1.0))


@dataclass(frozen=True)
class SensorImage:
    pixels: np.ndarray        # (H, W, 3) uint8 or uint16, top row first
    remap: Remap | None       # apply to the masks with remap_nearest
    shutter_s: float          # the exposure used (auto: the metered one)
    clipped_share: float      # share of pixel channels at the ADC's top code


def expose(radiance: np.ndarray, spec: SensorSpec, seed: int, focal_px: float) -> SensorImage:
    """Linear radiance (H, W, 3, top row first, Cycles units) -> the camera's pixels."""
    h, w = radiance.shape[:2]
    radiance = np.maximum(np.nan_to_num(radiance[:, :, :3].astype(np.float32)), 0)
    remap = distortion_remap(w, h, float(focal_px), tuple(spec.distortion))
    radiance = remap_linear(radiance, remap)
    if spec.vignetting:
        radiance = radiance * vignetting_map(w, h, float(focal_px), spec.vignetting)[..., None]
    rate = radiance.astype(np.float64) * electrons_per_second(spec)
    shutter = spec.shutter_s if spec.shutter_s is not None else metered_shutter(rate, spec)
    shutter *= 2.0 ** spec.exposure_compensation_ev
    signal = glare(rate * shutter, spec.glare_threshold * spec.full_well_e,
                   spec.glare_strength, spec.glare_radius_px)
    rng = np.random.Generator(np.random.PCG64(derive_seed(seed, "sensor")))
    # above 4x full well the draw would clip anyway; the cap keeps the Sun in Poisson's range
    mean = np.minimum(signal + spec.dark_current_e_s * shutter, 4 * spec.full_well_e)
    electrons = np.minimum(rng.poisson(mean).astype(np.float64), spec.full_well_e)
    electrons += rng.normal(0.0, spec.read_noise_e, electrons.shape) if spec.read_noise_e else 0
    top = 2 ** spec.adc_bits - 1
    dn = np.clip(np.rint(electrons * spec.gain * top / spec.full_well_e), 0, top)
    # every ADC code through the tone curve once, then a table look-up per pixel
    out_top = 2 ** spec.output_bits - 1
    dtype = np.uint8 if spec.output_bits == 8 else np.uint16
    table = np.rint(tone(np.arange(top + 1) / top, spec.tone_curve) * out_top).astype(dtype)
    codes = dn.astype(np.intp)
    return SensorImage(table[codes], remap, shutter, float((codes == top).mean()))


def tone(linear: np.ndarray, curve: str) -> np.ndarray:
    if curve == "linear":
        return linear
    return np.where(linear <= 0.0031308, 12.92 * linear,
                    1.055 * np.power(linear, 1 / 2.4) - 0.055)   # IEC 61966-2-1 (sRGB)
