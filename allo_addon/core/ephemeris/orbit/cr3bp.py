"""The station's orbit: the 9:2 synodic-resonant L2 southern NRHO in the Earth–Moon CR3BP.

Circular restricted three-body problem in the rotating, barycentric frame with the usual
normalised units: the Earth (mass 1−μ) at (−μ, 0, 0), the Moon (mass μ) at (1−μ, 0, 0), unit
length L = 384,400 km, the frame turning once per unit 2π of time. The orbit is periodic, so we
integrate one period once and afterwards evaluate it by phase, which makes a year of hourly
rows cost one interpolation. That integration (~0.1 s, a third of a cold run's own work) is
shipped as data/nrho_period.npz, made by scripts/make_nrho_period.py; the file holds the
parameters it was integrated with and is used only while they equal the ones below, otherwise
the period is integrated afresh (tests/test_ephemeris_orbit.py compares the file with a fresh
integration).

Initial state at apolune and period from the issue (Gateway's 9:2 NRHO, southern family): its
period is 2/9 of a synodic month, so the station meets the same Sun–Earth–Moon geometry every
two lunar months. CR3BP time is mapped onto days through that resonance (T ↦ 6.56235 d).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .integrator import Solution, integrate

MU = 0.012150585609624
LENGTH_KM = 384_400.0
SYNODIC_MONTH_DAYS = 29.530589
NRHO_PERIOD_DAYS = 2 * SYNODIC_MONTH_DAYS / 9                      # 6.56235 d
NRHO_APOLUNE_STATE = (1.022028212292212, 0.0, -0.182101400516528,  # x, y, z
                      0.0, -0.103270948781416, 0.0)                # vx, vy, vz
NRHO_PERIOD = 1.5111994192706                                      # CR3BP time units
MOON_POSITION = np.array([1 - MU, 0.0, 0.0])
TIME_UNIT_S = NRHO_PERIOD_DAYS * 86400.0 / NRHO_PERIOD             # seconds per CR3BP unit
VELOCITY_UNIT_KMS = LENGTH_KM / TIME_UNIT_S
RTOL, ATOL = 1e-12, 1e-14                                          # the integration's tolerances
SHIPPED_PERIOD = Path(__file__).resolve().parents[3] / "data" / "nrho_period.npz"


def equations_of_motion(_t, state):
    """d/dt (x, y, z, vx, vy, vz) in the rotating frame."""
    x, y, z, vx, vy, vz = state
    r1 = ((x + MU) ** 2 + y * y + z * z) ** 1.5          # from the Earth
    r2 = ((x - 1 + MU) ** 2 + y * y + z * z) ** 1.5      # from the Moon
    gx = -(1 - MU) * (x + MU) / r1 - MU * (x - 1 + MU) / r2
    gy = -(1 - MU) * y / r1 - MU * y / r2
    gz = -(1 - MU) * z / r1 - MU * z / r2
    return np.array([vx, vy, vz, gx + 2 * vy + x, gy - 2 * vx + y, gz])


@dataclass(frozen=True)
class PeriodicOrbit:
    """One integrated period; `state(phase)` gives the rotating-frame state at any phase."""

    solution: Solution
    period: float

    def state(self, phase) -> np.ndarray:
        """(n, 6) rotating-frame states at orbit phases (fractions of a period, 0 = apolune)."""
        phase = np.mod(np.asarray(phase, dtype=float), 1.0)
        return self.solution(phase * self.period)

    def closure_km(self) -> float:
        """How far the end of the integrated period lands from its start, in km."""
        start, end = self.solution.y[0, :3], self.solution.y[-1, :3]
        return float(np.linalg.norm(end - start) * LENGTH_KM)


@lru_cache(maxsize=1)
def nrho() -> PeriodicOrbit:
    """The station's NRHO over one period: the shipped integration if it matches, else a fresh one."""
    return shipped_nrho() or integrate_nrho()


def integrate_nrho() -> PeriodicOrbit:
    """The station's NRHO, integrated over one period to a relative tolerance of 1e-12."""
    solution = integrate(equations_of_motion, 0.0, NRHO_APOLUNE_STATE, NRHO_PERIOD,
                         rtol=RTOL, atol=ATOL)
    return PeriodicOrbit(solution, NRHO_PERIOD)


def orbit_parameters() -> np.ndarray:
    """What an integrated period depends on: μ, the initial state, the period, the tolerances."""
    return np.array([MU, *NRHO_APOLUNE_STATE, NRHO_PERIOD, RTOL, ATOL])


def shipped_nrho(path=None) -> PeriodicOrbit | None:
    """The period stored in `path` (default SHIPPED_PERIOD) if it was integrated with today's parameters, else None.

    The parameters are compared exactly: they are the literals above, parsed the same way on
    every machine, so any difference means someone changed the orbit and the file is stale."""
    try:
        with np.load(path or SHIPPED_PERIOD) as stored:
            if not np.array_equal(stored["parameters"], orbit_parameters()):
                return None
            solution = Solution(stored["t"], stored["y"], stored["f"])
    except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile):   # damaged: integrate
        return None
    return PeriodicOrbit(solution, NRHO_PERIOD)


def save_period(orbit: PeriodicOrbit, path=None) -> None:
    """Write an integrated period with the parameters it was integrated with."""
    solution = orbit.solution
    np.savez(path or SHIPPED_PERIOD, parameters=orbit_parameters(), t=solution.t, y=solution.y, f=solution.f)


def moon_relative_km(states) -> np.ndarray:
    """Rotating-frame positions relative to the Moon, in km (x toward the far side)."""
    return (np.asarray(states)[..., :3] - MOON_POSITION) * LENGTH_KM
