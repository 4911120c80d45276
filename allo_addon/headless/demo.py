"""`demo`: the README's first command. Renders a small normal and anomalous dataset on the
built-in scene with the demo config, then post-processes it into the Anomalib layout."""

from pathlib import Path

from .arguments import whole

HELP = __doc__
DEMO_CONFIG = Path(__file__).resolve().parent.parent / "data" / "demo_config.yaml"


def add_arguments(parser):
    parser.add_argument("--config", default=str(DEMO_CONFIG),
                        help="config to render (default: the shipped demo config)")
    parser.add_argument("--seed", type=whole(), default=42, help="experiment seed")


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
    config = prepare_batch(BatchRequest(Path(args.config), 1)).config
    output = config.output_dir.resolve()
    from ..core.postprocess import PostprocessRequest, postprocess
    for title, exp_num, split, anomaly in (("train split", 1, "train", False),
                                           ("test split", 2, "test", True)):
        print(f"== post-process: {title} ==", flush=True)
        summary = postprocess(PostprocessRequest(
            input=output / f"exp_{exp_num}", output=output / split,
            log_file=output / f"{split}.log", seed=args.seed, anomaly=anomaly,
            min_pixel=config.min_pixel, normal_test_ratio=0.0 if anomaly else 0.25,
            test_output=output / "test"))
        for line in summary.lines():
            print(line)
    print(f"demo dataset: renders in {output}/exp_1 (normal) and exp_2 (anomalous); "
          f"Anomalib layout in {output}/train and {output}/test "
          f"(report.json, contact_sheet.png in each)")
    return 0
