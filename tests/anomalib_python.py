"""A Python with Anomalib for the tests that check our layouts with Anomalib's own readers.

$ALLO_ANOMALIB_PYTHON, else ./.venv-anomalib or ./.venv-baseline (`make baseline` makes it).
PyPI's torchvision is built against CUDA torch; with a CPU torch its operator library does not
load and its fake-kernel registrations fail on import, so PRELUDE turns them off first: the
dataset readers never use them.
"""

import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PRELUDE = """
import torch.library
torch.library.register_fake = lambda *args, **kwargs: (lambda function: function)
"""


def anomalib_python() -> Path | None:
    given = os.environ.get("ALLO_ANOMALIB_PYTHON")
    candidates = [Path(given)] if given else [REPO / venv / "bin" / "python"
                                               for venv in (".venv-anomalib", ".venv-baseline")]
    return next((c for c in candidates if c.is_file()), None)


def run_with_anomalib(script: str, *args) -> str:
    """Run PRELUDE + script with Anomalib's Python and return its stdout; skip (saying why)
    where there is none."""
    python = anomalib_python()
    if python is None:
        reason = ("no Python with anomalib: set ALLO_ANOMALIB_PYTHON, or make .venv-anomalib "
                  "(README, 'Loading with Anomalib') or .venv-baseline (make baseline); "
                  "the rebuilt reader rules still ran")
        print("SKIPPED:", reason)
        pytest.skip(reason)
    done = subprocess.run([str(python), "-c", PRELUDE + script, *map(str, args)], cwd=REPO,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True,
                          text=True, timeout=300)
    if done.returncode != 0 and "No module named 'anomalib'" in done.stderr:
        pytest.skip(f"{python} has no anomalib")
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout
