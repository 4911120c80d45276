"""Ephemeris generator speed: a year at 1-hour steps (#14 §5: ≤ 0.5 s cold on the 2-core dev machine).

ephemeris_year_hourly_seconds is what a user waits for: a fresh Python process (so `make bench`'s
other modules cannot have warmed anything) importing the generator, numpy included, loading the
NRHO period, generating and writing both CSVs; only the interpreter's own start is left out.
`import_seconds` is the imports' share of it; `cpu_seconds` the process's CPU time over the same
span (all threads), less sensitive to other load on a shared machine than the wall time. The warm figure is a second generation alone.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = {"start": "2027-01-01", "days": 365, "step": "1h"}

CHILD = """
import json, sys, time
started, cpu_started = time.perf_counter(), time.process_time()
from allo_addon.core.ephemeris.generator import EphemerisRequest, generate
from allo_addon.core.ephemeris.writer import generate_files
imported = time.perf_counter()
request = EphemerisRequest.from_text(*sys.argv[1:4])
generate_files(request, sys.argv[4] + "/eph.csv", sys.argv[4] + "/eph_ext.csv")
cold, cpu = time.perf_counter(), time.process_time() - cpu_started
generate(request)
print(json.dumps({"cold": cold - started, "cpu": cpu, "imports": imported - started,
                  "warm": time.perf_counter() - cold, "rows": request.rows}))
"""


def run(args):
    with tempfile.TemporaryDirectory() as folder:
        output = subprocess.run(
            [sys.executable, "-c", CHILD, SETTINGS["start"], str(SETTINGS["days"]),
             SETTINGS["step"], folder], cwd=ROOT, check=True, capture_output=True, text=True,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(
                filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}).stdout
    times = json.loads(output)
    settings = {**SETTINGS, "rows": times["rows"]}
    yield {"metric": "ephemeris_year_hourly_seconds", "value": round(times["cold"], 3),
           "unit": "s", "import_seconds": round(times["imports"], 3),
           "cpu_seconds": round(times["cpu"], 3),
           "note": "fresh process: imports (numpy included), NRHO period, generation, both CSVs "
                   "written; interpreter start excluded", **settings}
    yield {"metric": "ephemeris_year_hourly_generate_warm_seconds",
           "value": round(times["warm"], 3), "unit": "s", **settings}
