"""Several renders writing one exp_<N> at once (real Blender in real processes, tiny images).

Process A is started, stopped with SIGSTOP while it is inside a job (its claim file is there),
process B then renders the same exp to the end, and A is continued. No sleeps: the order of
events is forced, so the test checks the same interleaving on every run.
"""

import json
import os
import signal
import socket
import subprocess
import sys

import numpy as np
import pytest
import yaml
from PIL import Image

from conftest import REPO

pytestmark = [pytest.mark.blender,
              pytest.mark.skipif(not hasattr(signal, "SIGSTOP"), reason="needs SIGSTOP")]

# 9 camera-days of 4 images each: 36 images, a job lasts long enough to be stopped inside
CONFIG = {"start_day": 1, "end_day": 3, "cams": [0, 1, 2], "resolution": [64, 36],
          "samples": 2, "denoise": False, "sun_strength": [1, 2, 5, 10],
          "output_dir": "renders"}


def render_command(config, exp_num, *extra):
    return [sys.executable, "-m", "allo_addon.headless", "render", "--config", str(config),
            "--exp_num", str(exp_num), "--mode", "illumination", *extra]


def environment():
    # unbuffered: A's progress lines arrive while it renders, not when it exits
    return {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}


def manifest_lines(exp):
    return [json.loads(line) for line in (exp / "manifest.jsonl").read_text().splitlines()]


def pngs(exp):
    return sorted(p.relative_to(exp).as_posix() for p in exp.rglob("*.png")
                  if ".partial" not in p.parts)


def progress_paths(stdout):
    """Images a process rendered, from its progress lines `[k/N] <image>  render …`."""
    return {line.split()[1] for line in stdout.splitlines() if line.startswith("[")}


def claimed_by(exp, pid):
    """Jobs whose claim file names pid."""
    folder = exp / ".partial" / "claims"
    jobs = []
    for path in folder.glob("*.claim") if folder.is_dir() else ():
        try:
            holder = json.loads(path.read_text())
        except ValueError:
            continue
        if holder.get("pid") == pid:
            jobs.append(path.stem)
    return jobs


@pytest.fixture(scope="module")
def single_run(tmp_path_factory):
    """The reference: the same batch rendered by one process alone."""
    folder = tmp_path_factory.mktemp("concurrent")
    config = folder / "render_config.yaml"
    config.write_text(yaml.safe_dump(CONFIG))
    done = subprocess.run(render_command(config, 1), cwd=REPO, env=environment(),
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return config, config.parent / "renders" / "exp_1"


def stop_inside_a_job(process, exp):
    """Read A's progress until it is stopped while holding a claim: (claimed jobs, lines read)."""
    lines = []
    for line in process.stdout:
        lines.append(line)
        if not line.startswith("["):
            continue
        process.send_signal(signal.SIGSTOP)
        held = claimed_by(exp, process.pid)
        if held:
            return held, lines
        process.send_signal(signal.SIGCONT)   # stopped between two jobs: go on to the next
    pytest.fail("the first process finished before it could be stopped inside a job")


@pytest.mark.parametrize("second", [[], ["--shard", "0/2"]], ids=["unsharded", "shard"])
def test_two_processes_on_one_exp_render_and_record_each_image_once(single_run, second):
    config, reference = single_run
    exp_num = 2 if not second else 3
    exp = config.parent / "renders" / f"exp_{exp_num}"
    errors = config.parent / f"first_{exp_num}.stderr"   # a file: a full pipe would block A
    with open(errors, "w") as stderr:
        first = subprocess.Popen(render_command(config, exp_num), cwd=REPO, env=environment(),
                                 stdout=subprocess.PIPE, stderr=stderr, text=True)
    try:
        held, first_lines = stop_inside_a_job(first, exp)
        other = subprocess.run(render_command(config, exp_num, *second), cwd=REPO,
                               env=environment(), capture_output=True, text=True, timeout=600)
    except BaseException:
        first.kill()
        raise
    finally:
        first.send_signal(signal.SIGCONT)
    out, _ = first.communicate(timeout=600)
    assert first.returncode == 0, errors.read_text()
    assert other.returncode == 0, other.stderr

    records = manifest_lines(exp)
    images = [r["image"] for r in records]
    assert len(images) == len(set(images)), f"{len(images)} records for {len(set(images))} images"
    assert sorted(images) == sorted(r["image"] for r in manifest_lines(reference))
    assert pngs(exp) == pngs(reference)
    for name in pngs(reference):
        assert np.array_equal(np.asarray(Image.open(exp / name)),
                              np.asarray(Image.open(reference / name))), name
    # each image was rendered by one process only, and B left A's job alone and said so
    rendered_by_a = progress_paths("".join(first_lines) + out)
    rendered_by_b = progress_paths(other.stdout)
    assert not rendered_by_a & rendered_by_b
    assert rendered_by_a | rendered_by_b == set(images)
    assert not {r["image"] for r in records if r["job"] in held} & rendered_by_b
    assert f"being rendered by pid {first.pid} on host {socket.gethostname()}" in other.stdout
    assert not list((exp / ".partial" / "claims").glob("*.claim"))


def test_a_run_stopped_between_images_leaves_no_claim(single_run):
    """The GUI's Esc closes the generator after an image: its job is free again at once."""
    pytest.importorskip("bpy")
    from allo_addon.core import logs
    from allo_addon.core.dataset.batch_request import BatchRequest, prepare_batch
    from allo_addon.headless.blender_session import ensure_registered
    from allo_addon.scene.batch import BatchRun
    ensure_registered()
    config, _ = single_run
    batch = prepare_batch(BatchRequest(config, 4, modes=frozenset({"illumination"})))
    steps = BatchRun(batch, logger=logs.QUIET).steps()
    next(steps)
    assert claimed_by(batch.exp_dir, os.getpid()) == ["normal-day1-Camera0"]
    steps.close()
    assert not list((batch.exp_dir / ".partial" / "claims").glob("*.claim"))
    assert not list((batch.exp_dir / ".partial").glob("run-*"))
