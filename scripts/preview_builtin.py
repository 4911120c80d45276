"""Render a few previews of the built-in scene (station, Moon, Earth, Sun, sun lamp).

    /work/main/.venv/bin/python scripts/preview_builtin.py --out /tmp/prev [--poses train:0,test:3]
        [--look capsule=20,-8,5:12,0,0 …] [--lens 25]

--look NAME=X,Y,Z:TX,TY,TZ renders NAME.png from a camera at X,Y,Z looking at TX,TY,TZ (+Z up).

Bodies sit where a typical ephemeris day puts them (Moon ~500 units away, Earth ~2000, Sun
~4000, each with its true apparent size); the sun lamp shines from the Sun's direction.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bpy  # noqa: E402
from mathutils import Euler, Vector  # noqa: E402

from allo_addon.scene import compat  # noqa: E402
from allo_addon.scene.builtin.bodies import build_body  # noqa: E402
from allo_addon.scene.builtin.station import build_station  # noqa: E402

POSES = Path(__file__).resolve().parents[1] / "allo_addon" / "data" / "camera_poses_builtin.csv"
# (distance, angular radius in degrees, direction) of each body on the preview day
BODIES = {"moon": (500.0, 12.0, (0.35, 0.8, -0.5)), "earth": (2000.0, 0.95, (-0.3, 0.9, 0.3)),
          "sun": (4000.0, 0.27, (-0.55, -0.45, 0.7))}


def build_scene(samples: int, width: int, height: int):
    scene, camera = space_scene(samples, width, height)
    collection = bpy.data.collections.new("ALLO_builtin")
    scene.collection.children.link(collection)
    build_station(collection)
    for name, (distance, angular_deg, direction) in BODIES.items():
        body = build_body(name, collection)
        body.location = Vector(direction).normalized() * distance
        body.scale = [distance * math.sin(math.radians(angular_deg))] * 3
        body.rotation_euler = (0.1, 0.0, 2.6 if name == "moon" else 0.4)
    sun = bpy.data.objects.new("sun light", bpy.data.lights.new("sun light", "SUN"))
    sun.data.energy, sun.data.angle = 10.0, 0.010472
    sun.rotation_euler = Vector(BODIES["sun"][2]).to_track_quat("Z", "Y").to_euler()
    scene.collection.objects.link(sun)
    return scene, camera


def space_scene(samples: int, width: int, height: int):
    """An empty scene: black world, a 25 mm camera, Cycles on the CPU, Standard view."""
    bpy.ops.wm.read_factory_settings(use_empty=True)
    scene = bpy.context.scene
    world = bpy.data.worlds.new("space")
    compat.use_nodes(world)
    background = next(n for n in world.node_tree.nodes if n.type == "BACKGROUND")
    background.inputs["Color"].default_value = (0, 0, 0, 1)
    scene.world = world
    camera = bpy.data.objects.new("Camera", bpy.data.cameras.new("Camera"))
    camera.data.lens, camera.data.sensor_width, camera.data.clip_end = 25.0, 36.0, 10000.0
    scene.collection.objects.link(camera)
    scene.camera = camera
    scene.render.engine = "CYCLES"
    scene.cycles.device = "CPU"
    scene.cycles.samples = samples
    scene.render.resolution_x, scene.render.resolution_y = width, height
    scene.view_settings.view_transform = "Standard"
    return scene, camera


def read_poses(path=POSES):
    with open(path, newline="") as f:
        rows = csv.DictReader(line for line in f if not line.startswith("#"))
        return {(r["split"], int(r["index"])): r for r in rows}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--poses", default="train:0,train:5,test:0,test:4",
                        help="comma-separated split:index pairs from the built-in pose table")
    parser.add_argument("--look", action="append", default=[], metavar="NAME=X,Y,Z:TX,TY,TZ",
                        help="an extra view from a point towards a target (repeatable)")
    parser.add_argument("--lens", type=float, default=25.0, help="focal length in mm for --look views")
    parser.add_argument("--samples", type=int, default=32)
    parser.add_argument("--width", type=int, default=480)
    parser.add_argument("--height", type=int, default=270)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    scene, camera = build_scene(args.samples, args.width, args.height)
    print(f"scene built in {time.time() - t0:.2f} s")
    views = []  # (file name, location, rotation, lens)
    poses = read_poses()
    for item in filter(None, args.poses.split(",")):
        split, index = item.split(":")
        row = poses[(split, int(index))]
        views.append((f"{split}_{index}", [float(row[k]) for k in "xyz"],
                      Euler([float(row[k]) for k in ("rx", "ry", "rz")], "XYZ"), 25.0))
    for item in args.look:
        name, _, coords = item.partition("=")
        eye, target = (Vector([float(v) for v in part.split(",")]) for part in coords.split(":"))
        views.append((name, eye, (target - eye).to_track_quat("-Z", "Y").to_euler(), args.lens))
    for name, location, rotation, lens in views:
        camera.location, camera.rotation_euler, camera.data.lens = location, rotation, lens
        scene.render.filepath = str(args.out / f"{name}.png")
        t = time.time()
        bpy.ops.render.render(write_still=True)
        print(f"{scene.render.filepath}: {time.time() - t:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
