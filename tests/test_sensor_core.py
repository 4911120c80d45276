"""The sensor model without Blender (core/sensor/model.py): seeded noise, noise statistics, clipping,
distortion geometry and masks that stay on the image, config validation."""

from dataclasses import replace

import numpy as np
import pytest

from allo_addon.core.dataset.config import config_from_dict
from allo_addon.core.dataset.config_yaml import config_to_dict
from allo_addon.core.errors import UserError
from allo_addon.core.sensor import png_output as rgb_png, model as sensor

SPEC = sensor.PRESETS["gateway_inspection"]
FOCAL = 64 * 25 / 36     # px: 25 mm lens, 36 mm sensor, 64 px wide, as the renderer computes it


def flat(level, shape=(36, 64)):
    return np.full((*shape, 3), level, np.float64)


def scene():
    """A dim hull, a sunlit panel and one Sun pixel: ~20 stops between them."""
    radiance = flat(0.01)
    radiance[10:25, 20:40] = 5.0
    radiance[4, 55] = 2e4
    return radiance


def test_same_seed_same_noise_other_seed_other_noise():
    a = sensor.expose(scene(), SPEC, 1234, FOCAL).pixels
    b = sensor.expose(scene(), SPEC, 1234, FOCAL).pixels
    c = sensor.expose(scene(), SPEC, 1235, FOCAL).pixels
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def electrons(spec, radiance, seed):
    """The electron counts the model read out (linear tone curve, 16-bit ADC and PNG, gain 1:
    one DN per full_well/65535 electrons)."""
    spec = replace(spec, tone_curve="linear", adc_bits=16, output_bits=16)
    shot = sensor.expose(radiance, spec, seed, FOCAL)
    return shot.pixels.astype(np.float64) * spec.full_well_e / 65535, shot.shutter_s


def test_shot_noise_variance_equals_its_mean_in_electrons():
    quiet = replace(SPEC, read_noise_e=0.0, dark_current_e_s=0.0, vignetting=0.0,
                    glare_strength=0.0, distortion=(0,) * 5, full_well_e=65535.0)   # 1 DN = 1 e-
    rate = sensor.electrons_per_second(quiet)
    radiance = flat(1.0, (200, 200))
    for mean in (50.0, 2000.0):
        counts, _ = electrons(replace(quiet, shutter_s=mean / rate), radiance, 7)
        assert counts.mean() == pytest.approx(mean, rel=0.01)
        # 120 000 samples: the variance's standard error is under 0.5 %
        assert counts.var() == pytest.approx(mean, rel=0.03)


def test_read_noise_adds_its_variance():
    noisy = replace(SPEC, dark_current_e_s=0.0, vignetting=0.0, glare_strength=0.0,
                    distortion=(0,) * 5, read_noise_e=20.0)
    rate = sensor.electrons_per_second(noisy)
    counts, _ = electrons(replace(noisy, shutter_s=1000 / rate), flat(1.0, (200, 200)), 3)
    assert counts.var() == pytest.approx(1000 + 20.0 ** 2, rel=0.03)


def test_highlights_clip_at_full_well_and_the_adc_top():
    spec = replace(SPEC, glare_strength=0.0, vignetting=0.0, distortion=(0,) * 5)
    radiance = scene()
    counts, _ = electrons(spec, radiance, 5)
    panel = counts[10:25, 20:40]
    assert counts.max() <= spec.full_well_e
    shot = sensor.expose(radiance, replace(spec, shutter_s=1.0), 5, FOCAL)
    assert shot.pixels[10:25, 20:40].min() == 255 and shot.clipped_share > 0.1
    # auto exposure: the 99th percentile (the panel) at 80 % of full well, below the clip
    assert panel.mean() == pytest.approx(0.8 * spec.full_well_e, rel=0.02)
    # gain 2 saturates the ADC at half the full well
    gained = replace(spec, gain=2.0, tone_curve="linear", adc_bits=16, output_bits=16,
                     shutter_s=1.0)
    top = sensor.expose(radiance, gained, 5, FOCAL).pixels
    assert top[10:25, 20:40].min() == 65535


def test_cmv4000_gain_1_is_the_data_sheets_conversion_gain():
    """The sheet gives 0.075 LSB/e- in 10-bit mode at unity gain; gain 1 maps the full well to
    the top code, 1023 / 13 500 e-."""
    spec = replace(sensor.PRESETS["cmv4000"], read_noise_e=0.0, dark_current_e_s=0.0,
                   vignetting=0.0, glare_strength=0.0, tone_curve="linear", output_bits=16)
    rate = sensor.electrons_per_second(spec)
    shot = sensor.expose(flat(1.0, (100, 100)), replace(spec, shutter_s=4000 / rate), 2, FOCAL)
    codes = shot.pixels.astype(np.float64) * 1023 / 65535
    assert codes.mean() / 4000 == pytest.approx(0.075, abs=0.001)


def test_exposure_compensation_is_in_stops():
    _, base = electrons(SPEC, scene(), 1)
    _, brighter = electrons(replace(SPEC, exposure_compensation_ev=2.0), scene(), 1)
    assert brighter == pytest.approx(4 * base)


def test_glare_spreads_only_light_above_the_threshold():
    spec = replace(SPEC, vignetting=0.0, distortion=(0,) * 5, read_noise_e=0.0,
                   dark_current_e_s=0.0)
    signal = np.zeros((36, 64, 3))
    signal[18, 32] = 10 * spec.full_well_e
    signal[5, 5] = 0.5 * spec.full_well_e      # below the threshold: left alone
    out = sensor.glare(signal, spec.full_well_e, 0.05, 1.5)
    assert out[5, 5, 0] == pytest.approx(signal[5, 5, 0], abs=1e-6 * spec.full_well_e)
    assert out[18, 33, 0] > 0.01 * spec.full_well_e and out[18, 40, 0] > 0
    assert out.sum() == pytest.approx(signal.sum(), rel=1e-9)   # light is moved, not made


def test_vignetting_is_cos4_of_the_field_angle():
    v = sensor.vignetting_map(64, 36, FOCAL, 1.0)
    corner = np.hypot(31.5, 17.5)
    assert v[0, 0] == pytest.approx((FOCAL ** 2 / (FOCAL ** 2 + corner ** 2)) ** 2)
    assert v[17:19, 31:33].min() > 0.99 and v.max() <= 1


def test_no_distortion_is_the_identity():
    assert sensor.distortion_remap(64, 36, FOCAL, (0,) * 5) is None
    image = scene()
    assert np.array_equal(sensor.remap_linear(image, None), image)
    # a vanishing coefficient samples each pixel's own centre
    remap = sensor.distortion_remap(64, 36, FOCAL, (1e-12, 0, 0, 0, 0))
    u, v = np.meshgrid(np.arange(64), np.arange(36))
    assert np.abs(remap.x - u).max() < 1e-9 and np.abs(remap.y - v).max() < 1e-9


def test_distortion_inverts_opencvs_forward_model():
    coefficients = (-0.2, 0.05, 0.001, -0.002, 0.0)
    remap = sensor.distortion_remap(64, 36, FOCAL, coefficients)
    k1, k2, p1, p2, k3 = coefficients
    x, y = (remap.x + 0.5 - 32) / FOCAL, (remap.y + 0.5 - 18) / FOCAL   # undistorted points
    r2 = x * x + y * y
    radial = 1 + k1 * r2 + k2 * r2 ** 2 + k3 * r2 ** 3
    xd = x * radial + 2 * p1 * x * y + p2 * (r2 + 2 * x * x)
    yd = y * radial + p1 * (r2 + 2 * y * y) + 2 * p2 * x * y
    u, v = np.meshgrid(np.arange(64) + 0.5, np.arange(36) + 0.5)
    assert np.abs(xd * FOCAL + 32 - u).max() < 1e-6 and np.abs(yd * FOCAL + 18 - v).max() < 1e-6


def test_a_mask_remapped_with_the_image_stays_on_it():
    """A drawn square: after a strong barrel distortion the image's square and the mask's
    square have the same edges (the mask takes the nearest source pixel, the image blends its
    four neighbours: a pixel is in the mask exactly where the image is more than half lit,
    except where the blend straddles a corner)."""
    image, mask = np.zeros((72, 128, 3)), np.zeros((72, 128), np.uint8)
    image[10:40, 30:80], mask[10:40, 30:80] = 1.0, 255
    remap = sensor.distortion_remap(128, 72, 2 * FOCAL, (-0.3, 0.05, 0, 0, 0))
    bent_image = sensor.remap_linear(image, remap)[:, :, 0]
    bent_mask = sensor.remap_nearest(mask, remap)
    assert not np.array_equal(bent_mask, mask)
    lit, masked = bent_image > 0.5, bent_mask > 0
    assert np.all(masked[lit])                  # every mostly-lit pixel is in the mask
    assert np.all(bent_image[masked] >= 0.25)   # every mask pixel is at least a quarter lit
    # and the square moved: the lens bent it, it was not left where it was drawn
    assert masked.sum() < (mask > 0).sum()


def test_png_round_trips_8_and_16_bits():
    from io import BytesIO
    from PIL import Image
    for bits in (8, 16):
        pixels = sensor.expose(scene(), replace(SPEC, output_bits=bits), 9, FOCAL).pixels
        assert np.array_equal(rgb_png.read_png(rgb_png.png_bytes(pixels)), pixels)
    eight = sensor.expose(scene(), SPEC, 9, FOCAL).pixels
    assert np.array_equal(np.asarray(Image.open(BytesIO(rgb_png.png_bytes(eight)))), eight)


def test_config_presets_overrides_and_mistakes():
    assert config_from_dict({}).sensor is None
    assert config_from_dict({"sensor": "none"}).sensor is None
    assert config_from_dict({"sensor": "cmv4000"}).sensor == sensor.PRESETS["cmv4000"]
    changed = config_from_dict({"sensor": {"preset": "cmv4000", "shutter_s": 0.002,
                                           "distortion": [-0.1]}})
    assert changed.sensor.shutter_s == 0.002
    assert changed.sensor.distortion == (-0.1, 0.0, 0.0, 0.0, 0.0)
    assert "changed: distortion, shutter_s" in changed.sensor.source
    # written back (the panel's Export) and read again: the same sensor
    assert config_from_dict(config_to_dict(changed)).sensor == changed.sensor
    assert config_from_dict(config_to_dict(config_from_dict({}))).sensor is None


@pytest.mark.parametrize("value, message", [
    ("cmv", "key 'sensor' is 'cmv', expected one of none, gateway_inspection, cmv4000"),
    ({"preset": "gopro"}, "key 'sensor.preset' is 'gopro', expected one of"),
    ({"shuter_s": 1}, "(did you mean 'shutter_s'?)"),
    ({"output_bits": 12}, "key 'sensor.output_bits' is 12, expected 8 or 16"),
    ({"quantum_efficiency": 1.5}, "key 'sensor.quantum_efficiency' is 1.5, expected a share"),
    ({"distortion": [0.1, "x"]}, "key 'sensor.distortion[1]' is 'x', expected a number"),
    ({"f_number": 0}, "key 'sensor.f_number' is 0, expected a number > 0"),
    ({"full_well_e": 1e30}, "key 'sensor.full_well_e' is 1e+30, expected electrons from 1 to"),
])
def test_sensor_mistakes_name_the_key(value, message):
    """Each is one message naming the key (no numpy error from deep inside a render)."""
    with pytest.raises(UserError) as error:
        config_from_dict({"sensor": value})
    assert message in str(error.value)
