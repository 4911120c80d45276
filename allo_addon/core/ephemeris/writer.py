"""Write a GeneratedEphemeris as the original 12-column CSV or the extended CSV, atomically.

Each file is written under a temporary name in the same folder and renamed over the target,
so an interrupted run never leaves a half-written ephemeris behind.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from ..errors import UserError
from .bodies import BODIES
from .extended import EXTENDED_COLUMNS
from .generator import EphemerisRequest, GeneratedEphemeris, generate
from .geometry import COLUMNS

NUMBER_FORMAT = "%.12g"


def generate_files(request: EphemerisRequest, out=None, extended_out=None):
    """Generate once, write the original and/or the extended CSV: (table, written paths)."""
    if not (out or extended_out):
        raise UserError("nothing to write: name an original 12-column CSV and/or an "
                        "extended CSV to write")
    table = generate(request)
    # The extended file repeats the original's 12 columns: format them once for both (printing
    # numbers is most of the writing time).
    original = original_text(table)
    written = [write_atomically(path, text()) for path, text in (
        (out, lambda: original), (extended_out, lambda: extended_text(table, original))) if path]
    return table, written


def extended_columns(table: GeneratedEphemeris) -> dict[str, np.ndarray]:
    """Every numeric column of the extended format, by name."""
    columns = {"orbit_phase": table.orbit_phase}
    for prefix, unit, vectors in (("station_", "_km", table.station_position_km),
                                  ("station_v", "_km_s", table.station_velocity_km_s)):
        columns.update({f"{prefix}{axis}{unit}": vectors[:, i] for i, axis in enumerate("xyz")})
    for body in BODIES:
        columns[f"{body}_distance_km"] = table.distance_km[body]
        columns[f"{body}_angular_radius_deg"] = table.angular_radius_deg[body]
    for i, body in enumerate(BODIES):
        for j, part in enumerate(("r", "x", "y", "z")):
            columns[f"{body}_{part}"] = table.scaled[:, 4 * i + j]
    columns["sun_visible_fraction"] = table.sun_visible_fraction
    for body, angles in (("moon", table.moon_rotation), ("earth", table.earth_rotation)):
        columns.update({f"{body}_rot_{axis}": angles[:, i] for i, axis in enumerate("xyz")})
    return columns


def original_text(table: GeneratedEphemeris) -> str:
    return _csv(table.scaled)


def extended_text(table: GeneratedEphemeris, original: str | None = None) -> str:
    """The extended CSV; `original`: original_text(table) if already made (its rows are the
    extended file's 12 scaled columns, in the same order, printed the same way)."""
    columns = extended_columns(table)
    names = EXTENDED_COLUMNS[1:]
    first = names.index(COLUMNS[0])
    last = first + len(COLUMNS)
    before, after = (_csv(np.stack([columns[name] for name in part], axis=1)).splitlines()
                     for part in (names[:first], names[last:]))
    scaled = (original if original is not None else original_text(table)).splitlines()
    rows = (f"{epoch},{a},{b},{c}"
            for epoch, a, b, c in zip(table.epoch_strings(), before, scaled, after))
    return ",".join(EXTENDED_COLUMNS) + "\n" + "\n".join(rows) + "\n"


def write_original(path, table: GeneratedEphemeris) -> Path:
    """The original format (docs/formats.md §1): no header, 12 numbers a row."""
    return write_atomically(path, original_text(table))


def write_extended(path, table: GeneratedEphemeris) -> Path:
    """The extended format (ephemeris_extended.py): header, epoch, physics, scaled columns."""
    return write_atomically(path, extended_text(table))


def _csv(matrix: np.ndarray) -> str:
    """Rows of NUMBER_FORMAT numbers, as np.savetxt(fmt=NUMBER_FORMAT, delimiter=",") prints
    them, in one formatting call instead of one per row."""
    row = ",".join([NUMBER_FORMAT] * matrix.shape[1]) + "\n"
    return (row * len(matrix)) % tuple(matrix.ravel().tolist())


def write_atomically(path, text: str) -> Path:
    path = Path(path)
    if path.is_dir():
        raise UserError(f"output {path} is a folder, expected a file name such as eph.csv")
    if not path.parent.is_dir():
        raise UserError(f"cannot write {path}: the folder {path.parent} does not exist")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.chmod(temporary, 0o644)   # mkstemp makes it private; an ephemeris is a shared file
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise UserError(f"cannot write {path}: {error}") from None
    return path
