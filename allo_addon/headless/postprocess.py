"""`python -m allo_addon.headless postprocess`: the original preprocess.py flags, plus ours.

Runs in any Python with numpy, Pillow and PyYAML; bpy is never imported.
"""

import argparse
import sys
from pathlib import Path

HELP = """Verify an exp_<N> render tree and write it in the Anomalib layout: <output>/Camera<K>/
images, masks (3-class: 0 space, 1 station and bodies, 2 anomaly) and, for --anomaly,
ground_truth (0/255). --output is the split folder itself (e.g. renders/train or renders/test).
Rejected files are logged with their reason; report.json, manifest.jsonl and contact_sheet.png
go to the output folder. --layout mvtec writes the MVTec AD tree instead (--output is then its root)."""


def _shape(text: str) -> tuple[int, int]:
    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not WIDTHxHEIGHT, e.g. 1920x1080")
    return width, height


def add_arguments(parser) -> None:
    parser.add_argument("--input", required=True, type=Path,
                        help="the exp_<N> folder written by the renderer")
    parser.add_argument("--output", required=True, type=Path,
                        help="the split folder to write, e.g. renders/train or renders/test")
    parser.add_argument("--log_file", type=Path, default=None,
                        help="log of rejected files (its folder must exist; "
                             "default <output>/postprocess.log)")
    parser.add_argument("--seed", type=int, default=42,
                        help="seed for choosing held-out normal test images (default 42)")
    parser.add_argument("--anomaly", action="store_true",
                        help="the input is an anomalous batch (default: normal)")
    parser.add_argument("--min_pixel", default=None, metavar="N[@WxH]",
                        help="an anomaly must cover more than N pixels of the image; N@WxH: N "
                             "pixels at WxH, scaled by area to the images' resolution (e.g. "
                             "2000@1920x1080). Default: the min_pixel the render used (from "
                             "its manifest.jsonl), else 2000@1920x1080")
    parser.add_argument("--shape", type=_shape, default=(1920, 1080),
                        help="expected WIDTHxHEIGHT of images without a manifest.jsonl record "
                             "(default 1920x1080)")
    parser.add_argument("--normal_test_ratio", type=float, default=0.0,
                        help="share of each camera's days held out (whole camera-days, not "
                             "in train) as normal test images under "
                             "<test_output>/Camera<K>/normal/ (default 0)")
    parser.add_argument("--test_output", type=Path, default=None,
                        help="split folder for held-out normal images (default: 'test' beside "
                             "--output)")
    parser.add_argument("--workers", type=int, default=0,
                        help="processes to use (default 0: one per core)")
    parser.add_argument("--layout", default="anomalib", metavar="{anomalib,mvtec}",
                        help="anomalib (default): --output is a split folder of Camera<K>/"
                             "images|masks|ground_truth; mvtec: --output is the MVTec AD root, "
                             "<output>/<category>/train/good, test/good, test/<anomaly kind>, "
                             "ground_truth/<anomaly kind>/<name>_mask.png, one category per "
                             "camera (3-class masks under <output>/masks/)")
    parser.add_argument("--category", default=None,
                        help="with --layout mvtec: all cameras as this one category (file "
                             "names prefixed with Camera<K>_)")


def run(args) -> int:
    from ..core.postprocess import PostprocessRequest, postprocess
    from ..core.postprocess.min_pixel import MinPixel, parse

    # read here, not by argparse: a mistake is then one `error:` line, exit status 2
    threshold = MinPixel() if args.min_pixel is None else parse(args.min_pixel)
    summary = postprocess(PostprocessRequest(
        input=args.input, output=args.output, log_file=args.log_file, seed=args.seed,
        anomaly=args.anomaly, min_pixel=threshold.pixels, min_pixel_at=threshold.at,
        shape=args.shape,
        normal_test_ratio=args.normal_test_ratio, test_output=args.test_output,
        workers=args.workers, layout=args.layout, category=args.category))
    for line in summary.lines():
        print(line)
    for warning in summary.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"output: {summary.output} (manifest.jsonl, report.json, contact_sheet.png)")
    print(f"log: {summary.log_file}")
    return 0
