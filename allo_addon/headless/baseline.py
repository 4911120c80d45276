"""`baseline`: a benchmark anyone can reproduce (README: "Baseline"). Renders a small dataset on the
built-in scene, post-processes it for both protocols, trains and tests Anomalib models and a
no-model baseline, and writes baseline.md (table, exact config, seed) and baseline_heatmaps.png.

Needs torch, Anomalib and bpy in this Python (`make baseline` sets up .venv-baseline from
requirements-baseline.txt); they are checked before anything is written. Torch code lives in
allo_addon/baseline_torch, imported only here and never packed into the extension.
"""

import importlib.util
import platform
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from ..core.errors import UserError
from .arguments import whole

HELP = __doc__
REQUIRED = ("torch", "torchvision", "anomalib", "bpy")
INSTALL_HINT = ("run `make baseline` (it sets up .venv-baseline) or "
                "pip install -r requirements-baseline.txt")


def add_arguments(parser):
    from ..core.baseline import plan
    parser.add_argument("--out", type=Path, default=Path("baseline_output"),
                        help="folder for the renders, splits and scores (default "
                             "baseline_output; a re-run resumes the renders)")
    parser.add_argument("--report", type=Path, default=None,
                        help="folder for baseline.md and baseline_heatmaps.png (default: --out)")
    parser.add_argument("--size", default=plan.DEFAULT_SIZE,
                        help=f"one of {', '.join(plan.SIZES)} (default {plan.DEFAULT_SIZE})")
    parser.add_argument("--models", default=",".join(plan.DEFAULT_MODELS),
                        help=f"comma-separated, from {', '.join(plan.MODELS)} "
                             f"(default {','.join(plan.DEFAULT_MODELS)})")
    parser.add_argument("--seed", type=whole(), default=42, help="experiment seed (default 42)")
    parser.add_argument("--pretrained", choices=("auto", "yes", "no"), default="auto",
                        help="ImageNet weights for the backbones: auto (if cached or "
                             "huggingface.co answers within 3 s), yes, or no (default auto)")


def missing_packages(find_spec=importlib.util.find_spec) -> list:
    missing = []
    for name in REQUIRED:
        try:
            found = find_spec(name) is not None
        except (ImportError, ValueError):   # ValueError: sys.modules[name] is None (blocked)
            found = False
        if not found:
            missing.append(name)
    return missing


def check_packages(find_spec=importlib.util.find_spec) -> None:
    missing = missing_packages(find_spec)
    if missing:
        names = (missing[0] if len(missing) == 1
                 else f"{', '.join(missing[:-1])} and {missing[-1]}")
        verb = "is" if len(missing) == 1 else "are"
        raise UserError(f"{names} {verb} not installed in {sys.executable}: "
                        f"{INSTALL_HINT}")


def check_folders(out: Path, report: Path) -> None:
    for flag, folder in (("--out", out), ("--report", report)):
        if folder.exists() and not folder.is_dir():
            raise UserError(f"{flag} {folder} is a file, expected a folder")


def run(args) -> int:
    from ..core.baseline import plan
    size = plan.parse_size(args.size)
    models = plan.parse_models(args.models)
    out = args.out.resolve()
    report_dir = (args.report or args.out).resolve()
    check_folders(out, report_dir)
    check_packages()
    started = time.perf_counter()
    timings = {}
    configs = write_configs(size, out)
    for name in ("normal",) + plan.PROTOCOLS:
        timings[f"render {name}"] = render(configs[name], plan.EXP[name], name != "normal",
                                           args.seed)
    timings["post-process"] = postprocess_both(out, args.seed)
    from ..baseline_torch.evaluate import evaluate_all
    rows, figure, pre_trained = evaluate_all(out, size, models, args.seed, args.pretrained,
                                             timings)
    timings["total"] = time.perf_counter() - started
    from ..core.baseline.document import write_report
    command = (f"python -m allo_addon.headless baseline --size {args.size} --models "
               f"{','.join(models)} --seed {args.seed} --pretrained {args.pretrained}")
    written = write_report(report_dir, rows=rows, figure=figure, size_name=args.size,
                           size=size, models=models, seed=args.seed, pre_trained=pre_trained,
                           configs=configs, timings=timings, command=command,
                           environment=environment())
    print("\n".join(f"wrote {path}" for path in written))
    return 0


def write_configs(size, out: Path) -> dict:
    """The three render configs as YAML files under <out>/configs; returns name -> path."""
    import yaml
    from ..core.atomic_files import write_text
    from ..core.baseline import plan
    paths = {}
    (out / "configs").mkdir(parents=True, exist_ok=True)
    # output_dir is read relative to the config's folder: the configs stay valid if <out> moves
    for name, raw in plan.render_configs(size, "../renders").items():
        path = out / "configs" / f"{name}.yaml"
        write_text(path, yaml.safe_dump(raw, sort_keys=False))
        paths[name] = path
    return paths


def render(config: Path, exp_num: int, anomaly: bool, seed: int) -> float:
    """One batch, by this Python in its own process (bpy and torch never share one)."""
    command = [sys.executable, "-m", "allo_addon.headless", "render", "--config", str(config),
               "--exp_num", str(exp_num), "--mode", "illumination", "--seed", str(seed)]
    if anomaly:
        command.append("--anomaly")
    print(f"== render {config.stem} (exp_{exp_num}) ==", flush=True)
    started = time.perf_counter()
    done = subprocess.run(command)
    if done.returncode != 0:
        raise UserError(f"rendering {config} failed (exit status {done.returncode}, see the "
                        f"lines above); run the same command again to resume")
    return time.perf_counter() - started


def postprocess_both(out: Path, seed: int) -> float:
    """The normal batch is the train split of both protocols; each protocol's anomalous batch
    (with its twins) its test split, in <out>/<protocol>/{train,test}."""
    from ..core.baseline import plan
    from ..core.dataset.layout import exp_dir
    from ..core.postprocess import PostprocessRequest, postprocess
    started = time.perf_counter()
    for protocol in plan.PROTOCOLS:
        for exp_name, split, anomaly in (("normal", "train", False), (protocol, "test", True)):
            print(f"== post-process exp_{plan.EXP[exp_name]} -> {protocol}/{split} ==",
                  flush=True)
            summary = postprocess(PostprocessRequest(
                input=exp_dir(out / "renders", plan.EXP[exp_name]),
                output=out / protocol / split, seed=seed, anomaly=anomaly, workers=1))
            for line in summary.lines():
                print(line)
    return time.perf_counter() - started


def environment() -> dict:
    import importlib.metadata as metadata
    versions = {}
    for name in ("torch", "torchvision", "anomalib", "bpy", "numpy"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "?"
    import os
    return {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "python": platform.python_version(), "machine": platform.machine(),
            "cpus": os.cpu_count(), "versions": versions}
