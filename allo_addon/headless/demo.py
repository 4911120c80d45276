"""`demo`: the README's first command. Renders a small normal and anomalous dataset on the
built-in scene with the demo config, then post-processes it into the Anomalib layout."""

from pathlib import Path

HELP = __doc__
DEMO_CONFIG = Path(__file__).resolve().parent.parent / "data" / "demo_config.yaml"


def add_arguments(parser):
    parser.add_argument("--config", default=str(DEMO_CONFIG),
                        help="config to render (default: the shipped demo config)")
    parser.add_argument("--seed", type=int, default=42, help="experiment seed")


def run(args) -> int:
    from ..core.batch import BatchRequest, prepare_batch
    from .blender_session import call_operator, ensure_registered
    bpy = ensure_registered()
    batches = [("normal images, illumination mode", 1, False, {"illumination"}),
               ("anomalous images, all four modes", 2, True,
                {"illumination", "depth", "scale", "colour"})]
    for title, exp_num, anomaly, modes in batches:
        print(f"== {title} (exp_{exp_num}) ==", flush=True)
        call_operator(bpy.ops.allo.render_batch, config=args.config, exp_num=exp_num,
                      anomaly=anomaly, modes=modes, seed=args.seed)
    output = prepare_batch(BatchRequest(Path(args.config), 1)).config.output_dir.resolve()
    print(f"demo dataset: {output}")
    return 0
