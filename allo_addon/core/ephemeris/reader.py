"""Ephemeris files: where the Moon, Sun and Earth are, seen from the station, row by row.

Two formats (docs/formats.md §1):
- the original: no header, 12 floats a row (moon r,x,y,z, sun r,x,y,z, earth r,x,y,z);
- the extended one written by the generator: a header line, then named columns that include
  the same 12 (see ephemeris_extended.py), plus the epoch, the visible fraction of the Sun's
  disc and the bodies' orientations.

Row index = day (0-based). A row that cannot be a real geometry is kept out and reported by its
row number; asking for that day raises UserError, the other days stay usable.
"""

from __future__ import annotations

from pathlib import Path

# the types load_ephemeris returns, importable from here as before
from .geometry import (COLUMNS, Body, DayGeometry, Ephemeris,  # noqa: F401
                       geometry_from_values, row_problem)
from ..errors import UserError
from ..user_files import read_user_text
from .extended import EPOCH, parse_extended


def load_ephemeris(path) -> Ephemeris:
    path = Path(path)
    text = read_user_text(path, "ephemeris file")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    if not lines:
        raise UserError(f"ephemeris file {path} is empty: expected one row of 12 numbers per day")
    if _is_header(lines[0]):
        return parse_extended(path, lines)
    return _parse_original(path, lines)


def _is_header(line: str) -> bool:
    """A header names columns; a corrupt first row ('nan', 'inf', garbage) is not one."""
    return any(cell.strip() in (*COLUMNS, EPOCH) for cell in line.split(","))


def _parse_original(path: Path, lines: list[str]) -> Ephemeris:
    days, bad = {}, {}
    for day, line in enumerate(lines):
        cells = [c.strip() for c in line.split(",")]
        if len(cells) != len(COLUMNS):
            bad[day] = f"has {len(cells)} values, expected {len(COLUMNS)}"
            continue
        try:
            values = [float(c) for c in cells]
        except ValueError:
            bad[day] = f"has a value that is not a number: {line.strip()[:80]!r}"
            continue
        problem = row_problem(values)
        if problem:
            bad[day] = problem
        else:
            days[day] = geometry_from_values(day, values)
    return Ephemeris(path=path, days=days, bad_rows=bad, row_count=len(lines))
