"""How much of the Sun's disc a nearer body hides, as seen from the station.

Both discs are treated as flat circles on the sky with their true angular radii and the true
angle between their centres (exact for the Sun's 0.27° disc; the occulter's limb curvature is
the same to first order). The Moon and the Earth can hide the Sun together only when the
station sits in both shadows during a lunar eclipse; their hidden areas are then added (which
can count a shared part twice) and the sum is clipped to the whole disc.
"""

from __future__ import annotations

import numpy as np


def angle_between(a, b) -> np.ndarray:
    """Angles (radians) between rows of a and b, accurate for tiny angles too."""
    return np.arctan2(np.linalg.norm(np.cross(a, b), axis=-1), np.sum(a * b, axis=-1))


def disc_overlap_area(r1, r2, separation) -> np.ndarray:
    """Area shared by two discs of radii r1, r2 whose centres are `separation` apart."""
    r1, r2, d = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (r1, r2, separation)))
    area = np.zeros_like(d)
    inside = d <= np.abs(r1 - r2)
    area[inside] = np.pi * np.minimum(r1, r2)[inside] ** 2
    partial = ~inside & (d < r1 + r2)
    a, b, s = r1[partial], r2[partial], d[partial]
    alpha = np.arccos(np.clip((s * s + a * a - b * b) / (2 * s * a), -1, 1))
    beta = np.arccos(np.clip((s * s + b * b - a * a) / (2 * s * b), -1, 1))
    kite = 0.5 * np.sqrt(np.clip((-s + a + b) * (s + a - b) * (s - a + b) * (s + a + b), 0, None))
    area[partial] = a * a * alpha + b * b * beta - kite
    return area


def sun_visible_fraction(sun_direction, sun_angular_radius, occulters) -> np.ndarray:
    """Visible fraction of the Sun's disc; occulters: (direction, angular radius) pairs."""
    hidden = sum(disc_overlap_area(sun_angular_radius, radius,
                                   angle_between(sun_direction, direction))
                 for direction, radius in occulters)
    return np.clip(1.0 - hidden / (np.pi * sun_angular_radius ** 2), 0.0, 1.0)
