"""Reference frames: everything ends in J2000 mean equatorial axes (aligned with ICRF to 0.02″).

- `ecliptic_of_date_to_j2000`: the analytic theories give ecliptic coordinates referred to the
  mean equinox of date; rotate by the mean obliquity, then undo the precession (IAU 1976,
  Meeus ch. 21–22). Skipping precession would cost 0.4° by 2030.
- `earth_orientation`: Greenwich meridian from Greenwich mean sidereal time (Meeus 12.4) about
  the mean pole of date (nutation, ≤ 0.005°, and polar motion are left out).
- `moon_orientation`: the IAU WGCCRE 2009 model of the Moon's pole and prime meridian (Archinal
  et al. 2011), mean-Earth frame: longitude 0 is the mean sub-Earth point; real libration included.
- `blender_euler_xyz`: rotation matrices → Blender XYZ Euler angles.
"""

from __future__ import annotations

import numpy as np

from .timescales import J2000_JD, centuries_since_j2000

ARCSEC = np.pi / (180 * 3600)


def _rotation(angle, axis: int, sign: float) -> np.ndarray:
    """(n, 3, 3) vector rotations by `angle` about `axis`, filled in place: building them from
    np.stack of stacks cost more than the rotations' use in a year of hourly epochs."""
    c, s = np.cos(angle), np.sin(angle)
    matrices = np.zeros(np.shape(c) + (3, 3))
    i, j = [k for k in range(3) if k != axis]
    matrices[..., axis, axis] = 1.0
    matrices[..., i, i] = c
    matrices[..., j, j] = c
    matrices[..., i, j] = -sign * s
    matrices[..., j, i] = sign * s
    return matrices


def rotation_x(angle) -> np.ndarray:
    """(n, 3, 3) matrices turning vectors by `angle` (radians) about +X."""
    return _rotation(angle, 0, 1.0)


def rotation_y(angle) -> np.ndarray:
    return _rotation(angle, 1, -1.0)   # about Y the cyclic order is z, x: [[c, 0, s], …]


def rotation_z(angle) -> np.ndarray:
    return _rotation(angle, 2, 1.0)


def apply(matrices, vectors) -> np.ndarray:
    return np.einsum("nij,nj->ni", matrices, vectors)


def mean_obliquity(jd_tt) -> np.ndarray:
    """Mean obliquity of the ecliptic of date, radians (Meeus 22.2)."""
    t = centuries_since_j2000(jd_tt)
    seconds = 84381.448 + t * (-46.8150 + t * (-0.00059 + t * 0.001813))
    return seconds * ARCSEC


def precession_to_j2000(jd_tt) -> np.ndarray:
    """(n, 3, 3) matrices taking mean-equator-of-date vectors to J2000 (IAU 1976, Meeus 21.3)."""
    t = centuries_since_j2000(jd_tt)
    zeta = (2306.2181 + (0.30188 + 0.017998 * t) * t) * t * ARCSEC
    z = (2306.2181 + (1.09468 + 0.018203 * t) * t) * t * ARCSEC
    theta = (2004.3109 - (0.42665 + 0.041833 * t) * t) * t * ARCSEC
    # J2000 → date is Rz(z)·Ry(−θ)·Rz(ζ) as vector rotations; its transpose goes back. The
    # product written out (Meeus 21.3's matrix) saves two stacked 3×3 products per epoch.
    cz, sz, ct, st, cs, ss = np.cos(z), np.sin(z), np.cos(theta), np.sin(theta), np.cos(zeta), \
        np.sin(zeta)
    to_j2000 = np.empty(np.shape(t) + (3, 3))
    to_j2000[..., 0, 0] = cz * ct * cs - sz * ss
    to_j2000[..., 1, 0] = -cz * ct * ss - sz * cs
    to_j2000[..., 2, 0] = -cz * st
    to_j2000[..., 0, 1] = sz * ct * cs + cz * ss
    to_j2000[..., 1, 1] = -sz * ct * ss + cz * cs
    to_j2000[..., 2, 1] = -sz * st
    to_j2000[..., 0, 2] = st * cs
    to_j2000[..., 1, 2] = -st * ss
    to_j2000[..., 2, 2] = ct
    return to_j2000


def spherical_to_vectors(longitude, latitude, distance) -> np.ndarray:
    cos_lat = np.cos(latitude)
    return np.stack([distance * cos_lat * np.cos(longitude),
                     distance * cos_lat * np.sin(longitude),
                     distance * np.sin(latitude)], -1)


def ecliptic_of_date_to_j2000(vectors, jd_tt) -> np.ndarray:
    equatorial_of_date = apply(rotation_x(mean_obliquity(jd_tt)), vectors)
    return apply(precession_to_j2000(jd_tt), equatorial_of_date)


def greenwich_mean_sidereal_time(jd_ut) -> np.ndarray:
    """GMST in radians (Meeus 12.4, IAU 1982), from a Julian date in UT."""
    d = np.asarray(jd_ut, dtype=float) - J2000_JD
    t = d / 36525.0
    degrees = 280.46061837 + 360.98564736629 * d + t * t * (0.000387933 - t / 38710000.0)
    return np.radians(np.mod(degrees, 360.0))


def earth_orientation(jd_ut, jd_tt) -> np.ndarray:
    """(n, 3, 3) Earth body → J2000 matrices: local +Z the pole, +X Greenwich."""
    return precession_to_j2000(jd_tt) @ rotation_z(greenwich_mean_sidereal_time(jd_ut))


# IAU 2009 lunar model: arguments E1…E13 (degrees, degrees per day) and the periodic terms of
# the pole's right ascension (sin), declination (cos) and prime meridian (sin), in degrees.
_MOON_ARGUMENTS = np.array([
    (125.045, -0.0529921), (250.089, -0.1059842), (260.008, 13.0120009),
    (176.625, 13.3407154), (357.529, 0.9856003), (311.589, 26.4057084),
    (134.963, 13.0649930), (276.617, 0.3287146), (34.226, 1.7484877),
    (15.134, -0.1589763), (119.743, 0.0036096), (239.961, 0.1643573),
    (25.053, 12.9590088)])
_MOON_POLE_RA = np.array([-3.8787, -0.1204, 0.0700, -0.0172, 0, 0.0072, 0, 0, 0, -0.0052, 0, 0,
                          0.0043])
_MOON_POLE_DEC = np.array([1.5419, 0.0239, -0.0278, 0.0068, 0, -0.0029, 0.0009, 0, 0, 0.0008,
                           0, 0, -0.0009])
_MOON_MERIDIAN = np.array([3.5610, 0.1208, -0.0642, 0.0158, 0.0252, -0.0066, -0.0047, -0.0046,
                           0.0028, 0.0052, 0.0040, 0.0019, -0.0044])


def moon_orientation(jd_tt) -> np.ndarray:
    """(n, 3, 3) Moon body → J2000 matrices: local +Z the north pole, +X the mean sub-Earth point."""
    d = np.asarray(jd_tt, dtype=float) - J2000_JD
    t = d / 36525.0
    e = np.radians(_MOON_ARGUMENTS[:, 0] + np.multiply.outer(d, _MOON_ARGUMENTS[:, 1]))
    sin_e = np.sin(e)
    ra = np.radians(269.9949 + 0.0031 * t + sin_e @ _MOON_POLE_RA)
    dec = np.radians(66.5392 + 0.0130 * t + np.cos(e) @ _MOON_POLE_DEC)
    w = np.radians(38.3213 + 13.17635815 * d - 1.4e-12 * d * d + sin_e @ _MOON_MERIDIAN)
    return rotation_zxz(ra + np.pi / 2, np.pi / 2 - dec, w)


def rotation_zxz(alpha, beta, gamma) -> np.ndarray:
    """(n, 3, 3) rotation_z(α) @ rotation_x(β) @ rotation_z(γ), written out: a year of hourly
    epochs in 1.7 ms instead of 6 for three matrix stacks and two stacked products."""
    ca, sa, cb, sb, cg, sg = (np.cos(alpha), np.sin(alpha), np.cos(beta), np.sin(beta),
                              np.cos(gamma), np.sin(gamma))
    matrices = np.empty(np.shape(ca) + (3, 3))
    matrices[..., 0, 0] = ca * cg - sa * cb * sg
    matrices[..., 0, 1] = -ca * sg - sa * cb * cg
    matrices[..., 0, 2] = sa * sb
    matrices[..., 1, 0] = sa * cg + ca * cb * sg
    matrices[..., 1, 1] = -sa * sg + ca * cb * cg
    matrices[..., 1, 2] = -ca * sb
    matrices[..., 2, 0] = sb * sg
    matrices[..., 2, 1] = sb * cg
    matrices[..., 2, 2] = cb
    return matrices


def blender_euler_xyz(matrices) -> np.ndarray:
    """(n, 3) XYZ Euler angles (radians) of rotation matrices, as Blender's rotation_euler.

    Blender's 'XYZ' order applies X first: M = Rz(γ)·Ry(β)·Rx(α).
    """
    m = np.asarray(matrices)
    alpha = np.arctan2(m[:, 2, 1], m[:, 2, 2])
    beta = np.arcsin(np.clip(-m[:, 2, 0], -1.0, 1.0))
    gamma = np.arctan2(m[:, 1, 0], m[:, 0, 0])
    return np.stack([alpha, beta, gamma], -1)
