"""Ephemeris generator speed: a year at 1-hour steps (target < 2 s on the 2-core dev machine).

ephemeris_year_hourly_seconds is what a user waits for: the first run in a fresh process
(integrating the NRHO period included), writing both CSVs. The warm figure is generation alone.
"""

import tempfile
import time
from pathlib import Path

from allo_addon.core.ephemeris_generator import EphemerisRequest, generate
from allo_addon.core.ephemeris_writer import generate_files


def run(args):
    request = EphemerisRequest.from_text("2027-01-01", 365, "1h")
    settings = {"start": "2027-01-01", "days": 365, "step": "1h", "rows": request.rows}
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        generate_files(request, Path(folder) / "eph.csv", Path(folder) / "eph_ext.csv")
        cold = time.perf_counter() - started
    yield {"metric": "ephemeris_year_hourly_seconds", "value": round(cold, 3), "unit": "s",
           "note": "cold: orbit integration, generation, both CSVs written", **settings}
    started = time.perf_counter()
    generate(request)
    yield {"metric": "ephemeris_year_hourly_generate_warm_seconds",
           "value": round(time.perf_counter() - started, 3), "unit": "s", **settings}
