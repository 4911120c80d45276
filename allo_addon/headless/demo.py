"""`demo`: the README's first command. Renders a small normal and anomalous dataset on the
built-in scene with the demo config, then post-processes it into the Anomalib layout.

The anomalous batch renders the days after the normal batch's (a camera-day is in one split
only: the post-process refuses a leak), with its anomaly-free twins as the normal test images."""

from pathlib import Path

from .arguments import whole

HELP = __doc__
DEMO_CONFIG = Path(__file__).resolve().parent.parent / "data" / "demo_config.yaml"
PATH_KEYS = ("ephemeris_path", "cad_models_path", "anomalies_path", "camera_poses")


def add_arguments(parser):
    parser.add_argument("--config", default=str(DEMO_CONFIG),
                        help="config to render (default: the shipped demo config)")
    parser.add_argument("--seed", type=whole(), default=42, help="experiment seed")


def later_days_config(config_path: Path, config) -> Path:
    """The config again, for the days right after its own; written beside the renders, with
    every path made absolute so it means the same from there."""
    import yaml
    raw = yaml.safe_load(Path(config_path).read_text(encoding="utf-8")) or {}
    span = config.end_day - config.start_day
    raw.update(start_day=config.end_day + config.day_interval,
               end_day=config.end_day + config.day_interval + span,
               output_dir=str(config.output_dir.resolve()))
    for key in PATH_KEYS:
        value = getattr(config, key)
        if isinstance(value, Path):
            raw[key] = str(value.resolve())
    path = config.output_dir.resolve() / "demo_anomalous_config.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def run(args) -> int:
    from ..core.dataset.batch_request import BatchRequest, prepare_batch
    from .blender_session import call_operator, ensure_registered
    bpy = ensure_registered()
    config = prepare_batch(BatchRequest(Path(args.config), 1)).config
    anomalous_config = later_days_config(Path(args.config), config)
    batches = [("normal images, illumination mode", args.config, 1, False, {"illumination"}),
               ("anomalous images and their twins, all four modes", anomalous_config, 2, True,
                {"illumination", "depth", "scale", "colour"})]
    for title, path, exp_num, anomaly, modes in batches:
        print(f"== {title} (exp_{exp_num}) ==", flush=True)
        call_operator(bpy.ops.allo.render_batch, config=str(path), exp_num=exp_num,
                      anomaly=anomaly, modes=modes, seed=args.seed)
    output = config.output_dir.resolve()
    from ..core.dataset.layout import exp_dir
    from ..core.postprocess import PostprocessRequest, postprocess
    for title, exp_num, split, anomaly in (("train split", 1, "train", False),
                                           ("test split", 2, "test", True)):
        print(f"== post-process: {title} ==", flush=True)
        summary = postprocess(PostprocessRequest(
            input=exp_dir(output, exp_num), output=output / split,
            log_file=output / f"{split}.log", seed=args.seed, anomaly=anomaly,
            min_pixel=config.min_pixel))
        for line in summary.lines():
            print(line)
    print(f"demo dataset: renders in {output}/exp_1 (normal, days {config.start_day}-"
          f"{config.end_day}) and exp_2 (anomalous, the next days, with their anomaly-free "
          f"twins); Anomalib layout in {output}/train and {output}/test (the twins are its "
          f"normal test images; report.json, contact_sheet.png in each)")
    return 0
