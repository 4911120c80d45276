"""Geocentric Moon from Meeus, "Astronomical Algorithms" (2nd ed., 1998), chapter 47.

A truncation of Chapront's ELP-2000/82: 60 periodic terms for longitude and distance (table
47.A), 60 for latitude (47.B) and the additive terms for Venus, Jupiter and the Earth's
flattening. Accuracy ~10″ in longitude, 4″ in latitude; geometric positions referred to the
mean ecliptic and equinox of date, here rotated to J2000 equatorial axes.
"""

from __future__ import annotations

import numpy as np

from .frames import ecliptic_of_date_to_j2000, spherical_to_vectors
from .timescales import centuries_since_j2000

MEAN_DISTANCE_KM = 385000.56

# Table 47.A: multiples of D, M, M', F; Σl (1e-6 degree, sine) and Σr (1e-3 km, cosine).
_LONGITUDE_DISTANCE = """
0 0 1 0 6288774 -20905355 | 2 0 -1 0 1274027 -3699111 | 2 0 0 0 658314 -2955968
0 0 2 0 213618 -569925    | 0 1 0 0 -185116 48888     | 0 0 0 2 -114332 -3149
2 0 -2 0 58793 246158     | 2 -1 -1 0 57066 -152138   | 2 0 1 0 53322 -170733
2 -1 0 0 45758 -204586    | 0 1 -1 0 -40923 -129620   | 1 0 0 0 -34720 108743
0 1 1 0 -30383 104755     | 2 0 0 -2 15327 10321      | 0 0 1 2 -12528 0
0 0 1 -2 10980 79661      | 4 0 -1 0 10675 -34782     | 0 0 3 0 10034 -23210
4 0 -2 0 8548 -21636      | 2 1 -1 0 -7888 24208      | 2 1 0 0 -6766 30824
1 0 -1 0 -5163 -8379      | 1 1 0 0 4987 -16675       | 2 -1 1 0 4036 -12831
2 0 2 0 3994 -10445       | 4 0 0 0 3861 -11650       | 2 0 -3 0 3665 14403
0 1 -2 0 -2689 -7003      | 2 0 -1 2 -2602 0          | 2 -1 -2 0 2390 10056
1 0 1 0 -2348 6322        | 2 -2 0 0 2236 -9884       | 0 1 2 0 -2120 5751
0 2 0 0 -2069 0           | 2 -2 -1 0 2048 -4950      | 2 0 1 -2 -1773 4130
2 0 0 2 -1595 0           | 4 -1 -1 0 1215 -3958      | 0 0 2 2 -1110 0
3 0 -1 0 -892 3258        | 2 1 1 0 -810 2616         | 4 -1 -2 0 759 -1897
0 2 -1 0 -713 -2117       | 2 2 -1 0 -700 2354        | 2 1 -2 0 691 0
2 -1 0 -2 596 0           | 4 0 1 0 549 -1423         | 0 0 4 0 537 -1117
4 -1 0 0 520 -1571        | 1 0 -2 0 -487 -1739       | 2 1 0 -2 -399 0
0 0 2 -2 -381 -4421       | 1 1 1 0 351 0             | 3 0 -2 0 -340 0
4 0 -3 0 330 0            | 2 -1 2 0 327 0            | 0 2 1 0 -323 1165
1 1 -1 0 299 0            | 2 0 3 0 294 0             | 2 0 -1 -2 0 8752
"""

# Table 47.B: multiples of D, M, M', F; Σb (1e-6 degree, sine).
_LATITUDE = """
0 0 0 1 5128122 | 0 0 1 1 280602  | 0 0 1 -1 277693  | 2 0 0 -1 173237 | 2 0 -1 1 55413
2 0 -1 -1 46271 | 2 0 0 1 32573   | 0 0 2 1 17198    | 2 0 1 -1 9266   | 0 0 2 -1 8822
2 -1 0 -1 8216  | 2 0 -2 -1 4324  | 2 0 1 1 4200     | 2 1 0 -1 -3359  | 2 -1 -1 1 2463
2 -1 0 1 2211   | 2 -1 -1 -1 2065 | 0 1 -1 -1 -1870  | 4 0 -1 -1 1828  | 0 1 0 1 -1794
0 0 0 3 -1749   | 0 1 -1 1 -1565  | 1 0 0 1 -1491    | 0 1 1 1 -1475   | 0 1 1 -1 -1410
0 1 0 -1 -1344  | 1 0 0 -1 -1335  | 0 0 3 1 1107     | 4 0 0 -1 1021   | 4 0 -1 1 833
0 0 1 -3 777    | 4 0 -2 1 671    | 2 0 0 -3 607     | 2 0 2 -1 596    | 2 -1 1 -1 491
2 0 -2 1 -451   | 0 0 3 -1 439    | 2 0 2 1 422      | 2 0 -3 -1 421   | 2 1 -1 1 -366
2 1 0 1 -351    | 4 0 0 1 331     | 2 -1 1 1 315     | 2 -2 0 -1 302   | 0 0 1 3 -283
2 1 1 -1 -229   | 1 1 0 -1 223    | 1 1 0 1 223      | 0 1 -2 -1 -220  | 2 1 -1 -1 -220
1 0 1 1 -185    | 2 -1 -2 -1 181  | 0 1 2 1 -177     | 4 0 -2 -1 176   | 4 -1 -1 -1 166
1 0 1 -1 -164   | 4 0 1 -1 132    | 1 0 -1 -1 -119   | 4 -1 0 -1 115   | 2 -2 0 1 107
"""


def _table(text: str) -> np.ndarray:
    rows = [cell.split() for line in text.strip().splitlines() for cell in line.split("|")]
    return np.array(rows, dtype=float)


LONGITUDE_DISTANCE_TERMS = _table(_LONGITUDE_DISTANCE)
LATITUDE_TERMS = _table(_LATITUDE)


def _polynomial(t, coefficients, order=0):
    """The polynomial in t (Julian centuries) or its `order`-th derivative, per century**order."""
    return np.polynomial.polynomial.polyval(
        t, np.polynomial.polynomial.polyder(coefficients, order) if order else coefficients)


# Mean longitude L′, elongation D, the Sun's anomaly M, the Moon's anomaly M′ and its argument of
# latitude F (Meeus 47.1–47.5): degrees, polynomials in Julian centuries.
MEAN_LONGITUDE = (218.3164477, 481267.88123421, -0.0015786, 1 / 538841, -1 / 65194000)
FUNDAMENTAL_ARGUMENTS = np.array([
    (297.8501921, 445267.1114034, -0.0018819, 1 / 545868, -1 / 113065000),    # D
    (357.5291092, 35999.0502909, -0.0001536, 1 / 24490000, 0),                 # M
    (134.9633964, 477198.8675055, 0.0087414, 1 / 69699, -1 / 14712000),        # M′
    (93.2720950, 483202.0175233, -0.0036539, -1 / 3526000, 1 / 863310000)])   # F
# The additive terms' arguments A1 (Venus), A2 (Jupiter), A3: degrees, linear in centuries.
A1, A2, A3 = (119.75, 131.849), (53.09, 479264.290), (313.45, 481266.484)
ECCENTRICITY = (1, -0.002516, -0.0000074)   # the Earth orbit's, shrinking


def moon_ecliptic_of_date(jd_tt):
    """Geocentric (longitude, latitude) in radians and distance in km, mean equinox of date."""
    longitude, latitude, distance = moon_ecliptic_with_rates(jd_tt, order=0)
    return longitude[0], latitude[0], distance[0]


def moon_ecliptic_with_rates(jd_tt, order=2):
    """(longitude, latitude, distance), each an (order + 1, n) array: the value, then its first
    and second time derivatives per day (radians, km) when order is 1 or 2.

    The derivatives are the series' own, term by term, so positions a minute either side come
    from a Taylor step (moon_positions_around) instead of more passes through the series.
    """
    jd_tt = np.asarray(jd_tt, dtype=float)
    t = centuries_since_j2000(jd_tt)
    per_day = [(1 / 36525.0) ** k for k in range(order + 1)]

    def series(coefficients):   # rows: the value, then derivatives per day (radians)
        return np.radians(np.stack([_polynomial(t, coefficients, k) * per_day[k]
                                    for k in range(order + 1)]))

    mean_longitude = series(MEAN_LONGITUDE)
    arguments = np.stack([series(c) for c in FUNDAMENTAL_ARGUMENTS], -1)    # (order+1, n, 4)
    a1, a2, a3 = (series(a) for a in (A1, A2, A3))
    eccentricity = _polynomial(t, ECCENTRICITY)
    # Terms in M shrink with e^|multiple of M| (0, 1 or 2): three powers per epoch; the terms'
    # sums are kept per power (_Weights) and weighted by these at the end.
    e_powers = eccentricity[:, None] ** np.arange(3.0)
    # d(e^k)/dt = k e^(k-1) e′: it moves a rate by ~1e-7 of itself; its share of the second
    # derivative, like the arguments' own second derivatives (θ″ ≈ 1e-12 rad/day²), is left out.
    e_rates = np.arange(3.0) * np.concatenate([np.zeros_like(t)[:, None], e_powers[:, :2]], 1) \
        * (_polynomial(t, ECCENTRICITY, 1) * per_day[1])[:, None] if order else None

    # e^(i·k·θ_j) for k = −4…4 (the tables' multiples) and each argument j: (4, n, 9).
    powers = np.empty((4, len(t), 9), dtype=complex)
    powers[:, :, 4] = 1.0
    powers[:, :, 5] = np.exp(1j * arguments[0]).T
    for k in range(2, 5):
        powers[:, :, 4 + k] = powers[:, :, 3 + k] * powers[:, :, 5]
    powers[:, :, :4] = np.conj(powers[:, :, :4:-1])

    def periodic(terms, columns):
        """Σ coefficient · e^|k| · (sin, cos)(angle) for the sine column and the cosine column
        (None: that sum is not needed), and their derivatives: (order+1, n) for each."""
        # e^(i·angle) of every term as a product of its arguments' powers: cos and sin of the
        # angles without a sin/cos per epoch and term, the series' slow part. Terms share few
        # (D, M) and (M′, F) pairs, so two small tables and one product suffice.
        pairs = _pairs(terms)
        left = powers[0][:, pairs.left[0]] * powers[1][:, pairs.left[1]]
        right = powers[2][:, pairs.right[0]] * powers[3][:, pairs.right[1]]
        exponential = left[:, pairs.left_of_term] * right[:, pairs.right_of_term]
        # Every sum over the terms is then one product of sin or cos with a small matrix.
        weights = _weights(terms, columns)
        by_sine = np.ascontiguousarray(exponential.imag) @ weights.on_sine
        by_cosine = np.ascontiguousarray(exponential.real) @ weights.on_cosine
        rate = arguments[1] if order else None
        sums = []
        for i, column in enumerate(columns):
            if column is None:
                sums.append(None)
                continue
            value, first, second = (
                (by_sine if side == "sine" else by_cosine)[:, part] * sign
                for side, part, sign in weights.blocks[i])
            rows = [np.einsum("nk,nk->n", e_powers, value)]
            if order >= 1:
                rows.append(np.einsum("nk,nj,nkj->n", e_powers, rate, first.reshape(-1, 3, 4))
                            + np.einsum("nk,nk->n", e_rates, value))
            if order >= 2:
                products = rate[:, _PAIR_J] * rate[:, _PAIR_L]                  # (n, 10)
                rows.append(-np.einsum("nk,np,nkp->n", e_powers, products,
                                       second.reshape(-1, 3, len(_PAIR_J))))
            sums.append(np.stack(rows))
        return sums

    def additive(amplitude, angle):
        """amplitude · sin(angle) and its derivatives; angle: (order + 1, n)."""
        s, c = np.sin(angle[0]), np.cos(angle[0])
        rows = [s]
        if order >= 1:
            rows.append(c * angle[1])
        if order >= 2:
            rows.append(c * angle[2] - s * angle[1] ** 2)
        return amplitude * np.stack(rows)

    l_prime, m_prime, f = mean_longitude, arguments[..., 2], arguments[..., 3]
    sigma_l, sigma_r = periodic(LONGITUDE_DISTANCE_TERMS, (4, 5))
    sigma_l = (sigma_l + additive(3958, a1)
               + additive(1962, l_prime - f) + additive(318, a2))
    sigma_b = (periodic(LATITUDE_TERMS, (4, None))[0] + additive(-2235, l_prime)
               + additive(382, a3) + additive(175, a1 - f)
               + additive(175, a1 + f) + additive(127, l_prime - m_prime)
               + additive(-115, l_prime + m_prime))
    longitude = l_prime + np.radians(sigma_l * 1e-6)
    latitude = np.radians(sigma_b * 1e-6)
    distance = sigma_r * 1e-3
    distance[0] += MEAN_DISTANCE_KM
    return longitude, latitude, distance


# The ten (j, l) pairs j ≤ l of the four arguments: Σ_jl K_j·K_l·θ′_j·θ′_l over pairs.
_PAIR_J, _PAIR_L = np.triu_indices(4)


class _Weights:
    """A table's coefficients regrouped so that sums over its terms are matrix products.

    Term t (multiples K_t of D, M, M′, F; e power p_t; coefficient c_t) adds c_t·e^p·f(θ_t)
    to the value, c_t·e^p·f′(θ_t)·Σ_j K_tj·θ′_j (and the e′ part) to the first derivative and
    −c_t·e^p·f(θ_t)·(Σ_j K_tj·θ′_j)² to the second. With c_t under its power p (3 columns),
    times K_tj (12) and times K_tj·K_tl over the pairs j ≤ l, doubled where j < l (30), sin or
    cos times these gives every (power, j, l) partial sum of the epochs at once. f is sin for
    the sine column, cos for the cosine one, and f′ the other (cos′ = −sin: the sign).
    blocks[i]: where column i's (value, first, second) sums lie, as (side, slice, sign).
    """

    def __init__(self, terms, columns):
        count = len(terms)
        multiples = terms[:, :4]
        pair_weight = np.where(_PAIR_J == _PAIR_L, 1.0, 2.0)
        sides = {"sine": [], "cosine": []}
        self.blocks = {}
        for i, column in enumerate(columns):
            if column is None:
                continue
            value = np.zeros((count, 3))
            value[np.arange(count), np.abs(terms[:, 1]).astype(int)] = terms[:, column]
            first = (value[:, :, None] * multiples[:, None, :]).reshape(count, -1)
            second = (value[:, :, None] * (multiples[:, _PAIR_J] * multiples[:, _PAIR_L]
                                           * pair_weight)[:, None, :]).reshape(count, -1)
            f, f_prime, sign = ("sine", "cosine", 1.0) if i == 0 else ("cosine", "sine", -1.0)
            self.blocks[i] = [self._add(sides, f, value, 1.0),
                              self._add(sides, f_prime, first, sign),
                              self._add(sides, f, second, 1.0)]
        self.on_sine, self.on_cosine = (
            np.concatenate(sides[side], axis=1) if sides[side] else np.zeros((count, 0))
            for side in ("sine", "cosine"))

    @staticmethod
    def _add(sides, side, matrix, sign):
        start = sum(block.shape[1] for block in sides[side])
        sides[side].append(matrix)
        return side, slice(start, start + matrix.shape[1]), sign


def _weights(terms, columns) -> _Weights:
    key = (terms.tobytes(), columns)   # the table itself: an id could be reused
    if key not in _WEIGHTS:
        _WEIGHTS[key] = _Weights(terms, columns)
    return _WEIGHTS[key]


class _Pairs:
    """Indices of a table's distinct (D, M) and (M′, F) multiples into the powers array."""

    def __init__(self, terms):
        multiples = terms[:, :4].astype(int) + 4
        left, self.left_of_term = np.unique(multiples[:, :2], axis=0, return_inverse=True)
        right, self.right_of_term = np.unique(multiples[:, 2:], axis=0, return_inverse=True)
        self.left_of_term = self.left_of_term.ravel()
        self.right_of_term = self.right_of_term.ravel()
        self.left, self.right = left.T, right.T


def _pairs(terms) -> _Pairs:
    key = terms.tobytes()
    if key not in _PAIRS:
        _PAIRS[key] = _Pairs(terms)
    return _PAIRS[key]


_WEIGHTS, _PAIRS = {}, {}


CHUNK = 2048   # epochs per pass: keeps the (epochs × terms) arrays inside the CPU caches
# Epochs closer than this are not each put through the series: it is summed, with its rates, at
# nodes this far apart and each coordinate interpolated between them (moon_ecliptic_dense).
NODE_SPACING_DAYS = 0.25


def _series_with_rates(jd_tt) -> list[np.ndarray]:
    """moon_ecliptic_with_rates(jd_tt, order=2) in passes of CHUNK epochs, as three arrays."""
    chunks = [moon_ecliptic_with_rates(jd_tt[i:i + CHUNK], order=2)
              for i in range(0, len(jd_tt), CHUNK)]
    return [np.concatenate([chunk[k] for chunk in chunks], axis=1) for k in range(3)]


def moon_ecliptic_dense(jd_tt, spacing_days=NODE_SPACING_DAYS) -> list[np.ndarray]:
    """What moon_ecliptic_with_rates(jd_tt, order=2) gives, interpolated from nodes.

    The series is summed with its first two derivatives at nodes `spacing_days` apart over the
    epochs' span; between two nodes each coordinate is the quintic through both nodes' value,
    rate and acceleration (Hermite), differentiated for the rates. Its error is at most
    max|f⁽⁶⁾|·h⁶/46080 (h the spacing): the Moon's fastest large terms turn in ~7 days and its
    distance is 385,000 km, so with 6-hour nodes that is about half a millimetre, as much as the
    series' own rounding (its longitude runs to ~2300 rad, 4.5e-13 rad a last bit);
    tests/test_ephemeris_orbit.py measures both together against the series at every epoch.
    NODE_SPACING_DAYS is a power of two, so every node start + k·h is an exact double and each
    epoch's place between its nodes is exact too (a node off by a rounding of the Julian date,
    40 µs, would move the Moon by 4 cm).
    """
    start = jd_tt.min()
    intervals = max(1, int(np.ceil((jd_tt.max() - start) / spacing_days)))
    nodes = start + np.arange(intervals + 1) * spacing_days
    # (coordinate, derivative, node), the derivatives per node spacing: the unit interval's
    at_nodes = np.stack(_series_with_rates(nodes)) \
        * np.array([1.0, spacing_days, spacing_days ** 2])[None, :, None]
    per_day = np.array([1.0, 1 / spacing_days, 1 / spacing_days ** 2])[:, None]
    parts = [_quintic(at_nodes, (jd_tt[i:i + DENSE_CHUNK] - start) / spacing_days) * per_day
             for i in range(0, len(jd_tt), DENSE_CHUNK)]
    return list(np.concatenate(parts, axis=2))


DENSE_CHUNK = 65536   # epochs interpolated at once: bounds the temporaries for 2 million rows


def _quintic(at_nodes, where) -> np.ndarray:
    """(coordinate, derivative, epoch): Hermite quintics between the nodes `where` falls in."""
    index = np.minimum(where.astype(int), at_nodes.shape[2] - 2)
    s = where - index
    (p0, v0, a0), (p1, v1, a1) = (at_nodes[:, :, index + k].transpose(1, 0, 2) for k in (0, 1))
    # f(s) = p0 + v0·s + a0/2·s² + c3·s³ + c4·s⁴ + c5·s⁵ meeting (p1, v1, a1) at s = 1
    gap = p1 - p0 - v0 - a0 / 2
    gap_rate, gap_acceleration = v1 - v0 - a0, a1 - a0
    c3 = 10 * gap - 4 * gap_rate + gap_acceleration / 2
    c4 = -15 * gap + 7 * gap_rate - gap_acceleration
    c5 = 6 * gap - 3 * gap_rate + gap_acceleration / 2
    value = p0 + s * (v0 + s * (a0 / 2 + s * (c3 + s * (c4 + s * c5))))
    rate = v0 + s * (a0 + s * (3 * c3 + s * (4 * c4 + s * 5 * c5)))
    acceleration = a0 + s * (6 * c3 + s * (12 * c4 + s * 20 * c5))
    return np.stack([value, rate, acceleration], axis=1)


def moon_positions_around(jd_tt, offsets_days, interpolate=True) -> np.ndarray:
    """(len(offsets), n, 3) geocentric Moon positions at jd_tt + each offset, km, J2000 axes.

    One pass through the series gives each coordinate with its first two derivatives; a
    second-order Taylor step moves it by the offset. For offsets of a minute the step's error
    (the third derivative's term, ~ω³A·Δt³/6) is a few millimetres (tests/test_ephemeris_orbit.py
    holds it under 1e-4 km), far under the theory's own ~10″ (~20 km); the rotation to J2000
    is taken at each shifted epoch, so the frame's slow turn is in. Epochs at least twice as
    dense as NODE_SPACING_DAYS (a year of hours: 8760 epochs, 1461 nodes) take the series
    from moon_ecliptic_dense, within a millimetre or two of a sum at each epoch for a sixth of
    the work; interpolate=False sums at every epoch (the reference the tests hold it to).
    """
    jd_tt = np.atleast_1d(np.asarray(jd_tt, dtype=float))
    offsets = np.asarray(offsets_days, dtype=float)
    if not len(jd_tt):
        return np.empty((len(offsets), 0, 3))
    nodes = (jd_tt.max() - jd_tt.min()) / NODE_SPACING_DAYS + 2
    coordinates = (moon_ecliptic_dense(jd_tt) if interpolate and 2 * nodes <= len(jd_tt)
                   else _series_with_rates(jd_tt))
    steps = offsets[:, None] ** np.arange(3) / np.array([1, 1, 2])   # offset^k / k!
    shifted = [steps @ coordinate for coordinate in coordinates]        # (offsets, n) each
    ecliptic = spherical_to_vectors(*shifted)
    epochs = (jd_tt[None, :] + offsets[:, None]).ravel()
    return ecliptic_of_date_to_j2000(ecliptic.reshape(-1, 3), epochs).reshape(len(offsets), -1, 3)
