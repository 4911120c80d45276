"""A render stopped with SIGTERM, as Slurm stops a job (scancel, the time limit) and Kubernetes
or HTCondor stop theirs: it stops before its next image and releases its claim and scratch
folder, so a rerun of the shard on another node is not blocked by a claim it cannot check."""

import os
import signal
import subprocess
import sys
import time

import pytest
import yaml

from conftest import REPO

pytestmark = pytest.mark.blender

# 6 camera-days of one image: far more than can render between the signal and the next image
CONFIG = {"start_day": 1, "end_day": 2, "cams": [1, 2, 3], "resolution": [64, 36],
          "samples": 4, "denoise": False, "output_dir": "renders"}


def test_sigterm_stops_before_the_next_image_and_releases_the_claim(tmp_path):
    config = tmp_path / "render_config.yaml"
    config.write_text(yaml.safe_dump(CONFIG))
    exp = tmp_path / "renders" / "exp_1"
    claims = exp / ".partial" / "claims"
    render = subprocess.Popen(
        [sys.executable, "-m", "allo_addon.headless", "render", "--config", str(config),
         "--exp_num", "1"], cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 300   # a guard against a hung render, not a measurement
        while not any(claims.glob("*.claim")):   # inside the first camera-day now
            assert render.poll() is None, render.communicate()
            assert time.monotonic() < deadline, "no claim after 300 s"
            time.sleep(0.05)
        render.send_signal(signal.SIGTERM)
        stdout, stderr = render.communicate(timeout=300)
    finally:
        if render.poll() is None:
            render.kill()
    assert render.returncode == 128 + signal.SIGTERM, stdout + stderr
    assert "stopped by SIGTERM" in stderr and "Traceback" not in stderr
    assert list(claims.glob("*.claim")) == []          # nothing left for a rerun to honour
    assert list((exp / ".partial").glob("run-*")) == []
    recorded = (exp / "manifest.jsonl").read_text().splitlines() \
        if (exp / "manifest.jsonl").exists() else []
    assert len(recorded) < 6                           # it stopped, and did not finish
    assert "stopping before the next image (SIGTERM)" in (exp / "render.log").read_text()
