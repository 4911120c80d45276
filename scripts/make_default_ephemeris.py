"""Regenerate the ephemerides shipped in the package.

    python scripts/make_default_ephemeris.py            # rewrite both files
    python scripts/make_default_ephemeris.py --check    # exit 1 if they differ from a fresh run
                                                        # by more than CPU rounding (see TOLERANCE)

allo_addon/data/default_ephemeris.csv: 365 daily rows from 2027-01-01 00:00 UTC, orbit phase 0
(apolune), original 12-column format; default_ephemeris_extended.csv: the same days, extended.
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from allo_addon.core.ephemeris.generator import EphemerisRequest, generate  # noqa: E402
from allo_addon.core.ephemeris.writer import (  # noqa: E402
    extended_text, original_text, write_atomically)

DATA = ROOT / "allo_addon" / "data"
DEFAULT_REQUEST = dict(start="2027-01-01", days=365, step="1d", phase=0.0)

# The files are byte-identical when regenerated on the machine that wrote them, but not on
# another CPU: numpy's sin, cos, arctan2 … may round the last bit differently there (other SIMD
# code paths), and integrating the orbit amplifies that, most in the station's velocity near
# perilune. Measured, as a share of each column's largest magnitude: <= 7e-10 between an AMD EPYC
# and the machine that wrote the files (64 of 365 rows differ in their printed text), <= 9e-9
# with every numpy transcendental result moved by up to 4 ulp
# (tests/test_ephemeris_generator.py checks that). 1e-7 of a column's largest magnitude leaves
# a 10x margin and is still tiny: <= 7 mm of station position, <= 0.2 mm/s of velocity,
# <= 1e-5 scene units. A file that is really stale differs far more: starting one second later
# moves every row by >= 3e-6 of the column, an orbit phase off by 1e-6 by 1.5e-4.
TOLERANCE = 1e-7


def differences(shipped: str, fresh: str, limit: int = 3) -> list[str]:
    """Where a shipped CSV text differs from a fresh one by more than TOLERANCE (numbers) or at
    all (header, epochs), as 'row R, column C: shipped S, fresh F'; [] when it is up to date."""
    old, new = ([line.split(",") for line in text.splitlines()] for text in (shipped, fresh))
    if [len(row) for row in old] != [len(row) for row in new]:
        return [f"{len(old)} lines, a fresh run writes {len(new)} (or the columns differ)"]
    scale = {}
    for row in new:
        for column, cell in enumerate(row):
            number = _number(cell)
            if number is not None:
                scale[column] = max(scale.get(column, 0.0), abs(number))
    found = []
    for index, (was, now) in enumerate(zip(old, new)):
        for column, (a, b) in enumerate(zip(was, now)):
            x, y = _number(a), _number(b)
            same = a == b if x is None or y is None else abs(x - y) <= TOLERANCE * scale[column]
            if not same:
                found.append(f"row {index + 1}, column {column + 1}: shipped {a}, fresh {b}")
    return found[:limit] + ([f"… {len(found) - limit} more"] if len(found) > limit else [])


def _number(cell: str):
    try:
        return float(cell)
    except ValueError:
        return None


def default_files() -> dict[Path, str]:
    table = generate(EphemerisRequest.from_text(**DEFAULT_REQUEST))
    return {DATA / "default_ephemeris.csv": original_text(table),
            DATA / "default_ephemeris_extended.csv": extended_text(table)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    stale = []
    for path, text in default_files().items():
        if args.check:
            found = differences(path.read_text(encoding="utf-8"), text) if path.exists() \
                else ["missing"]
            if found:
                stale.append(path)
                print(f"{path.relative_to(ROOT)} differs from a fresh run: " + "; ".join(found),
                      file=sys.stderr)
        else:
            write_atomically(path, text)
            print(f"wrote {path.relative_to(ROOT)} ({text.count(chr(10))} lines)")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
