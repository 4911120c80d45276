"""Render the built-in Earth close up from four sides, sun from the side, as one picture.

    /work/main/.venv/bin/python scripts/preview_earth.py --out docs/builtin_earth.png --denoise

The Earth is the add-on's unit sphere at the origin, unrotated: local +Z north, +X Greenwich.
tests/test_earth_geography.py renders through `earth_scene` and `look_at_point` too.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # when loaded by file path (tests)

import bpy  # noqa: E402
import numpy as np  # noqa: E402
from mathutils import Vector  # noqa: E402
from PIL import Image  # noqa: E402

from allo_addon.scene.builtin.bodies import build_body  # noqa: E402
from preview_builtin import space_scene  # noqa: E402

# (label, latitude, longitude) of the point under each camera
VIEWS = (("Africa and Europe", 15.0, 15.0), ("the Americas", 10.0, -75.0),
         ("the Pacific", 0.0, -165.0), ("Asia and Australia", 5.0, 115.0))


def direction(latitude_deg: float, longitude_deg: float) -> Vector:
    lat, lon = math.radians(latitude_deg), math.radians(longitude_deg)
    return Vector((math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat)))


def earth_scene(width: int, height: int, samples: int):
    """A bare scene: the Earth at the origin, a sun lamp, a camera, black space."""
    scene, camera = space_scene(samples, width, height)
    collection = bpy.data.collections.new("ALLO_builtin")
    scene.collection.children.link(collection)
    build_body("earth", collection)
    sun = bpy.data.objects.new("sun light", bpy.data.lights.new("sun light", "SUN"))
    sun.data.energy, sun.data.angle = 5.0, 0.010472
    scene.collection.objects.link(sun)
    scene.cycles.use_denoising = False
    return scene, camera, sun


def look_at_point(camera, sun, latitude_deg: float, longitude_deg: float, sun_azimuth_deg: float,
                  distance: float = 5.0) -> None:
    """Camera above (latitude, longitude) looking at the centre; the sun lamp shines from the
    camera's direction turned `sun_azimuth_deg` eastwards about the pole."""
    view = direction(latitude_deg, longitude_deg)
    camera.location = view * distance
    camera.rotation_euler = (-view).to_track_quat("-Z", "Y").to_euler()
    # the frame holds the whole disc with a margin
    camera.data.lens = 0.5 * camera.data.sensor_width / math.tan(math.asin(1.0 / distance) * 1.1)
    light = direction(latitude_deg, longitude_deg + sun_azimuth_deg)
    sun.rotation_euler = light.to_track_quat("Z", "Y").to_euler()


def render_pixels(scene) -> np.ndarray:
    """Render and return the image as (height, width, 3) floats, row 0 at the top."""
    with tempfile.TemporaryDirectory() as tmp:
        scene.render.filepath = str(Path(tmp) / "earth.png")
        bpy.ops.render.render(write_still=True)
        return np.asarray(Image.open(scene.render.filepath).convert("RGB"), np.float64) / 255.0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--size", type=int, default=360, help="pixels per view (square)")
    parser.add_argument("--samples", type=int, default=64)
    parser.add_argument("--denoise", action="store_true", help="OpenImageDenoise (smaller PNG)")
    parser.add_argument("--sun-azimuth", type=float, default=-50.0,
                        help="degrees between camera and sun about the pole")
    args = parser.parse_args(argv)
    scene, camera, sun = earth_scene(args.size, args.size, args.samples)
    scene.cycles.use_denoising = args.denoise
    tiles = []
    for label, latitude, longitude in VIEWS:
        look_at_point(camera, sun, latitude, longitude, args.sun_azimuth)
        tiles.append(render_pixels(scene))
        print(f"rendered {label}")
    sheet = np.concatenate([np.concatenate(tiles[:2], axis=1), np.concatenate(tiles[2:], axis=1)])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    picture = Image.fromarray(np.round(sheet * 255).astype(np.uint8))
    # 256 colours keep the picture for the docs under 300 KB with no visible banding
    picture.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        args.out, optimize=True)
    print(f"{args.out}: {args.out.stat().st_size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
