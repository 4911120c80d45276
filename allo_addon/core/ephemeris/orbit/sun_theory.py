"""Geocentric Sun from the Astronomical Almanac's low-precision formulas (section C, "Sun").

Stated precision 0.01° in direction between 1950 and 2050. The longitude is apparent
(aberration included, −20″), referred to the mean equinox of date; rotated here to J2000
equatorial axes like the Moon.
"""

from __future__ import annotations

import numpy as np

from .frames import ecliptic_of_date_to_j2000, spherical_to_vectors
from .timescales import J2000_JD

AU_KM = 149_597_870.7


def sun_position(jd_tt) -> np.ndarray:
    """(n, 3) geocentric Sun positions, km, J2000 equatorial axes."""
    jd_tt = np.atleast_1d(np.asarray(jd_tt, dtype=float))
    n = jd_tt - J2000_JD
    mean_longitude = np.radians(280.460 + 0.9856474 * n)
    anomaly = np.radians(357.528 + 0.9856003 * n)
    longitude = mean_longitude + np.radians(1.915 * np.sin(anomaly) + 0.020 * np.sin(2 * anomaly))
    distance_au = 1.00014 - 0.01671 * np.cos(anomaly) - 0.00014 * np.cos(2 * anomaly)
    ecliptic = spherical_to_vectors(longitude, np.zeros_like(longitude), distance_au * AU_KM)
    return ecliptic_of_date_to_j2000(ecliptic, jd_tt)
