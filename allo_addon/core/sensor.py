"""A camera sensor between Cycles' linear radiance and the PNG: exposure, optics, noise, ADC.

Cycles renders a noiseless, perfectly exposed picture; a real inspection camera does not. With a
`sensor:` section in render_config.yaml the beauty pass is rendered as float (linear) radiance
and this module turns it into the PNG, in the order light meets the camera:

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

import difflib
import functools
import struct
import zlib
from dataclasses import asdict, dataclass, fields, replace

import numpy as np

from .seeds import derive_seed

# Photon energy at 550 nm (J): each channel's radiance is counted as photons of this wavelength.
PHOTON_J = 6.62607015e-34 * 2.99792458e8 / 550e-9
# Cycles' pixel values are radiance in W m⁻² sr⁻¹ of its own lamps (a white Lambertian surface
# under a sun lamp of strength S W/m² renders about S/π). ALLO's default sun strength, 10,
# stands for the real Sun at 1 AU (1361 W/m²), so one Cycles unit is this many physical ones.
SOLAR_CONSTANT = 1361.0
DEFAULT_SUN_STRENGTH = 10.0
RADIANCE_SCALE = SOLAR_CONSTANT / DEFAULT_SUN_STRENGTH
LUMA = np.array([0.2126, 0.7152, 0.0722])   # Rec.709: the metering weighs channels like this


@dataclass(frozen=True)
class SensorSpec:
    preset: str
    # optics
    f_number: float
    vignetting: float               # 0: none, 1: natural cos⁴ falloff of the field angle
    glare_threshold: float          # share of full well above which a pixel's light scatters
    glare_strength: float           # share of that excess light spread by the PSF
    glare_radius_px: float          # PSF core radius r0: k(r) ∝ (1 + (r/r0)²)^-1.5
    distortion: tuple               # Brown–Conrady (k1, k2, p1, p2, k3), OpenCV's order
    # exposure
    shutter_s: float | None         # None: auto exposure (metering rule below)
    meter_percentile: float         # auto: this percentile of luminance …
    meter_target: float             # … lands at this share of the saturation signal
    exposure_compensation_ev: float
    radiance_scale: float           # physical W m⁻² sr⁻¹ per Cycles radiance unit
    # sensor (data sheet)
    pixel_um: float
    quantum_efficiency: float
    full_well_e: float
    read_noise_e: float
    dark_current_e_s: float
    adc_bits: int
    gain: float                     # analog gain: 1 maps full well to the ADC's top code
    # output
    output_bits: int                # PNG bit depth: 8 or 16
    tone_curve: str                 # srgb | linear
    source: str = ""                # where the numbers come from

    def as_yaml(self) -> dict:
        values = asdict(self)
        values.pop("source")
        values["distortion"] = list(self.distortion)
        values["shutter_s"] = "auto" if self.shutter_s is None else self.shutter_s
        return values

    def as_config(self):
        """The shortest config value for this spec: the preset's name, or the preset and what
        differs from it (the panel's Sensor field)."""
        base = PRESETS[self.preset]
        changed = {k: v for k, v in self.as_yaml().items() if v != base.as_yaml()[k]}
        return {"preset": self.preset, **changed} if changed else self.preset

    def record(self) -> dict:
        """Every parameter, for the manifest."""
        return {**self.as_yaml(), "source": self.source, "radiance_unit_note":
                f"1 Cycles radiance unit = {self.radiance_scale:g} W m^-2 sr^-1; photons "
                f"counted at 550 nm"}


_COMMON = dict(vignetting=1.0, glare_threshold=1.0, glare_strength=0.05, glare_radius_px=1.5,
               shutter_s=None, meter_percentile=99.0, meter_target=0.8,
               exposure_compensation_ev=0.0, radiance_scale=RADIANCE_SCALE, gain=1.0,
               output_bits=8, tone_curve="srgb")

PRESETS = {
    # A plausible external inspection camera: a 12-bit global-shutter machine-vision CMOS sensor
    # of the Sony Pregius class (5.86 µm pixels, ~30 ke- full well, ~7 e- read noise, ~65 % QE
    # at 550 nm) behind an f/5.6 lens with mild barrel distortion. Not one product.
    "gateway_inspection": SensorSpec(
        preset="gateway_inspection", f_number=5.6, distortion=(-0.05, 0.0, 0.0, 0.0, 0.0),
        pixel_um=5.86, quantum_efficiency=0.65, full_well_e=30000.0, read_noise_e=7.0,
        dark_current_e_s=10.0, adc_bits=12,
        source="plausible 12-bit machine-vision CMOS (Sony Pregius-class figures), f/5.6",
        **_COMMON),
    # ams (CMOSIS) CMV4000, a 4 MP global-shutter CMOS sensor common in space camera heads:
    # data sheet figures: 5.5 µm pixel, 13.5 ke- full well, 13 e- RMS temporal (read) noise,
    # QE x fill factor 60 % at 550 nm, dark current 125 e-/s at 25 °C, 10-bit ADC mode.
    "cmv4000": SensorSpec(
        preset="cmv4000", f_number=8.0, distortion=(0.0, 0.0, 0.0, 0.0, 0.0),
        pixel_um=5.5, quantum_efficiency=0.60, full_well_e=13500.0, read_noise_e=13.0,
        dark_current_e_s=125.0, adc_bits=10,
        source="ams CMV4000 data sheet (5.5 um pixel, 13.5 ke- full well, 13 e- read noise, "
               "QE x FF 60 % at 550 nm, 125 e-/s dark current at 25 C, 10-bit ADC)",
        **_COMMON),
}
NONE = "none"
PRESET_NAMES = (NONE, *PRESETS)
_KEYS = tuple(f.name for f in fields(SensorSpec) if f.name != "source")


# --- config -----------------------------------------------------------------------------

def parse_sensor(checker, value) -> SensorSpec | None:
    """`sensor: gateway_inspection`, or `sensor: {preset: cmv4000, shutter_s: 0.0005, …}`
    (a preset with some parameters changed). None / absent / `none`: no sensor model."""
    if value is None or value == NONE:
        return None
    if isinstance(value, str):
        if value not in PRESETS:
            checker.fail("sensor", value, f"one of {', '.join(PRESET_NAMES)}")
        value = {"preset": value}
    if not isinstance(value, dict):
        checker.fail("sensor", value, f"one of {', '.join(PRESET_NAMES)} or a mapping "
                                      f"{{preset: gateway_inspection, shutter_s: 0.001, …}}")
    preset = value.get("preset", "gateway_inspection")
    if preset == NONE and len(value) == 1:
        return None
    if preset not in PRESETS:
        checker.fail("sensor.preset", preset, f"one of {', '.join(PRESETS)}")
    unknown = sorted(set(value) - set(_KEYS), key=str)
    if unknown:
        close = difflib.get_close_matches(str(unknown[0]), _KEYS, n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        checker.fail(f"sensor.{unknown[0]}", value[unknown[0]],
                     f"one of the sensor parameters {', '.join(_KEYS)}{hint}")
    base = PRESETS[preset]
    checked = {key: _check(checker, key, value[key]) for key in set(value) - {"preset"}}
    changes = {k: v for k, v in checked.items() if v != getattr(base, k)}
    spec = replace(base, **changes)
    if changes:   # a config written back (every key) reads as the same spec
        spec = replace(spec, source=base.source + "; changed: " + ", ".join(sorted(changes)))
    return spec


_POSITIVE = ("f_number", "glare_radius_px", "radiance_scale", "pixel_um", "gain")
_NON_NEGATIVE = ("vignetting", "glare_strength", "read_noise_e", "dark_current_e_s",
                 "glare_threshold")
_UNIT = ("quantum_efficiency", "meter_target")


MAX_FULL_WELL_E = 1e7   # the largest pixels hold ~1e6 e-; numpy's Poisson draw takes < 1e19


def _check(checker, key, value):
    name = f"sensor.{key}"
    if key == "full_well_e":
        number = checker.number(name, value, positive=True)
        if not 1 <= number <= MAX_FULL_WELL_E:
            checker.fail(name, value, f"electrons from 1 to {MAX_FULL_WELL_E:g} (a real "
                                      f"sensor's full well is far below)")
        return number
    if key in _POSITIVE:
        return checker.number(name, value, positive=True)
    if key in _NON_NEGATIVE:
        return checker.number(name, value, minimum=0)
    if key in _UNIT:
        number = checker.number(name, value, positive=True)
        if number > 1:
            checker.fail(name, value, "a share from 0 (excluded) to 1")
        return number
    if key == "meter_percentile":
        number = checker.number(name, value, minimum=0)
        if number > 100:
            checker.fail(name, value, "a percentile from 0 to 100")
        return number
    if key == "exposure_compensation_ev":
        number = checker.number(name, value)
        if abs(number) > 20:
            checker.fail(name, value, "stops from -20 to 20")
        return number
    if key == "shutter_s":
        return None if value == "auto" else checker.number(name, value, positive=True)
    if key == "adc_bits":
        return checker.integer(name, value, minimum=1, maximum=16, why="a 16-bit PNG holds no more")
    if key == "output_bits":
        if value not in (8, 16) or isinstance(value, bool):
            checker.fail(name, value, "8 or 16 (bits per channel of the PNG)")
        return int(value)
    if key == "tone_curve":
        return checker.choice(name, value, ("srgb", "linear"))
    if key == "distortion":
        if not isinstance(value, (list, tuple)) or not 1 <= len(value) <= 5:
            checker.fail(name, value, "[k1, k2, p1, p2, k3] (OpenCV's order; missing ones are 0)")
        numbers = [checker.number(f"{name}[{i}]", v) for i, v in enumerate(value)]
        if any(abs(n) > 1 for n in numbers):
            checker.fail(name, value, "coefficients from -1 to 1 (a real lens's are far smaller)")
        return tuple(numbers + [0.0] * (5 - len(numbers)))
    raise AssertionError(key)


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


# --- PNG ---------------------------------------------------------------------------------

def png_bytes(pixels: np.ndarray) -> bytes:
    """An RGB PNG of 8 or 16 bits per channel, no metadata (Pillow writes no 16-bit RGB)."""
    h, w, _ = pixels.shape
    depth = 8 if pixels.dtype == np.uint8 else 16
    rows = pixels.astype(">u2" if depth == 16 else np.uint8).reshape(h, -1).view(np.uint8)
    raw = np.hstack([np.zeros((h, 1), np.uint8), rows.reshape(h, -1)]).tobytes()  # filter 0

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    header = struct.pack(">IIBBBBB", w, h, depth, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def read_png(data: bytes) -> np.ndarray:
    """The pixels of a PNG written by png_bytes (tests and the figure read 16-bit RGB back)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,), kind = struct.unpack(">I", data[pos:pos + 4]), data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    w, h, depth = header[:3]
    raw = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(h, -1)
    if raw[:, 0].any():
        raise ValueError("read_png reads only unfiltered rows (as png_bytes writes them)")
    rows = raw[:, 1:].copy()
    if depth == 16:
        return rows.view(">u2").astype(np.uint16).reshape(h, w, 3)
    return rows.reshape(h, w, 3)
