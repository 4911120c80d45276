"""Adaptive Dormand–Prince 5(4) Runge–Kutta integration with dense output, in numpy.

Dormand & Prince (1980), "A family of embedded Runge–Kutta formulae", J. Comp. Appl. Math. 6:
a 5th-order solution with an embedded 4th-order one for the error estimate, 7 stages of which
the last is reused as the first of the next step (FSAL). Every accepted step is kept, so the
solution can be evaluated anywhere afterwards (`Solution.__call__`): for a second-order system
(position, velocity) we interpolate each step with cubic Hermite polynomials through both
ends' values and derivatives. With steps small enough for a 1e-12 tolerance the interpolation
error is far below the integration error (the tests measure both).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Butcher tableau (Dormand–Prince 5(4)).
C = np.array([0.0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1.0, 1.0])
A = [
    [],
    [1 / 5],
    [3 / 40, 9 / 40],
    [44 / 45, -56 / 15, 32 / 9],
    [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729],
    [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
    [35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84],
]
B5 = np.array([35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0.0])
B4 = np.array([5179 / 57600, 0.0, 7571 / 16695, 393 / 640, -92097 / 339200, 187 / 2100, 1 / 40])
ERROR_WEIGHTS = B5 - B4

SAFETY, MIN_FACTOR, MAX_FACTOR = 0.9, 0.2, 5.0
MAX_STEPS = 1_000_000


@dataclass(frozen=True)
class Solution:
    """Accepted steps of an integration: times t[i], states y[i] and derivatives f[i]."""

    t: np.ndarray   # (n,)
    y: np.ndarray   # (n, d)
    f: np.ndarray   # (n, d)

    @property
    def steps(self) -> int:
        return len(self.t) - 1

    def __call__(self, times) -> np.ndarray:
        """States at `times` (inside [t0, t_end]) by cubic Hermite interpolation per step."""
        times = np.asarray(times, dtype=float)
        i = np.clip(np.searchsorted(self.t, times, side="right") - 1, 0, self.steps - 1)
        h = (self.t[i + 1] - self.t[i])[:, None]
        s = ((times - self.t[i]) / h[:, 0])[:, None]
        h00 = (1 + 2 * s) * (1 - s) ** 2
        h10 = s * (1 - s) ** 2
        h01 = s * s * (3 - 2 * s)
        h11 = s * s * (s - 1)
        return (h00 * self.y[i] + h10 * h * self.f[i]
                + h01 * self.y[i + 1] + h11 * h * self.f[i + 1])


def integrate(rhs, t0: float, y0, t_end: float, rtol: float = 1e-12, atol: float = 1e-14,
              first_step: float | None = None) -> Solution:
    """Integrate y' = rhs(t, y) from t0 to exactly t_end with local error control."""
    y = np.asarray(y0, dtype=float)
    t, f = t0, rhs(t0, y)
    span = t_end - t0
    h = first_step or 1e-3 * abs(span)
    ts, ys, fs = [t], [y], [f]
    k = np.empty((7, y.size))
    for _ in range(MAX_STEPS):
        if t >= t_end:
            return Solution(np.array(ts), np.array(ys), np.array(fs))
        h = min(h, t_end - t)
        k[0] = f
        for stage in range(1, 7):
            k[stage] = rhs(t + C[stage] * h, y + h * (np.dot(A[stage], k[:stage])))
        y_new = y + h * np.dot(B5, k)
        scale = atol + rtol * np.maximum(np.abs(y), np.abs(y_new))
        error = np.sqrt(np.mean((h * np.dot(ERROR_WEIGHTS, k) / scale) ** 2))
        if error <= 1.0:
            t = t_end if t_end - (t + h) < 1e-14 * abs(span) else t + h
            y, f = y_new, k[6].copy()   # FSAL: the last stage is the next step's first
            ts.append(t)
            ys.append(y)
            fs.append(f)
        factor = MAX_FACTOR if error == 0 else SAFETY * error ** -0.2
        h *= min(MAX_FACTOR, max(MIN_FACTOR, factor))
    raise RuntimeError(f"integration did not reach t={t_end} in {MAX_STEPS} steps")
