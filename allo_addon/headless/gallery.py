"""`gallery`: one render of every built-in anomaly kind in place, as a contact sheet."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

HELP = """Render every built-in anomaly kind once, in place next to the built-in station, through
the normal render pipeline (one test camera, one day), and write a contact sheet: each frame with
the anomaly's mask outlined in green, beside an enlarged crop around the anomaly.
Example: gallery --out docs/gallery.png"""


def add_arguments(parser):
    parser.add_argument("--out", default="docs/gallery.png", help="PNG to write")
    parser.add_argument("--resolution", type=int, nargs=2, default=[640, 360], metavar=("W", "H"),
                        help="render size (default 640 360; frames are shown at half size, the "
                             "crops at full detail)")
    parser.add_argument("--samples", type=int, default=16)
    parser.add_argument("--cam", type=int, default=0, help="test camera pose index (default 0)")
    parser.add_argument("--day", type=int, default=10, help="ephemeris day (default 10)")
    parser.add_argument("--distance", type=float, default=2.5,
                        help="metres from the camera to the anomaly (default 2.5, so the small "
                             "kinds still cover pixels at a small resolution)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workdir", default="", help="keep the renders here (default: a temporary folder)")


def gallery_config(args, kinds) -> dict:
    return {"start_day": args.day, "end_day": args.day, "cams": [args.cam],
            "resolution": list(args.resolution), "samples": args.samples, "denoise": True,
            "min_pixel": 20, "anomalies": list(kinds), "anomaly_distance": args.distance,
            "anomaly_box": 0.4, "placement_attempts": 30, "output_dir": "renders"}


def run(args) -> int:
    import yaml

    from ..core.builtin_catalog import ANOMALY_KINDS, SURFACE_KINDS
    from ..core.gallery_sheet import make_gallery
    from .blender_session import call_operator, ensure_registered

    bpy = ensure_registered()
    with tempfile.TemporaryDirectory(prefix="allo_gallery_") as scratch:
        work = Path(args.workdir or scratch).resolve()
        work.mkdir(parents=True, exist_ok=True)
        tiles = []
        # one batch per kind: an anomalous batch draws one kind per camera-day
        for number, kind in enumerate(ANOMALY_KINDS, start=1):
            config = work / f"gallery_{kind}.yaml"
            config.write_text(yaml.safe_dump(gallery_config(args, [kind])), encoding="utf-8")
            call_operator(bpy.ops.allo.render_batch, config=str(config), exp_num=number,
                          anomaly=True, seed=args.seed)
            tiles.append(_tile(work / "renders" / f"exp_{number}", kind, kind in SURFACE_KINDS))
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        make_gallery(tiles, out, (args.resolution[0] // 2, args.resolution[1] // 2))
    print(f"gallery of {len(tiles)} kinds written to {out} ({out.stat().st_size // 1024} KB)")
    return 0


def _tile(exp: Path, kind: str, surface: bool):
    from ..core.gallery_sheet import GalleryTile
    manifest = exp / "manifest.jsonl"
    lines = manifest.read_text(encoding="utf-8").splitlines() if manifest.exists() else []
    if not lines:
        return GalleryTile(kind, None, None, f"{kind}: not placed")
    record = json.loads(lines[0])
    floating = " (floating for now)" if surface else ""
    return GalleryTile(kind, exp / record["image"], exp / record["masks"]["anomaly_mask"],
                       f"{kind}{floating}: {record['anomaly_pixels']} px")
