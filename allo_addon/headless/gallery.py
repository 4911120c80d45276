"""`gallery`: the built-in station under different suns, and every built-in anomaly kind in place,
as one contact sheet."""

from __future__ import annotations

import tempfile
from pathlib import Path

from ..core.dataset.config import RESOLUTION_MAX, SAMPLES_MAX
from .arguments import positive_number, whole

HELP = """Render the built-in scene through the normal render pipeline and write a contact sheet:
first the station from the train poses that see the most hardware, on days whose suns differ
most; then every built-in anomaly kind once, in place (floating kinds in front of the station,
surface kinds on the hull), with its mask outlined in green beside an enlarged crop.
Views are chosen by ray casts against the station, not by hand.
Example: gallery --out docs/gallery.png"""

STATION_VIEWS = 3           # train poses in the station section
SUN_DAYS = 2                # days (sun geometries) per station view
KIND_ATTEMPTS = 3           # test poses tried per kind before it is shown as "not placed"


def add_arguments(parser):
    parser.add_argument("--out", default="docs/gallery.png", help="PNG to write")
    parser.add_argument("--resolution", nargs=2, default=[640, 360], metavar=("W", "H"),
                        type=whole(8, RESOLUTION_MAX, "Blender's largest image side"),
                        help="render size (default 640 360; anomaly frames are shown at half "
                             "size, their crops at full detail)")
    parser.add_argument("--samples", type=whole(1, SAMPLES_MAX, "Cycles' largest sample count"),
                        default=16)
    parser.add_argument("--day", type=whole(0), default=10,
                        help="ephemeris day of the anomaly renders and the first station day (default 10)")
    parser.add_argument("--cam", type=whole(0), default=None,
                        help="test camera for every anomaly kind (default: chosen per kind by "
                             "how much station it sees)")
    parser.add_argument("--distance", type=positive_number, default=3.0,
                        help="metres from the camera to a floating anomaly (default 3, so the "
                             "small kinds still cover pixels at a small resolution)")
    parser.add_argument("--kinds", nargs="+", metavar="KIND", default=None,
                        help="only these anomaly kinds (default: every built-in kind)")
    parser.add_argument("--seed", type=whole(), default=42)
    parser.add_argument("--workdir", default="", help="keep the renders here (default: a temporary folder)")


def base_config(args) -> dict:
    return {"resolution": list(args.resolution), "samples": args.samples, "denoise": True,
            "pose_jitter": {"position": 0.0, "rotation": 0.0},   # the surveyed views exactly
            "seed": args.seed, "output_dir": "renders"}


def station_config(args, cams, days) -> dict:
    first, last = min(days), max(days)
    return {**base_config(args), "start_day": first, "end_day": last,
            "day_interval": max(1, last - first), "cams": list(cams)}


def kind_config(args, kind, cam) -> dict:
    return {**base_config(args), "start_day": args.day, "end_day": args.day, "cams": [cam],
            "min_pixel": 20, "anomalies": [kind], "anomaly_distance": args.distance,
            "anomaly_box": 0.4, "placement_attempts": 30,
            "references": False}   # a tile shows the anomaly: its twin would be rendered for nothing


def run(args) -> int:
    from ..core.assets.catalog import ANOMALY_KINDS, SURFACE_KINDS
    from ..core.dataset.batch_request import DEFAULT_EPHEMERIS
    from ..core.ephemeris.reader import load_ephemeris
    from ..core.views.gallery_choice import best, contrasting_sun_days
    from ..core.views.gallery_sheet import make_gallery
    from .blender_session import ensure_registered

    kinds = _kinds(args.kinds, ANOMALY_KINDS)
    ephemeris = load_ephemeris(DEFAULT_EPHEMERIS)
    ephemeris.day(args.day)   # a clear error for a day the ephemeris does not have
    config = _check_before_rendering(args, kinds)
    ensure_registered()   # the scene modules and the console for the batch's lines
    train, test = _survey(config)
    views = best({s.index: s.overview for s in train}, STATION_VIEWS)
    days = contrasting_sun_days(ephemeris, SUN_DAYS, args.day)
    floating = best({s.index: s.coverage for s in test}, 4)
    near_hull = best({s.index: s.nearness for s in test}, 4)
    with tempfile.TemporaryDirectory(prefix="allo_gallery_") as scratch:
        work = Path(args.workdir or scratch).resolve()
        work.mkdir(parents=True, exist_ok=True)
        print(f"station: train cameras {views} on days {days}", flush=True)
        station_tiles = _station_tiles(work, station_config(args, views, days), ephemeris)
        tiles = []
        for number, kind in enumerate(kinds):
            ranked = near_hull if kind in SURFACE_KINDS else floating
            cams = [args.cam] if args.cam is not None else \
                [ranked[(number + k) % len(ranked)] for k in range(min(KIND_ATTEMPTS, len(ranked)))]
            tiles.append(_kind_tile(work, args, kind, cams, exp_num=10 + number))
            print(f"{tiles[-1].caption}", flush=True)
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        make_gallery(tiles, out, (args.resolution[0] // 2, args.resolution[1] // 2), views=station_tiles)
    print(f"gallery of {len(station_tiles)} station views and {len(tiles)} kinds written to {out} "
          f"({out.stat().st_size // 1024} KB)")
    return 0


def _check_before_rendering(args, kinds):
    """Every mistake in the flags found before the first render (which writes the work folder):
    the configs the renders will use, the test camera, the output and work folders."""
    from ..core.dataset.batch_request import check_output_folder
    from ..core.dataset.config import config_from_dict
    from ..core.dataset.poses import load_pose_table
    config = config_from_dict(base_config(args))
    config_from_dict(kind_config(args, kinds[0], args.cam or 0))
    if args.cam is not None:
        load_pose_table(config.pose_table).pose("test", args.cam)
    check_output_folder(Path(args.out).resolve().parent)
    if args.workdir:
        check_output_folder(Path(args.workdir).resolve())
    return config


def _kinds(asked, known):
    from ..core.errors import UserError
    if asked is None:
        return list(known)
    unknown = [k for k in asked if k not in known]
    if unknown:
        raise UserError(f"--kinds: unknown anomaly kind {', '.join(map(repr, unknown))}; "
                        f"the built-in kinds are {', '.join(known)}")
    return list(dict.fromkeys(asked))


def _survey(config):
    from ..core.dataset.poses import load_pose_table
    from ..scene.assembly import StationScene
    from ..scene.render_settings import configure_cycles
    from ..scene.view_survey import survey_poses
    stage = StationScene(config)
    configure_cycles(stage.scene, config)
    table = load_pose_table(config.pose_table)
    return survey_poses(stage, table, "train"), survey_poses(stage, table, "test")


def _render(work: Path, exp_num: int, config: dict, anomaly: bool) -> Path:
    """One batch through the API (the operator's own code path), its config as the mapping it
    is: relative paths in it are read from the work folder."""
    from .. import api
    result = api.render_batch(api.RenderRequest(
        config=config, base_dir=work, exp_num=exp_num, anomaly=anomaly, seed=config["seed"]))
    return result.exp_dir


def _station_tiles(work, config, ephemeris):
    from ..core.dataset.manifest import read_records
    from ..core.views.gallery_choice import sun_direction
    from ..core.views.gallery_sheet import GalleryTile
    exp = _render(work, 1, config, anomaly=False)
    tiles = []
    for record in read_records(exp):
        x, y, z = sun_direction(ephemeris, record["day"])
        tiles.append(GalleryTile("station", exp / record["image"], None,
                                 f"train {record['camera']}, day {record['day']}: "
                                 f"sun from ({x:+.2f}, {y:+.2f}, {z:+.2f})"))
    return tiles


def _kind_tile(work, args, kind, cams, exp_num):
    from ..core.assets.catalog import SURFACE_KINDS
    from ..core.dataset.layout import ANOMALY_MASK
    from ..core.dataset.manifest import read_records
    from ..core.views.gallery_sheet import GalleryTile
    where = "on the hull" if kind in SURFACE_KINDS else "in front of the station"
    for attempt, cam in enumerate(cams):
        exp = _render(work, exp_num * 10 + attempt, kind_config(args, kind, cam), anomaly=True)
        records = read_records(exp)
        if records:
            record = records[0]
            return GalleryTile(kind, exp / record["image"], exp / record["masks"][ANOMALY_MASK],
                               f"{kind} {where}, test {record['camera']}: {record['anomaly_pixels']} px")
    return GalleryTile(kind, None, None, f"{kind}: not placed from test cameras {cams}")
