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


# an option's kind -> how argparse reads its flag (min_pixel: text, read in run())
_FLAG_TYPES = {"path": Path, "int": int, "float": float, "shape": _shape}


def add_arguments(parser) -> None:
    """A flag per option of core/postprocess/options.py."""
    from ..core.postprocess.options import OPTIONS
    for option in OPTIONS:
        flag = f"--{option.name}"
        if option.kind == "bool":
            parser.add_argument(flag, action="store_true", help=option.flag_help)
            continue
        extra = {"required": True} if option.required else {"default": option.default}
        if option.kind in _FLAG_TYPES:
            extra["type"] = _FLAG_TYPES[option.kind]
        if option.choices:   # not argparse's choices: postprocess() refuses a name, naming them
            extra["metavar"] = "{" + ",".join(value for value, _, _ in option.choices) + "}"
        if option.metavar:
            extra["metavar"] = option.metavar
        parser.add_argument(flag, help=option.flag_help, **extra)


def run(args) -> int:
    from ..core.postprocess import PostprocessRequest, postprocess
    from ..core.postprocess.min_pixel import MinPixel, parse
    from ..core.postprocess.options import OPTIONS

    # read here, not by argparse: a mistake is then one `error:` line, exit status 2
    threshold = MinPixel() if args.min_pixel is None else parse(args.min_pixel)
    request = {option.name: getattr(args, option.name) for option in OPTIONS}
    request.update(min_pixel=threshold.pixels, min_pixel_at=threshold.at)
    summary = postprocess(PostprocessRequest(**request))
    for line in summary.lines():
        print(line)
    for warning in summary.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"output: {summary.output} (manifest.jsonl, report.json, contact_sheet.png)")
    print(f"log: {summary.log_file}")
    return 0
