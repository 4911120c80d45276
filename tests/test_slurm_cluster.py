"""The `slurm` command on a real Slurm: a one-node cluster on localhost (Debian's slurm-wlm and
munge, started by scripts/slurm_local.sh), real Cycles renders at 64×36, 4 samples.

1. A 4-shard array throttled to 2 and its afterok post-process give the dataset an unsharded
   run gives: the same files, identical image and mask pixels, identical manifest records but
   `render_seconds` (the time Cycles took), the same post-processed split.
2. A shard that fails (a folder left where its image must go) keeps the post-process from
   running: Slurm cancels it (DependencyNeverSatisfied), `status` names the index, and the
   one command `slurm … --submit` prints for that case renders it and post-processes: the
   same dataset again.

Needs root (apt-get install, munged as user munge, slurmd). Under CI (CI=true) a cluster that
cannot start fails the test; elsewhere the tests skip and say why. Not in `make test-compat`.
"""

import json
import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import yaml
from PIL import Image

from allo_addon.core.dataset.batch_request import BatchRequest, prepare_batch
from conftest import REPO, run_cli

pytestmark = [pytest.mark.blender, pytest.mark.slurm]

CONFIG = {"start_day": 1, "end_day": 2, "cams": [1, 2], "resolution": [64, 36], "samples": 4,
          "denoise": False, "output_dir": "renders"}
SHARDS, PARALLEL = 4, 2     # 2 days x 2 cameras: one camera-day per shard
# fields of a record that legitimately differ from run to run: the time Cycles took
PER_RUN = {"render_seconds"}
WAIT_LIMIT = 900            # seconds: a guard against a hung cluster, not a measurement
TIMINGS = {}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """SLURM_CONF of a running one-node cluster; stopped (by pid) at the end of the module."""
    in_ci = os.environ.get("CI") == "true"
    if os.geteuid() != 0 and not in_ci:
        pytest.skip("a local Slurm needs root (apt-get install slurm-wlm munge, munged as "
                    "user munge, slurmd)")
    folder = tmp_path_factory.mktemp("slurm")
    script = REPO / "scripts" / "slurm_local.sh"
    stop = lambda: subprocess.run(["bash", str(script), "stop", str(folder)], check=False)
    started = time.perf_counter()
    done = subprocess.run(["bash", str(script), "start", str(folder)], capture_output=True,
                          text=True)
    TIMINGS["cluster start (install if needed, daemons, node idle)"] = time.perf_counter() - started
    if done.returncode != 0:
        stop()
        if done.returncode == 3 and not in_ci:
            pytest.skip(done.stderr.strip())
        pytest.fail(f"{script} start failed:\n{done.stdout}{done.stderr}")
    previous = os.environ.get("SLURM_CONF")
    os.environ["SLURM_CONF"] = str(folder / "slurm.conf")   # for sbatch, squeue, scontrol
    try:
        yield folder
    finally:
        stop()
        if previous is None:
            os.environ.pop("SLURM_CONF", None)
        else:
            os.environ["SLURM_CONF"] = previous
        print("\nslurm test timings: " + ", ".join(f"{k}: {v:.1f} s" for k, v in TIMINGS.items()))


def write_config(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "render_config.yaml"
    path.write_text(yaml.safe_dump(CONFIG))
    return path


def checked(done):
    assert done.returncode == 0, done.stdout + done.stderr
    return done


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The same batch rendered unsharded and post-processed, on this machine, without Slurm."""
    folder = tmp_path_factory.mktemp("unsharded")
    config = write_config(folder)
    started = time.perf_counter()
    checked(run_cli("render", "--config", config, "--exp_num", 1, cwd=folder))
    checked(run_cli("postprocess", "--input", folder / "renders" / "exp_1", "--output",
                    folder / "train", cwd=folder))
    TIMINGS["unsharded render + post-process"] = time.perf_counter() - started
    return folder


def submit(folder: Path, *extra) -> tuple[str, str, str]:
    """`slurm … --submit`: (array job id, post-process job id, the whole output)."""
    done = checked(run_cli("slurm", "--config", folder / "render_config.yaml", "--exp_num", 1,
                           "--shards", SHARDS, "--parallel", PARALLEL, "--postprocess",
                           folder / "train", *extra, "--submit", cwd=folder))
    return job_ids(done.stdout) + (done.stdout,)


def job_ids(stdout: str) -> tuple[str, str]:
    array = re.search(r"submitted render array: job (\d+)", stdout)
    post = re.search(r"submitted post-process: job (\d+)", stdout)
    assert array and post, stdout
    return array[1], post[1]


def wait_for(*jobs: str) -> float:
    """Poll squeue until none of the jobs is pending or running (sbatch --wait answers late);
    the seconds it took."""
    started = time.perf_counter()
    while True:
        queued = subprocess.run(["squeue", "-h", "-o", "%i %T %r", "-j", ",".join(jobs)],
                                capture_output=True, text=True, check=True).stdout.strip()
        if not queued:
            return time.perf_counter() - started
        # without --kill-on-invalid-dep such a job would wait for ever
        assert "DependencyNeverSatisfied" not in queued, f"left pending: {queued}"
        assert time.perf_counter() - started < WAIT_LIMIT, f"still queued: {queued}"
        time.sleep(1)


def job_states(job: str) -> list[dict]:
    """`scontrol show job` of a job (one dict per array index): JobState, Reason, …"""
    out = subprocess.run(["scontrol", "-o", "show", "job", job], capture_output=True,
                         text=True, check=True).stdout
    return [dict(re.findall(r"(\w+)=(\S*)", line)) for line in out.splitlines() if line.strip()]


def by_index(states: list[dict]) -> dict[int, dict]:
    return {int(s["ArrayTaskId"]): s for s in states}


def shard_seconds(states: list[dict]) -> dict[int, int]:
    """Each index's run time as Slurm recorded it (whole seconds)."""
    clock = lambda text: time.mktime(time.strptime(text, "%Y-%m-%dT%H:%M:%S"))
    return {i: int(clock(s["EndTime"]) - clock(s["StartTime"])) for i, s in
            sorted(by_index(states).items())}


def records(manifest: Path, drop) -> dict[str, dict]:
    out = {}
    for line in manifest.read_text().splitlines():
        record = json.loads(line)
        drop(record)
        out[record["image"]] = record
    return out


def without_per_run(record: dict) -> None:
    for key in PER_RUN:
        record.pop(key)


def without_render_per_run(record: dict) -> None:   # a post-processed record holds the render's
    without_per_run(record["render"])


def files(folder: Path, leave_out) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")
            if p.is_file() and not leave_out(p.relative_to(folder))}


def assert_same_dataset(ours: Path, theirs: Path) -> int:
    """The exp_1 trees and the post-processed splits are the same; the number of PNGs compared."""
    compared = 0
    for sub, leave_out, drop in [
            # the exp: scratch, claims and the lock under .partial; render.log (times, pids)
            ("renders/exp_1", lambda p: p.parts[0] == ".partial" or str(p) == "render.log",
             without_per_run),
            # the split: postprocess.log names the absolute input and output folders
            ("train", lambda p: str(p) == "postprocess.log", without_render_per_run)]:
        a, b = ours / sub, theirs / sub
        names = files(a, leave_out)
        assert names == files(b, leave_out), sub
        assert records(a / "manifest.jsonl", drop) == records(b / "manifest.jsonl", drop), sub
        for name in sorted(names - {"manifest.jsonl"}):
            if name.endswith(".png"):
                left, right = np.asarray(Image.open(a / name)), np.asarray(Image.open(b / name))
                assert left.shape == right.shape and np.array_equal(left, right), name
                compared += 1
            else:   # report.json
                assert (a / name).read_bytes() == (b / name).read_bytes(), name
    return compared


def test_array_and_postprocess_give_the_unsharded_dataset(cluster, reference, tmp_path):
    write_config(tmp_path)
    started = time.perf_counter()
    array, post, stdout = submit(tmp_path)
    assert f"--array=0-{SHARDS - 1}%{PARALLEL}" in stdout
    waited = wait_for(array, post)
    TIMINGS["array of 4 shards (2 at a time) + post-process, submit to done"] = \
        time.perf_counter() - started
    states = job_states(array)
    assert sorted(by_index(states)) == list(range(SHARDS))
    assert {s["JobState"] for s in states} == {"COMPLETED"}, states
    assert {s["ArrayTaskThrottle"] for s in states} == {str(PARALLEL)}
    assert job_states(post)[0]["JobState"] == "COMPLETED"
    logs = tmp_path / "renders" / "slurm" / "exp_1-normal" / "logs"
    assert sorted(p.name for p in logs.glob("render-*.log")) == [
        f"render-{array}_{i}.log" for i in range(SHARDS)]
    TIMINGS.update({f"shard {i}": s for i, s in shard_seconds(states).items()})
    compared = assert_same_dataset(tmp_path, reference)
    assert compared > 0
    print(f"\ncompared {compared} PNGs pixel by pixel; waited {waited:.1f} s on squeue")


def test_a_failed_shard_blocks_the_postprocess_until_resubmitted(cluster, reference, tmp_path):
    config = write_config(tmp_path)
    batch = prepare_batch(BatchRequest(config_path=config, exp_num=1))
    failing = 3   # shard 3/4 renders camera-day 3 alone
    job = batch.plan.jobs[failing]
    blocker = batch.exp_dir / job.relative_paths(job.images[0])["image"]
    blocker.mkdir(parents=True)   # a folder where the image must go: that shard cannot finish

    array, post, stdout = submit(tmp_path)
    wait_for(array, post)
    states = by_index(job_states(array))
    assert {i: s["JobState"] for i, s in states.items()} == {
        i: "FAILED" if i == failing else "COMPLETED" for i in range(SHARDS)}
    post_state = job_states(post)[0]
    assert (post_state["JobState"], post_state["Reason"]) == ("CANCELLED", "DependencyNeverSatisfied")
    assert not (tmp_path / "train").exists()   # nothing post-processed from a partial dataset

    status = run_cli("status", "--config", config, "--exp_num", 1, "--shards", SHARDS,
                     cwd=tmp_path)
    assert status.returncode == 1, status.stdout + status.stderr
    assert f"incomplete: re-run array indices {failing}" in status.stdout

    blocker.rmdir()   # the user fixes the cause, then runs the command the submit printed
    lines = stdout.splitlines()
    resubmit = lines[lines.index(next(ln for ln in lines if ln.startswith("if a shard fails"))) + 1]
    command = shlex.split(resubmit)
    assert command[:3] == [sys.executable, "-m", "allo_addon.headless"]
    again = checked(subprocess.run(command, cwd=tmp_path, capture_output=True, text=True,
                                   env={**os.environ, "PYTHONPATH": str(REPO)}))
    assert f"--array={failing}%{PARALLEL}" in again.stdout
    array2, post2 = job_ids(again.stdout)
    wait_for(array2, post2)
    assert [s["JobState"] for s in job_states(array2)] == ["COMPLETED"]
    assert job_states(post2)[0]["JobState"] == "COMPLETED"
    assert assert_same_dataset(tmp_path, reference) > 0
