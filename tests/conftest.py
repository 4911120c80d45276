import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

# Tiny renders: real Cycles, a fraction of a second each. Denoising is off here for speed only;
# test_denoiser.py renders with it on, with OpenImageDenoise and with a Cycles that has none.
TINY = {
    "start_day": 1, "end_day": 2, "cams": [0, 1], "resolution": [128, 72], "samples": 4,
    "denoise": False, "min_pixel": 10, "sun_strength": [2, 10], "depths": [0, 1],
    "scales": [0.8, 1.2], "colours": ["red", "blue"], "output_dir": "renders",
}


@pytest.fixture
def write_config(tmp_path):
    def write(name="render_config.yaml", folder=None, **overrides):
        values = {**TINY, **overrides}
        values = {k: v for k, v in values.items() if v is not None}
        path = (folder or tmp_path) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(values))
        return path
    return write


def run_cli(*args, cwd=None, timeout=600):
    """`python -m allo_addon.headless …` in a fresh process, as a user runs it."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "allo_addon.headless", *map(str, args)],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


_exit_status = 0


def pytest_sessionfinish(session, exitstatus):
    global _exit_status
    _exit_status = int(exitstatus)


def pytest_unconfigure(config):
    # the bpy 4.2 module crashes in its own teardown (allo_addon/scene/compat.py: CRASHES_AT_EXIT)
    if "bpy" in sys.modules:
        from allo_addon.scene.compat import CRASHES_AT_EXIT
        if CRASHES_AT_EXIT:
            from allo_addon.headless import exit_now
            exit_now(_exit_status)
