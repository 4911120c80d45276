"""The station's orbit, the analytic theories and the frames against published numbers."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from allo_addon.core.ephemeris.orbit import cr3bp, frames
from allo_addon.core.ephemeris.orbit.integrator import integrate
from allo_addon.core.ephemeris.orbit.lunar_theory import moon_ecliptic_of_date

GM_EARTH_MOON_KM3_S2 = 398600.435 + 4902.800
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def orbit():
    return cr3bp.nrho()


@pytest.fixture(scope="module")
def dense_ring(orbit):
    phases = np.linspace(0.0, 1.0, 200_001)
    return phases, orbit.state(phases)


def test_period_is_the_9_2_resonance_and_matches_the_natural_time_unit():
    assert cr3bp.NRHO_PERIOD_DAYS == pytest.approx(6.562, abs=0.01)
    natural_unit_s = np.sqrt(cr3bp.LENGTH_KM ** 3 / GM_EARTH_MOON_KM3_S2)
    assert cr3bp.NRHO_PERIOD * natural_unit_s / 86400 == pytest.approx(6.562, abs=0.01)


def test_closure_after_one_period_is_below_a_kilometre(orbit):
    assert orbit.solution.t[-1] == cr3bp.NRHO_PERIOD
    assert orbit.closure_km() < 1.0
    velocity_error = np.linalg.norm(orbit.solution.y[-1, 3:] - orbit.solution.y[0, 3:])
    assert velocity_error * cr3bp.VELOCITY_UNIT_KMS < 1e-6   # km/s


def test_perilune_over_the_north_pole_and_apolune(dense_ring):
    phases, states = dense_ring
    relative = cr3bp.moon_relative_km(states)
    radius = np.linalg.norm(relative, axis=1)
    assert radius.min() == pytest.approx(3249, abs=30)
    assert radius.max() == pytest.approx(71222, abs=300)
    perilune = relative[radius.argmin()]
    assert perilune[2] / radius.min() > 0.9            # rotating +z: the Moon's north
    assert phases[radius.argmin()] == pytest.approx(0.5, abs=1e-3)


def test_dense_output_agrees_with_a_direct_integration(orbit):
    for t in (0.3, 0.74, 0.7556, 1.2):                  # 0.7556: right at perilune
        direct = integrate(cr3bp.equations_of_motion, 0.0, cr3bp.NRHO_APOLUNE_STATE, t)
        interpolated = orbit.solution(np.array([t]))[0]
        assert np.linalg.norm(direct.y[-1, :3] - interpolated[:3]) * cr3bp.LENGTH_KM < 1e-3


def test_integrator_is_fifth_order_on_an_exact_solution():
    def oscillator(_t, y):
        return np.array([y[1], -y[0]])
    errors = []
    for tolerance in (1e-6, 1e-9):
        solution = integrate(oscillator, 0.0, [1.0, 0.0], 10.0, rtol=tolerance, atol=tolerance)
        errors.append((abs(solution.y[-1, 0] - np.cos(10.0)), solution.steps))
    (coarse_error, coarse_steps), (fine_error, fine_steps) = errors
    assert fine_error < 1e-8 < coarse_error
    order = np.log(coarse_error / fine_error) / np.log(fine_steps / coarse_steps)
    assert 4.0 < order < 6.5


def test_meeus_example_47a():
    longitude, latitude, distance = moon_ecliptic_of_date(np.array([2448724.5]))
    assert np.degrees(longitude[0]) % 360 == pytest.approx(133.162655, abs=1e-5)
    assert np.degrees(latitude[0]) == pytest.approx(-3.229126, abs=1e-5)
    assert distance[0] == pytest.approx(368409.7, abs=0.1)


def test_sidereal_time_meeus_example_12a():
    gmst = frames.greenwich_mean_sidereal_time(2446895.5)    # 1987-04-10 0h UT
    assert np.degrees(gmst) / 15 == pytest.approx(13 + 10 / 60 + 46.3668 / 3600, abs=1e-7)


def test_blender_euler_round_trip():
    rng = np.random.default_rng(4)
    angles = rng.uniform([-np.pi, -1.5, -np.pi], [np.pi, 1.5, np.pi], size=(50, 3))
    matrices = (frames.rotation_z(angles[:, 2]) @ frames.rotation_y(angles[:, 1])
                @ frames.rotation_x(angles[:, 0]))
    np.testing.assert_allclose(frames.blender_euler_xyz(matrices), angles, atol=1e-12)


def _script(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_shipped_period_is_what_the_integrator_gives_today():
    shipped = cr3bp.shipped_nrho()
    assert shipped is not None, "allo_addon/data/nrho_period.npz missing or made with other " \
                                "parameters: run scripts/make_nrho_period.py"
    script = _script("make_nrho_period")
    # Within the script's numeric TOLERANCE, not bit for bit: another CPU may round the
    # integration's arithmetic differently in the last bit.
    assert script.relative_difference(shipped, cr3bp.integrate_nrho()) <= script.TOLERANCE
    assert script.main(["--check"]) == 0


def test_a_period_integrated_with_other_parameters_is_not_used(tmp_path, monkeypatch):
    stale = tmp_path / "nrho_period.npz"
    cr3bp.save_period(cr3bp.integrate_nrho(), stale)
    assert cr3bp.shipped_nrho(stale) is not None
    monkeypatch.setattr(cr3bp, "MU", cr3bp.MU * 1.001)     # someone changed the orbit's model
    assert cr3bp.shipped_nrho(stale) is None
    monkeypatch.setattr(cr3bp, "SHIPPED_PERIOD", stale)
    integrated = []
    monkeypatch.setattr(cr3bp, "integrate_nrho",
                        lambda real=cr3bp.integrate_nrho: integrated.append(1) or real())
    cr3bp.nrho.cache_clear()
    try:
        cr3bp.nrho()
    finally:
        cr3bp.nrho.cache_clear()
    assert integrated == [1]


def test_a_missing_period_file_falls_back_to_the_integrator(tmp_path):
    assert cr3bp.shipped_nrho(tmp_path / "absent.npz") is None


def test_a_damaged_period_file_falls_back_to_the_integrator(tmp_path):
    damaged = tmp_path / "nrho_period.npz"
    damaged.write_bytes(cr3bp.SHIPPED_PERIOD.read_bytes()[:1000])   # a truncated copy
    assert cr3bp.shipped_nrho(damaged) is None


def test_moon_rates_are_the_series_derivatives_and_the_taylor_step_holds():
    """moon_ecliptic_with_rates differentiates the series term by term; a fourth-order central
    difference of the plain series (h = 0.002 day: truncation ~1e-12, rounding of the Julian
    date ~3e-7 of a rate) agrees. The Taylor step to ±1 minute stays within 0.1 m of the series
    evaluated at the shifted epoch."""
    from allo_addon.core.ephemeris.orbit.frames import (ecliptic_of_date_to_j2000,
                                                        spherical_to_vectors)
    from allo_addon.core.ephemeris.orbit.lunar_theory import (moon_ecliptic_with_rates,
                                                              moon_positions_around)

    jd = 2461406.5 + np.arange(0, 365, 0.37)          # 2027, every ~9 h
    h = 0.002

    def plain(offset):
        return np.array(moon_ecliptic_of_date(jd + offset))

    first = (-plain(2 * h) + 8 * plain(h) - 8 * plain(-h) + plain(-2 * h)) / (12 * h)
    second = (-plain(2 * h) + 16 * plain(h) - 30 * plain(0) + 16 * plain(-h) - plain(-2 * h)) \
        / (12 * h * h)
    rates = moon_ecliptic_with_rates(jd, order=2)
    for k, name in enumerate(("longitude", "latitude", "distance")):
        # the value is the same series summed with its derivatives: equal to rounding
        np.testing.assert_allclose(rates[k][0], plain(0)[k], rtol=1e-12, atol=1e-15, err_msg=name)
        scale = np.abs(rates[k][1]).max()
        assert np.abs(rates[k][1] - first[k]).max() < 1e-6 * scale, name
        assert np.abs(rates[k][2] - second[k]).max() < 1e-3 * np.abs(rates[k][2]).max(), name

    offsets = np.array([-60, -30, 0, 30, 60]) / 86400
    stepped = moon_positions_around(jd, offsets)
    for i, offset in enumerate(offsets):
        exact = ecliptic_of_date_to_j2000(
            spherical_to_vectors(*moon_ecliptic_of_date(jd + offset)), jd + offset)
        assert np.abs(stepped[i] - exact).max() < 1e-4    # km


@pytest.mark.parametrize("step_days", [1 / 24, 1 / 144])     # 1 h, 10 min
def test_moon_interpolated_between_nodes_matches_the_series_at_each_epoch(step_days):
    """Dense epochs take the series from quintic Hermite interpolation between nodes 6 h apart
    (#14 §5). Over a month of 2027 the positions stay within 2 mm of the series summed at every
    epoch: ~0.5 mm is the interpolation (r·(hω)⁶/46080 summed over the terms; 35 mm with 12-hour
    nodes), ~0.5 mm the series' own rounding, which summing at every epoch has as well (measured:
    0.85 mm). The rates and accelerations the stencil's Taylor steps use follow the series' to
    6e-10 and 7e-8 of their largest (12-hour nodes: 2e-8, 1e-6), and the stencil's positions a
    minute either side stay within the same 2 mm."""
    from allo_addon.core.ephemeris.orbit.frames import spherical_to_vectors
    from allo_addon.core.ephemeris.orbit.lunar_theory import (
        NODE_SPACING_DAYS, moon_ecliptic_dense, moon_ecliptic_with_rates, moon_positions_around)

    assert NODE_SPACING_DAYS == 0.25
    jd = 2461406.5 + np.arange(0, 31, step_days)
    interpolated = moon_ecliptic_dense(jd)
    summed = moon_ecliptic_with_rates(jd, order=2)

    def vectors(coordinates, k):
        return spherical_to_vectors(*(coordinate[k] for coordinate in coordinates))
    error_km = np.linalg.norm(vectors(interpolated, 0) - vectors(summed, 0), axis=1)
    assert error_km.max() < 2e-6
    for k, name in enumerate(("longitude", "latitude", "distance")):
        rate = summed[k][1]
        assert np.abs(interpolated[k][1] - rate).max() < 3e-9 * np.abs(rate).max(), name
        # the second derivative only scales the Taylor step's ½·a·Δt² (Δt ≤ 2 min)
        acceleration = summed[k][2]
        assert np.abs(interpolated[k][2] - acceleration).max() \
            < 3e-7 * np.abs(acceleration).max(), name

    offsets = np.arange(-2, 3) * 30 / 86400
    stencil = moon_positions_around(jd, offsets)
    reference = moon_positions_around(jd, offsets, interpolate=False)
    assert np.linalg.norm(stencil - reference, axis=2).max() < 2e-6     # km


def test_moon_interpolation_in_chunks_is_the_same(monkeypatch):
    # Two million rows are interpolated DENSE_CHUNK epochs at a time; chunks change nothing.
    from allo_addon.core.ephemeris.orbit import lunar_theory
    jd = 2461406.5 + np.arange(0, 10, 1 / 48)
    whole = lunar_theory.moon_ecliptic_dense(jd)
    monkeypatch.setattr(lunar_theory, "DENSE_CHUNK", 97)
    for chunked, at_once in zip(lunar_theory.moon_ecliptic_dense(jd), whole):
        np.testing.assert_array_equal(chunked, at_once)


def test_moon_series_sums_match_a_term_by_term_evaluation():
    """The series is summed by products of the arguments' powers and small matrices (#14 §5);
    Meeus's sums written out term by term, one sin/cos per term and epoch, give the same
    periodic sums (Σl, Σb, Σr) to rounding."""
    from allo_addon.core.ephemeris.orbit import lunar_theory as theory
    from allo_addon.core.ephemeris.orbit.timescales import centuries_since_j2000

    jd = 2461406.5 + np.arange(0, 3000, 0.71)
    t = centuries_since_j2000(jd)
    arguments = np.radians([np.polynomial.polynomial.polyval(t, c)
                            for c in theory.FUNDAMENTAL_ARGUMENTS])
    e = np.polynomial.polynomial.polyval(t, theory.ECCENTRICITY)

    def sums(terms, column, f):
        total = np.zeros_like(t)
        for row in terms:
            angle = row[:4] @ arguments
            total += row[column] * e ** abs(row[1]) * f(angle)
        return total

    longitude, latitude, distance = theory.moon_ecliptic_with_rates(jd, order=0)
    mean_longitude = np.radians(np.polynomial.polynomial.polyval(t, theory.MEAN_LONGITUDE))
    a1, a2, a3 = (np.radians(np.polynomial.polynomial.polyval(t, a))
                  for a in (theory.A1, theory.A2, theory.A3))
    l_prime, m_prime, f = mean_longitude, arguments[2], arguments[3]
    sigma_l = sums(theory.LONGITUDE_DISTANCE_TERMS, 4, np.sin) + 3958 * np.sin(a1) \
        + 1962 * np.sin(l_prime - f) + 318 * np.sin(a2)
    sigma_r = sums(theory.LONGITUDE_DISTANCE_TERMS, 5, np.cos)
    sigma_b = sums(theory.LATITUDE_TERMS, 4, np.sin) - 2235 * np.sin(l_prime) \
        + 382 * np.sin(a3) + 175 * np.sin(a1 - f) + 175 * np.sin(a1 + f) \
        + 127 * np.sin(l_prime - m_prime) - 115 * np.sin(l_prime + m_prime)
    np.testing.assert_allclose(longitude[0], l_prime + np.radians(sigma_l * 1e-6),
                               rtol=0, atol=1e-11)                  # radians
    np.testing.assert_allclose(latitude[0], np.radians(sigma_b * 1e-6), rtol=0, atol=1e-11)
    np.testing.assert_allclose(distance[0], theory.MEAN_DISTANCE_KM + sigma_r * 1e-3,
                               rtol=0, atol=1e-8)                   # km


def test_zxz_rotation_is_the_product_of_its_three_rotations():
    rng = np.random.default_rng(3)
    alpha, beta, gamma = rng.uniform(-7, 7, (3, 50))
    product = frames.rotation_z(alpha) @ frames.rotation_x(beta) @ frames.rotation_z(gamma)
    np.testing.assert_allclose(frames.rotation_zxz(alpha, beta, gamma), product, rtol=0, atol=1e-15)


def test_precession_matrix_is_the_product_of_its_three_rotations():
    jd = 2451545.0 + np.linspace(-18000, 18000, 7)
    t = (jd - 2451545.0) / 36525
    zeta = (2306.2181 + (0.30188 + 0.017998 * t) * t) * t * frames.ARCSEC
    z = (2306.2181 + (1.09468 + 0.018203 * t) * t) * t * frames.ARCSEC
    theta = (2004.3109 - (0.42665 + 0.041833 * t) * t) * t * frames.ARCSEC
    to_date = frames.rotation_z(z) @ frames.rotation_y(-theta) @ frames.rotation_z(zeta)
    np.testing.assert_allclose(frames.precession_to_j2000(jd), np.swapaxes(to_date, -1, -2),
                               rtol=0, atol=1e-15)
    # the rotations themselves: +90° about each axis takes the next axis' unit vector along
    quarter = np.array([np.pi / 2])
    for rotation, vector, image in ((frames.rotation_x, [0, 1, 0], [0, 0, 1]),
                                    (frames.rotation_y, [0, 0, 1], [1, 0, 0]),
                                    (frames.rotation_z, [1, 0, 0], [0, 1, 0])):
        np.testing.assert_allclose(rotation(quarter)[0] @ vector, image, atol=1e-15)
