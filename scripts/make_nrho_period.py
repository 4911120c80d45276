"""Regenerate allo_addon/data/nrho_period.npz: the station's NRHO integrated over one period.

    python scripts/make_nrho_period.py            # integrate and rewrite the file
    python scripts/make_nrho_period.py --check    # exit 1 if the file differs from a fresh
                                                  # integration by more than TOLERANCE

The generator loads this file instead of integrating at every cold start (cr3bp.nrho); it falls
back to integrating when the file's stored parameters differ from cr3bp's. Rerun this script
after changing the orbit's constants or the integrator.
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from allo_addon.core.ephemeris.orbit import cr3bp  # noqa: E402

# Same rule as scripts/make_default_ephemeris.py: another CPU may round numpy's functions
# differently in the last bit, and the integration amplifies that. Each state component may
# differ by at most this share of its largest magnitude over the period (1e-7 of the position's
# 71,222 km apolune is 7 mm).
TOLERANCE = 1e-7
PHASES = np.linspace(0.0, 1.0, 20_001)   # where the two are compared (perilune included)


def relative_difference(shipped: cr3bp.PeriodicOrbit, fresh: cr3bp.PeriodicOrbit) -> float:
    """Largest |shipped − fresh| state over the period, per component, as a share of the
    component's largest magnitude (what TOLERANCE bounds)."""
    a, b = shipped.state(PHASES), fresh.state(PHASES)
    return float((np.abs(a - b).max(axis=0) / np.abs(b).max(axis=0)).max())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    fresh = cr3bp.integrate_nrho()
    path = cr3bp.SHIPPED_PERIOD.relative_to(ROOT)
    if not args.check:
        cr3bp.save_period(fresh)
        print(f"wrote {path} ({fresh.solution.steps} steps)")
        return 0
    shipped = cr3bp.shipped_nrho()
    if shipped is None:
        print(f"{path} is missing or was integrated with other parameters", file=sys.stderr)
        return 1
    difference = relative_difference(shipped, fresh)
    if difference > TOLERANCE:
        print(f"{path} differs from a fresh integration by {difference:.2g} of a component's "
              f"range (tolerance {TOLERANCE:g})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
