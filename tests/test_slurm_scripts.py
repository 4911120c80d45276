"""The `slurm` and `status` commands without a cluster: the scripts they write, the counts per
shard, and the mistakes refused before anything is written. The scripts on a real Slurm:
tests/test_slurm_cluster.py."""

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from allo_addon.core.dataset.batch_request import BatchRequest, prepare_batch
from allo_addon.core.errors import UserError
from allo_addon.core.runs import slurm_jobs
from allo_addon.core.runs.status import batch_status, describe_status, skipped_line
from conftest import run_cli

CONFIG = {"start_day": 1, "end_day": 2, "cams": [1, 2, 3], "resolution": [64, 36],
          "samples": 4, "denoise": False, "output_dir": "out"}


def request(tmp_path, **changes):
    values = dict(python="/opt/py/bin/python", package_root=Path("/src/allo"),
                  workdir=tmp_path, render_args=("--config", "/c.yaml", "--exp_num", "3"),
                  status_args=("--config", "/c.yaml", "--exp_num", "3"),
                  exp_dir=tmp_path / "out" / "exp_3", shards=4, job_name="allo-exp3-normal",
                  script_dir=tmp_path / "jobs")
    values.update(changes)
    return slurm_jobs.SlurmRequest(**values)


def sbatch_options(script: str) -> dict:
    return dict(line[len("#SBATCH --"):].split("=", 1) for line in script.splitlines()
                if line.startswith("#SBATCH --"))


def test_array_script_runs_one_shard_per_index(tmp_path):
    script = slurm_jobs.array_script(request(tmp_path, parallel=2, partition="gpu",
                                             gpus_per_task=1, cpus_per_task=8, time="4:00:00"))
    options = sbatch_options(script)
    assert options["array"] == "0-3%2"
    assert options["output"] == f"{tmp_path}/jobs/logs/render-%A_%a.log"   # one log per index
    assert (options["partition"], options["gpus-per-task"], options["cpus-per-task"],
            options["time"]) == ("gpu", "1", "8", "4:00:00")
    command = shlex.split(script.splitlines()[-1])
    assert command == ["/opt/py/bin/python", "-m", "allo_addon.headless", "render", "--config",
                       "/c.yaml", "--exp_num", "3", "--shard", "$SLURM_ARRAY_TASK_ID/4"]
    assert '--shard "$SLURM_ARRAY_TASK_ID/4"' in script   # expanded by bash, not quoted away
    assert f"cd {tmp_path}" in script
    subprocess.run(["bash", "-n"], input=script, text=True, check=True)


def test_array_of_chosen_indices_keeps_the_shard_count(tmp_path):
    script = slurm_jobs.array_script(request(tmp_path, indices=(3, 1)))
    assert sbatch_options(script)["array"] == "1,3"
    assert script.rstrip().endswith('--shard "$SLURM_ARRAY_TASK_ID/4"')


def test_postprocess_script_checks_status_first(tmp_path):
    script = slurm_jobs.postprocess_script(request(tmp_path, postprocess=tmp_path / "test",
                                                   anomaly=True, gpus_per_task=2))
    assert "gpus-per-task" not in sbatch_options(script)     # the post-process needs no GPU
    commands = [shlex.split(line) for line in script.splitlines()
                if line.startswith("/opt/py/bin/python")]
    assert [c[3] for c in commands] == ["status", "postprocess"]
    assert commands[0][4:] == ["--config", "/c.yaml", "--exp_num", "3", "--shards", "4"]
    assert commands[1][4:] == ["--input", f"{tmp_path}/out/exp_3", "--output",
                               f"{tmp_path}/test", "--anomaly"]
    assert "set -euo pipefail" in script   # status exiting 1 stops the script there
    subprocess.run(["bash", "-n"], input=script, text=True, check=True)


def test_postprocess_depends_on_the_array_and_is_cancelled_if_it_fails():
    command = slurm_jobs.sbatch_postprocess(Path("/j/postprocess.sbatch"), "812")
    assert command == ["sbatch", "--parsable", "--dependency=afterok:812",
                       "--kill-on-invalid-dep=yes", "/j/postprocess.sbatch"]
    assert slurm_jobs.sbatch_postprocess(Path("/j/p"), None) == ["sbatch", "--parsable", "/j/p"]


@pytest.mark.parametrize("printed, job", [("812\n", "812"), ("812;cluster-a\n", "812")])
def test_parsable_job_id(printed, job):
    assert slurm_jobs.parse_job_id(printed) == job


@pytest.mark.parametrize("field, value, named", [
    ("time", "2h", "--time is '2h'"),
    ("partition", "gpu; rm -rf /", "--partition is"),
    ("script_dir", Path("/my jobs"), "--out is '/my jobs'"),
    ("script_dir", Path("/jobs%a"), "--out is '/jobs%a'")])
def test_values_slurm_would_misread_are_refused(tmp_path, field, value, named):
    with pytest.raises(UserError, match=named.replace("(", r"\(")):
        slurm_jobs.check_request(request(tmp_path, **{field: value}))


@pytest.mark.parametrize("text, error", [("1,x", "--only-shards is '1,x'"),
                                         ("4", "--only-shards has 4, expected indices from 0 to 3")])
def test_only_shards_must_be_indices_of_the_array(text, error):
    assert slurm_jobs.parse_indices("3,1,1", 4) == (1, 3)
    with pytest.raises(UserError, match=error):
        slurm_jobs.parse_indices(text, 4)


def plan_and_exp(write_config, **overrides):
    config = write_config(**{**CONFIG, **overrides})
    batch = prepare_batch(BatchRequest(config_path=config, exp_num=1,
                                       anomaly=bool(overrides.get("anomalies"))))
    return batch.plan, batch.exp_dir


def record_image(exp, job, image):
    """What a render leaves for one finished image: its files, then its manifest record."""
    paths = job.relative_paths(image)
    for path in paths.values():
        (exp / path).parent.mkdir(parents=True, exist_ok=True)
        (exp / path).write_bytes(b"png")
    masks = {k: v for k, v in paths.items() if k != "image"}
    with open(exp / "manifest.jsonl", "a") as handle:
        handle.write(json.dumps({"image": paths["image"], "masks": masks}) + "\n")


def test_status_counts_each_shard_from_the_plan_and_the_manifest(write_config):
    plan, exp = plan_and_exp(write_config)   # 2 days x 3 cameras: 6 camera-days of 1 image
    for n in (0, 1, 3):                      # shards 0 and 1 of 3 finished, shard 2 only half
        record_image(exp, plan.jobs[n], plan.jobs[n].images[0])
    lost = plan.jobs[4]                      # shard 1: recorded, but a file was lost since
    record_image(exp, lost, lost.images[0])
    (exp / lost.relative_paths(lost.images[0])["fb_mask"]).unlink()
    status = batch_status(plan, exp, shards=3)
    assert [(c.planned, c.done, c.missing) for c in status.shards] == [(2, 2, 0), (2, 1, 1),
                                                                       (2, 0, 2)]
    assert status.incomplete_shards == [1, 2]
    assert not status.complete
    report = describe_status(status, "exp_1")
    assert "  shard 1/3: 2 planned, 1 done, 0 skipped, 1 missing" in report
    assert report[-1] == "  incomplete: re-run array indices 1,2"


def test_a_skipped_camera_day_is_not_missing(write_config):
    plan, exp = plan_and_exp(write_config, anomalies=["drill"], min_pixel=10)
    for job in plan.jobs[1:]:
        for image in job.renders:
            record_image(exp, job, image)
    first = plan.jobs[0]
    (exp / "render.log").write_text(
        "rendering\n" + skipped_line(first.day, first.camera.name, "no placement showed it") + "\n")
    status = batch_status(plan, exp, shards=2)
    assert status.shards[0].skipped == len(first.renders) > 0
    assert status.complete and status.total.done == plan.image_count - len(first.renders)


def test_status_command_exit_status_says_whether_images_are_missing(write_config, tmp_path):
    config = write_config(**CONFIG)
    plan, exp = plan_and_exp(write_config)
    for job in plan.jobs[:5]:
        record_image(exp, job, job.images[0])
    missing = run_cli("status", "--config", config, "--exp_num", 1, "--shards", 2, cwd=tmp_path)
    assert missing.returncode == 1, missing.stderr
    assert "incomplete: re-run array indices 1" in missing.stdout   # job 5 is shard 1 of 2
    record_image(exp, plan.jobs[5], plan.jobs[5].images[0])
    done = run_cli("status", "--config", config, "--exp_num", 1, "--shards", 2, cwd=tmp_path)
    assert done.returncode == 0 and "complete: nothing is missing" in done.stdout


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


@pytest.mark.parametrize("flags, error", [
    (["--shards", "7"], "--shards is 7, but the batch has 6 camera-days"),
    (["--shards", "2", "--time", "1 day"], "--time is '1 day'"),
    (["--shards", "2", "--only-shards", "2"], "--only-shards has 2"),
    (["--shards", "2", "--python", "/nonexistent/python"], "--python /nonexistent/python: cannot run it"),
    (["--shards", "2", "--python", sys.executable, "--submit"], "sbatch is not on PATH"),
])
def test_slurm_mistakes_write_nothing(write_config, tmp_path, flags, error):
    config = write_config(**CONFIG)
    env = {**os.environ, "PATH": "/nonexistent"}   # no sbatch
    done = subprocess.run([sys.executable, "-m", "allo_addon.headless", "slurm", "--config",
                           str(config), "--exp_num", "1", *flags], cwd=tmp_path, env={
                               **env, "PYTHONPATH": str(Path(__file__).parent.parent)},
                          capture_output=True, text=True)
    assert done.returncode == 2, done.stdout + done.stderr
    assert error in done.stderr and "Traceback" not in done.stderr
    assert files_under(tmp_path / "out") == []


def test_slurm_config_mistake_writes_nothing(write_config, tmp_path):
    config = write_config(**{**CONFIG, "samples": 0})
    done = run_cli("slurm", "--config", config, "--exp_num", 1, "--shards", 2, cwd=tmp_path)
    assert done.returncode == 2 and "samples" in done.stderr and "Traceback" not in done.stderr
    assert files_under(tmp_path / "out") == []


def test_status_names_the_claim_of_a_render_elsewhere(write_config):
    plan, exp = plan_and_exp(write_config)
    job = plan.jobs[2]
    claims = exp / ".partial" / "claims"
    claims.mkdir(parents=True)
    # what a render on node-7 leaves when that node is lost mid camera-day
    (claims / f"{job.job_id}.claim").write_text(json.dumps(
        {"host": "node-7", "pid": 4242, "started": None, "since": "2026-11-28 03:00:00 +0000"}))
    status = batch_status(plan, exp, shards=3)
    assert status.shards[2].missing == 2 and [h.path.stem for h in status.claims] == [job.job_id]
    report = "\n".join(describe_status(status, "exp_1"))
    assert (f"claimed: {job.job_id} by pid 4242 on host node-7 since 2026-11-28 03:00:00 "
            f"+0000; if no render runs there any more, delete {claims / job.job_id}.claim") in report


def test_missing_writes_an_array_of_the_incomplete_shards_only(write_config, tmp_path):
    config = write_config(**CONFIG)
    plan, exp = plan_and_exp(write_config)   # 6 camera-days, 3 shards: jobs n, n+3 in shard n
    for n in (0, 3, 2):
        record_image(exp, plan.jobs[n], plan.jobs[n].images[0])
    done = run_cli("slurm", "--config", config, "--exp_num", 1, "--shards", 3, "--parallel", 2,
                   "--postprocess", tmp_path / "train", "--missing", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    script = (exp.parent / "slurm" / "exp_1-normal" / "render.sbatch").read_text()
    assert sbatch_options(script)["array"] == "1,2%2"
    assert "--dependency=afterok:<array job id>" in done.stdout   # how to submit the rest
