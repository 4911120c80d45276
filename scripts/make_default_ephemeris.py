"""Regenerate the ephemerides shipped in the package, byte for byte.

    python scripts/make_default_ephemeris.py            # rewrite both files
    python scripts/make_default_ephemeris.py --check    # exit 1 if they differ from a fresh run

allo_addon/data/default_ephemeris.csv: 365 daily rows from 2027-01-01 00:00 UTC, orbit phase 0
(apolune), original 12-column format; default_ephemeris_extended.csv: the same days, extended.
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from allo_addon.core.ephemeris_generator import EphemerisRequest, generate  # noqa: E402
from allo_addon.core.ephemeris_writer import (  # noqa: E402
    extended_text, original_text, write_atomically)

DATA = ROOT / "allo_addon" / "data"
DEFAULT_REQUEST = dict(start="2027-01-01", days=365, step="1d", phase=0.0)


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
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path)
        else:
            write_atomically(path, text)
            print(f"wrote {path.relative_to(ROOT)} ({text.count(chr(10))} lines)")
    for path in stale:
        print(f"{path.relative_to(ROOT)} differs from a fresh run", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
