"""`status`: how far a batch is, per shard, so a cluster user knows which indices to re-run."""

HELP = """Count the images of a batch, per shard: planned (the plan of --config, --exp_num,
--anomaly, --mode, --seed, as `render` makes it), done (recorded in exp_<N>/manifest.jsonl with
all their files), skipped (camera-days render.log says no anomaly placement could show) and
missing. Exit status: 0 when nothing is missing, 1 when images are missing (the line
`incomplete: re-run array indices …` names the shards), 2 on a mistake. Needs no bpy."""

from .arguments import config_flag, whole


def add_batch_arguments(parser) -> None:
    """The flags that name a batch, as `render` takes them."""
    parser.add_argument("--config", default="",
                        help="render_config.yaml (default: built-in defaults)")
    parser.add_argument("--exp_num", type=whole(0), required=True, help="experiment number")
    parser.add_argument("--anomaly", action="store_true", help="the anomalous batch")
    parser.add_argument("--mode", nargs="*", default=[], metavar="MODE",
                        help="variation modes: illumination depth scale colour (or color)")
    config_flag(parser, "seed")


def batch_flags(args) -> list[str]:
    """The batch flags again, as text for a command line (config made absolute)."""
    from pathlib import Path
    from ..core.dataset.plan import normalise_modes
    flags = ["--config", str(Path(args.config).resolve())] if args.config else []
    flags += ["--exp_num", str(args.exp_num)]
    if args.anomaly:
        flags.append("--anomaly")
    modes = sorted(normalise_modes(args.mode))
    if modes:
        flags += ["--mode", *modes]
    if args.seed is not None:
        flags += ["--seed", str(args.seed)]
    return flags


def prepare(args):
    """The whole batch's plan, validated as `render --dry-run` validates it, without bpy."""
    from pathlib import Path
    from ..core.dataset.batch_request import BatchRequest, prepare_batch
    return prepare_batch(BatchRequest(
        config_path=Path(args.config) if args.config else None, exp_num=args.exp_num,
        anomaly=args.anomaly, modes=frozenset(args.mode), seed=args.seed))


def add_arguments(parser) -> None:
    add_batch_arguments(parser)
    parser.add_argument("--shards", type=whole(1), default=1, metavar="K",
                        help="count per shard i/K, as rendered with --shard i/K (default 1)")


def run(args) -> int:
    from ..core.runs.status import batch_status, describe_status
    batch = prepare(args)
    status = batch_status(batch.plan, batch.exp_dir, args.shards)
    kind = "anomalous" if args.anomaly else "normal"
    for line in describe_status(status, f"exp_{args.exp_num}: {kind} batch in {batch.exp_dir}"):
        print(line)
    return 0 if status.complete else 1
