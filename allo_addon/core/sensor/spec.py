"""The `sensor:` section of render_config.yaml: the camera presets (with the data-sheet figures
they come from) and the checks that turn a config value into a SensorSpec. No numpy, no bpy;
core/sensor/model.py applies a spec to an image."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace

# Cycles' pixel values are radiance in its own lamps' units (measured in bpy 5.0.1: a white
# Principled BSDF, roughness 1, facing a sun lamp of strength 1 W/m² renders 0.37; a Lambertian
# surface would give 1/π). ALLO's default sun strength, 10,
# stands for the real Sun at 1 AU (1361 W/m²), so one Cycles unit is this many physical ones.
SOLAR_CONSTANT = 1361.0
DEFAULT_SUN_STRENGTH = 10.0
RADIANCE_SCALE = SOLAR_CONSTANT / DEFAULT_SUN_STRENGTH


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
    # ams (CMOSIS) CMV4000, a 4 MP global-shutter CMOS sensor flown in space instruments (SPEXone
    # on NASA's PACE) and star trackers. Data sheet (v7-00): 5.5 µm pixel, 13.5 ke- full well,
    # 13 e- temporal (read) noise, QE x fill factor 60 % at 550 nm, dark current 125 e-/s at
    # 25 °C, 10- or 12-bit ADC, 0.075 LSB/e- in 10-bit mode at unity gain (here: 1023 codes
    # over 13 500 e-, 0.0758 LSB/e-).
    "cmv4000": SensorSpec(
        preset="cmv4000", f_number=8.0, distortion=(0.0, 0.0, 0.0, 0.0, 0.0),
        pixel_um=5.5, quantum_efficiency=0.60, full_well_e=13500.0, read_noise_e=13.0,
        dark_current_e_s=125.0, adc_bits=10,
        source="ams CMV4000 data sheet v7-00 (5.5 um pixel, 13.5 ke- full well, 13 e- read "
               "noise, QE x FF 60 % at 550 nm, 125 e-/s dark current at 25 C, 10-bit ADC)",
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
    checker.known_keys("sensor", value, _KEYS, "the sensor parameters")
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
