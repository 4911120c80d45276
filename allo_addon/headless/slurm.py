"""`slurm`: write (and with --submit, submit) a Slurm job array that renders a batch in shards,
and the post-process job that waits for it. The scripts are made by core/runs/slurm_jobs.py."""

HELP = """Render a batch on a Slurm cluster: writes <out>/render.sbatch, a job array whose index
i runs `render … --shard i/K` (log: <out>/logs/render-<job>_<i>.log), and with --postprocess,
<out>/postprocess.sbatch, which runs only when every index succeeded (afterok; Slurm cancels
it when one fails). The batch is validated first, as `render --dry-run` validates it, with the
--python the jobs will use; nothing is written on a mistake. --submit runs sbatch and prints
the job ids and the one command that re-submits only the shards with missing images."""

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from ..core.errors import UserError
from .arguments import whole
from .status import add_batch_arguments, batch_flags, prepare

PACKAGE_ROOT = Path(__file__).resolve().parents[2]   # holds allo_addon/: the jobs' PYTHONPATH


def add_arguments(parser) -> None:
    add_batch_arguments(parser)
    parser.add_argument("--shards", type=whole(1, 1001, "Slurm's default MaxArraySize is 1001"),
                        required=True, metavar="K", help="array of K shards (indices 0 to K-1)")
    parser.add_argument("--parallel", type=whole(1), default=None, metavar="P",
                        help="run at most P shards at once (--array=0-(K-1)%%P; default: no limit)")
    parser.add_argument("--partition", default=None, help="Slurm partition")
    parser.add_argument("--gpus-per-task", type=whole(1), default=None, metavar="G",
                        help="GPUs per shard (set device: GPU in the config)")
    parser.add_argument("--cpus-per-task", type=whole(1), default=None, metavar="C",
                        help="CPU cores per shard")
    parser.add_argument("--time", default=None,
                        help="time limit per shard and for the post-process, e.g. 4:00:00")
    parser.add_argument("--python", default=sys.executable, metavar="PATH",
                        help="the Python with bpy on the compute nodes (default: this one, "
                             f"{sys.executable})")
    parser.add_argument("--postprocess", type=Path, default=None, metavar="OUT",
                        help="also post-process into this split folder (e.g. renders/train) "
                             "once every shard succeeded")
    parser.add_argument("--out", type=Path, default=None, metavar="DIR",
                        help="folder for the scripts and logs (default: "
                             "<output_dir>/slurm/exp_<N>-normal or -anomaly)")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--only-shards", default=None, metavar="I,J,…",
                       help="submit only these array indices (e.g. 1,3)")
    which.add_argument("--missing", action="store_true",
                       help="submit only the shards `status` finds images missing in (run it "
                            "after the array has ended)")
    parser.add_argument("--submit", action="store_true",
                        help="run sbatch (else only write the scripts and print how to submit)")


def run(args) -> int:
    from ..core.atomic_files import write_text
    from ..core.runs import slurm_jobs
    from ..core.runs.status import batch_status

    batch = prepare(args)   # config, ephemeris, poses, output folder: no bpy needed
    jobs = len(batch.plan.jobs)
    if args.shards > jobs:
        raise UserError(f"--shards is {args.shards}, but the batch has {jobs} camera-days: "
                        f"expected at most {jobs} shards (a shard renders whole camera-days)")
    if args.submit and shutil.which("sbatch") is None:
        raise UserError("--submit: sbatch is not on PATH; run this on a Slurm login node, or "
                        "leave --submit out and submit the written scripts there")
    kind = "anomaly" if args.anomaly else "normal"
    exp = batch.exp_dir.absolute()
    flags = batch_flags(args)
    request = slurm_jobs.SlurmRequest(
        python=os.path.abspath(args.python), package_root=PACKAGE_ROOT, workdir=Path.cwd(),
        render_args=tuple(flags), status_args=tuple(flags), exp_dir=exp, shards=args.shards,
        job_name=f"allo-exp{args.exp_num}-{kind}",
        script_dir=(args.out or exp.parent / "slurm" / f"exp_{args.exp_num}-{kind}").absolute(),
        parallel=args.parallel, partition=args.partition, gpus_per_task=args.gpus_per_task,
        cpus_per_task=args.cpus_per_task, time=args.time,
        postprocess=args.postprocess.absolute() if args.postprocess else None,
        anomaly=args.anomaly)
    slurm_jobs.check_request(request)
    if args.only_shards is not None:
        indices = slurm_jobs.parse_indices(args.only_shards, args.shards)
    elif args.missing:
        indices = tuple(batch_status(batch.plan, exp, args.shards).incomplete_shards)
    else:
        indices = None
    _dry_run(request)
    request = _with(request, indices=indices)

    request.script_dir.mkdir(parents=True, exist_ok=True)
    (request.script_dir / slurm_jobs.LOGS).mkdir(exist_ok=True)
    array = request.script_dir / slurm_jobs.ARRAY_SCRIPT
    post = request.script_dir / slurm_jobs.POSTPROCESS_SCRIPT
    render_indices = indices is None or bool(indices)
    if render_indices:
        write_text(array, slurm_jobs.array_script(request))
        print(f"wrote {array} (--array={slurm_jobs.array_spec(args.shards, args.parallel, indices)})")
    else:
        print("no shard has missing images: nothing to render")
        if not request.postprocess:
            return 0
    if request.postprocess:
        write_text(post, slurm_jobs.postprocess_script(request))
        print(f"wrote {post} (post-process into {request.postprocess})")
    if not args.submit:
        if render_indices:
            print(f"submit: {shlex.join(slurm_jobs.sbatch_array(array))}")
        if request.postprocess:
            print(f"then:   {shlex.join(slurm_jobs.sbatch_postprocess(post, '<array job id>'))}")
        return 0
    array_job = _sbatch(slurm_jobs.sbatch_array(array)) if render_indices else None
    if array_job:
        print(f"submitted render array: job {array_job} "
              f"(--array={slurm_jobs.array_spec(args.shards, args.parallel, indices)}, "
              f"logs {request.script_dir / slurm_jobs.LOGS}/render-{array_job}_<i>.log)")
    if request.postprocess:
        post_job = _sbatch(slurm_jobs.sbatch_postprocess(post, array_job))
        after = f"after job {array_job} succeeds (afterok)" if array_job else "now"
        print(f"submitted post-process: job {post_job}, runs {after}")
    print(f"status: {_command('status', [*flags, '--shards', str(args.shards)])}")
    print("if a shard fails, after the array has ended re-submit the shards with missing "
          "images" + (" and the post-process" if request.postprocess else "") + ":")
    print(f"  {_command('slurm', _resubmit_flags(args, flags))}")
    return 0


def _with(request, **changes):
    from dataclasses import replace
    return replace(request, **changes)


def _dry_run(request) -> None:
    """`render --dry-run` with the jobs' Python: it validates what a render validates (anomaly
    kinds, model files imported by Blender, …) and that this Python has bpy at all."""
    command = [request.python, "-m", "allo_addon.headless", "render", *request.render_args,
               "--dry-run"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        filter(None, [str(request.package_root), os.environ.get("PYTHONPATH")]))}
    try:
        done = subprocess.run(command, cwd=request.workdir, env=env, capture_output=True,
                              text=True)
    except OSError as error:
        raise UserError(f"--python {request.python}: cannot run it ({error.strerror or error}); "
                        f"expected the Python with bpy that the compute nodes run") from None
    if done.returncode != 0:
        lines = [ln for ln in done.stderr.splitlines() if ln.strip()]
        errors = [ln for ln in lines if ln.startswith("error: ")]
        why = (errors or lines or [f"exit status {done.returncode}"])[-1]
        raise UserError(f"the dry run with {request.python} failed, nothing was written: "
                        f"{why.removeprefix('error: ')}")
    total = [ln for ln in done.stdout.splitlines() if ln.startswith("total: ")]
    print(f"dry run: {total[-1] if total else 'ok'}")


def _sbatch(command: list[str]) -> str:
    from ..core.runs.slurm_jobs import parse_job_id
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise UserError(f"{shlex.join(command)} failed: "
                        f"{done.stderr.strip() or f'exit status {done.returncode}'}")
    try:
        return parse_job_id(done.stdout)
    except ValueError as error:
        raise UserError(f"{shlex.join(command)}: {error}") from None


def _command(name: str, flags) -> str:
    return shlex.join([sys.executable, "-m", "allo_addon.headless", name, *flags])


def _resubmit_flags(args, flags) -> list[str]:
    """This command's flags again, with --missing instead of --only-shards."""
    out = [*flags, "--shards", str(args.shards)]
    for name in ("parallel", "partition", "gpus_per_task", "cpus_per_task", "time"):
        value = getattr(args, name)
        if value is not None:
            out += [f"--{name.replace('_', '-')}", str(value)]
    out += ["--python", os.path.abspath(args.python)]
    if args.postprocess:
        out += ["--postprocess", str(args.postprocess.absolute())]
    if args.out:
        out += ["--out", str(args.out.absolute())]
    return out + ["--missing", "--submit"]
