"""`render`: the original render_binary.py flags, through the allo.render_batch operator."""

HELP = ("Render normal images (default) or anomalous ones (--anomaly) with their masks into "
        "<output_dir>/exp_<N>/, as the original render_binary.py did. Rerunning the same command "
        "resumes an interrupted batch.")


import contextlib
import signal
import sys

from ..core.runs import stop_request
from .arguments import config_flag, whole


def add_arguments(parser):
    parser.add_argument("--config", default="",
                        help="render_config.yaml (default: built-in defaults, built-in scene)")
    parser.add_argument("--exp_num", type=whole(0), required=True,
                        help="experiment number: images go to <output_dir>/exp_<N>")
    parser.add_argument("--anomaly", action="store_true",
                        help="render anomalous images instead of normal ones")
    parser.add_argument("--mode", nargs="*", default=[], metavar="MODE",
                        help="variation modes: illumination depth scale colour (or color)")
    config_flag(parser, "seed")
    parser.add_argument("--shard", default="", metavar="i/N",
                        help="render only every N-th job starting at i (0-based)")
    parser.add_argument("--dry-run", "--dry_run", dest="dry_run", action="store_true",
                        help="validate everything and print the plan without rendering")


def run(args) -> int:
    from ..core.dataset.plan import normalise_modes
    from .blender_session import call_operator, ensure_registered
    modes = set(normalise_modes(args.mode))   # also turns color into colour
    bpy = ensure_registered()
    seed = {} if args.seed is None else {"seed": args.seed}   # not given: the config's seed
    with _stop_on_sigterm():
        call_operator(bpy.ops.allo.render_batch, config=args.config, exp_num=args.exp_num,
                      anomaly=args.anomaly, modes=modes, shard=args.shard, dry_run=args.dry_run,
                      **seed)
    if stop_request.requested():
        print("stopped by SIGTERM before the next image: finished images are kept; run the "
              "same command again to resume", file=sys.stderr)
        return 128 + signal.SIGTERM
    return 0


@contextlib.contextmanager
def _stop_on_sigterm():
    """SIGTERM (a scheduler stopping the job) asks the batch to stop before its next image,
    releasing its claim (core/runs/stop_request.py says why)."""
    stop_request.clear()
    try:
        previous = signal.signal(signal.SIGTERM, lambda signum, frame: stop_request.request())
    except ValueError:   # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
