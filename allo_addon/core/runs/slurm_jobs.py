"""Slurm batch scripts for a sharded render — text only: no bpy, no Slurm.

One job array renders the batch: array index i runs `render … --shard i/K`, each index with
its own log; `--array=0-(K-1)%P` lets at most P run at once. An optional post-process job
depends on the array with `afterok` (it starts only when every index exited 0), and is
submitted with `--kill-on-invalid-dep=yes`, so that when an index fails Slurm cancels it
(DependencyNeverSatisfied) instead of leaving it pending for ever. Before post-processing it
runs `status`, which exits 1 when an image is missing: the Anomalib layout is never written
from a partial dataset.

headless/slurm.py validates the request, writes these scripts and runs sbatch.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from ..errors import UserError

ARRAY_SCRIPT = "render.sbatch"
POSTPROCESS_SCRIPT = "postprocess.sbatch"
LOGS = "logs"
# Slurm's --time formats: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS
_TIME = re.compile(r"^(\d+|\d+:\d+|\d+:\d+:\d+|\d+-\d+|\d+-\d+:\d+|\d+-\d+:\d+:\d+)$")
_NAME = re.compile(r"^[A-Za-z0-9_.,-]+$")   # partition names (a comma-separated list)


@dataclass(frozen=True)
class SlurmRequest:
    python: str                   # a Python with bpy (or the venv) on the compute nodes
    package_root: Path            # the folder holding allo_addon/ (PYTHONPATH of the jobs)
    workdir: Path                 # the jobs cd here: the config's relative paths mean the same
    render_args: tuple[str, ...]  # `render` flags but --shard: --config, --exp_num, …
    status_args: tuple[str, ...]  # the same batch for `status` (config, exp, anomaly, modes, seed)
    exp_dir: Path
    shards: int
    job_name: str
    script_dir: Path
    parallel: int | None = None   # at most this many indices at once (None: no limit)
    indices: tuple[int, ...] | None = None   # only these array indices (None: 0..K-1)
    partition: str | None = None
    gpus_per_task: int | None = None
    cpus_per_task: int | None = None
    time: str | None = None
    postprocess: Path | None = None   # the split folder to write (None: no post-process job)
    anomaly: bool = False


def check_request(request: SlurmRequest) -> None:
    """What Slurm would refuse or misread, said before anything is written."""
    if request.time is not None and not _TIME.match(request.time):
        raise UserError(f"--time is {request.time!r}, expected Slurm's minutes, MM:SS, "
                        f"HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS (e.g. 2:00:00)")
    if request.partition is not None and not _NAME.match(request.partition):
        raise UserError(f"--partition is {request.partition!r}, expected a partition name "
                        f"(letters, digits, _ . - , only)")
    # #SBATCH lines are not shell: a log path with a space or % (a Slurm pattern) would break
    for folder in (request.script_dir,):
        text = str(folder)
        if re.search(r"[\s%\"'\\]", text):
            raise UserError(f"--out is {text!r}: the scripts' folder holds the Slurm logs, "
                            f"whose path cannot contain spaces, quotes, backslashes or %")


def array_spec(shards: int, parallel: int | None, indices=None) -> str:
    """--array value: 0-(K-1) or the chosen indices, with %P when a limit applies."""
    spec = f"0-{shards - 1}" if indices is None else ",".join(map(str, sorted(indices)))
    return spec + (f"%{parallel}" if parallel else "")


def parse_indices(text: str, shards: int) -> tuple[int, ...]:
    """'1,3' -> (1, 3): array indices, each from 0 to shards-1."""
    try:
        values = sorted({int(part) for part in text.split(",")})
    except ValueError:
        raise UserError(f"--only-shards is {text!r}, expected array indices separated by "
                        f"commas, e.g. 1,3") from None
    wrong = [v for v in values if not 0 <= v < shards]
    if wrong:
        raise UserError(f"--only-shards has {wrong[0]}, expected indices from 0 to "
                        f"{shards - 1} (--shards {shards})")
    return tuple(values)


def _header(request: SlurmRequest, name: str, log: str, gpus: bool) -> list[str]:
    lines = ["#!/bin/bash", f"#SBATCH --job-name={name}", f"#SBATCH --output={log}",
             "#SBATCH --ntasks=1"]
    if request.partition:
        lines.append(f"#SBATCH --partition={request.partition}")
    if request.cpus_per_task:
        lines.append(f"#SBATCH --cpus-per-task={request.cpus_per_task}")
    if gpus and request.gpus_per_task:
        lines.append(f"#SBATCH --gpus-per-task={request.gpus_per_task}")
    if request.time:
        lines.append(f"#SBATCH --time={request.time}")
    return lines


def _environment(request: SlurmRequest) -> list[str]:
    root = shlex.quote(str(request.package_root))
    return ["set -euo pipefail",
            f"cd {shlex.quote(str(request.workdir))}",
            f'export PYTHONPATH={root}"${{PYTHONPATH:+:$PYTHONPATH}}"']


def headless(request: SlurmRequest, command: str, args) -> str:
    return shlex.join([request.python, "-m", "allo_addon.headless", command, *args])


def array_script(request: SlurmRequest) -> str:
    logs = request.script_dir / LOGS
    lines = _header(request, f"{request.job_name}-render", f"{logs}/render-%A_%a.log", True)
    lines.insert(2, f"#SBATCH --array={array_spec(request.shards, request.parallel, request.indices)}")
    lines += ["# written by `python -m allo_addon.headless slurm`: array index i renders shard "
              f"i/{request.shards}", *_environment(request),
              headless(request, "render", request.render_args)
              + f' --shard "$SLURM_ARRAY_TASK_ID/{request.shards}"']
    return "\n".join(lines) + "\n"


def postprocess_script(request: SlurmRequest) -> str:
    logs = request.script_dir / LOGS
    lines = _header(request, f"{request.job_name}-postprocess", f"{logs}/postprocess-%j.log",
                    False)
    args = ["--input", str(request.exp_dir), "--output", str(request.postprocess)]
    if request.anomaly:
        args.append("--anomaly")
    lines += ["# written by `python -m allo_addon.headless slurm`: runs after every array index "
              "exited 0 (afterok)",
              *_environment(request),
              "# status exits 1 when an image is missing: never post-process a partial dataset",
              headless(request, "status", [*request.status_args, "--shards", str(request.shards)]),
              headless(request, "postprocess", args)]
    return "\n".join(lines) + "\n"


def sbatch_array(script: Path) -> list[str]:
    return ["sbatch", "--parsable", str(script)]


def sbatch_postprocess(script: Path, array_job: str | None) -> list[str]:
    """After the array: afterok, and cancelled by Slurm if an index fails."""
    dependency = ([f"--dependency=afterok:{array_job}", "--kill-on-invalid-dep=yes"]
                  if array_job else [])
    return ["sbatch", "--parsable", *dependency, str(script)]


def parse_job_id(stdout: str) -> str:
    """`sbatch --parsable` prints `<id>` or `<id>;<cluster>`."""
    line = stdout.strip().splitlines()[-1] if stdout.strip() else ""
    job = line.split(";")[0].strip()
    if not job.isdigit():
        raise ValueError(f"sbatch printed {stdout.strip()!r}, expected a job id")
    return job
