"""Generate allo_addon/data/camera_poses_builtin.csv: inspection poses around the built-in station.

    /work/main/.venv/bin/python scripts/make_builtin_poses.py [--train 40] [--test 16] [--seed 7]

Each candidate looks at a point of interest on the station from a sampled direction and distance
and is kept only if it passes the checks the renderer relies on (ray casts against the built
station): the camera is outside the hardware with clearance, the station fills at least a fifth
of the view, and for `test` poses the first surface along the view axis is at least 7 m away and
the rays into the anomaly box (about 4 m ahead, ±1.2 m) are free for 5.5 m.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bpy  # noqa: E402
from mathutils import Euler, Vector  # noqa: E402

from allo_addon.scene.builtin.station import build_station  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "allo_addon" / "data" / "camera_poses_builtin.csv"
HALF_FOV_X = math.atan(36.0 / 2 / 25.0)          # 25 mm lens on a 36 mm sensor
HALF_FOV_Y = math.atan(36.0 * 9 / 16 / 2 / 25.0)  # 16:9
# points of interest: (name, point, preferred outward direction)
TARGETS = [
    ("ppe_bus", (-14.4, 0.0, 1.0), (0.0, -0.3, 1.0)),
    ("ppe_thrusters", (-16.4, 0.0, 0.0), (-1.0, 0.3, 0.3)),
    ("wing_port", (-14.4, 5.5, 0.0), (0.3, 0.2, 1.0)),
    ("wing_stbd", (-14.4, -6.5, 0.0), (0.3, -0.2, -1.0)),
    ("halo_side", (-9.0, -1.5, 0.0), (0.0, -1.0, 0.2)),
    ("halo_bottom_port", (-9.2, 0.0, -2.0), (0.2, -0.4, -1.0)),
    ("airlock", (-9.2, 0.0, 4.0), (0.4, -1.0, 0.3)),
    ("ihab_top", (-1.0, 0.0, 1.5), (0.2, -0.5, 1.0)),
    ("ihab_side", (-1.4, -1.6, -0.5), (0.1, -1.0, -0.6)),
    ("radiator_port", (-1.4, 4.0, 0.4), (0.2, 0.5, 1.0)),
    ("arm", (-1.0, 0.0, 3.5), (0.1, -1.0, 0.5)),
    ("logistics", (5.3, 1.4, 0.0), (0.2, 1.0, -0.2)),
    ("docking_interface", (8.4, 0.0, 0.0), (0.1, -1.0, 0.4)),
    ("capsule_hatch", (10.2, 0.0, 1.7), (0.0, -0.3, 1.0)),
    ("capsule_side", (10.2, -1.7, 0.0), (-0.2, -1.0, 0.1)),
    ("service_module", (13.5, 0.0, -2.0), (0.3, -0.5, -1.0)),
    ("sm_engine", (16.0, 0.0, 0.0), (1.0, 0.3, 0.2)),
    ("sm_wing", (13.0, 4.5, 4.5), (0.5, 0.6, -0.6)),
]


def look_rotation(position: Vector, target: Vector):
    """XYZ Euler of a camera at `position` looking at `target` with world +Z up."""
    euler = (target - position).to_track_quat("-Z", "Y").to_euler("XYZ")
    if abs(euler.y) > math.pi / 2:  # same rotation written with ry ~ 0, like the original table
        wrap = lambda a: (a + math.pi) % (2 * math.pi) - math.pi  # noqa: E731
        euler = Euler((wrap(euler.x + math.pi), wrap(math.pi - euler.y), wrap(euler.z + math.pi)), "XYZ")
    return euler


def view_rays(rotation, nx=16, ny=9):
    m = rotation.to_matrix()
    for i in range(nx):
        for j in range(ny):
            u = math.tan(HALF_FOV_X) * ((i + 0.5) / nx * 2 - 1)
            v = math.tan(HALF_FOV_Y) * ((j + 0.5) / ny * 2 - 1)
            yield (m @ Vector((u, v, -1.0))).normalized()


def first_hit(scene, depsgraph, origin, direction, limit=1e4):
    hit, location, *_ = scene.ray_cast(depsgraph, origin, direction, distance=limit)
    return (location - origin).length if hit else math.inf


def check(scene, depsgraph, split, position, rotation) -> bool:
    # clearance: no surface within 1.5 m in any of 26 directions (also rejects points inside)
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            for dz in (-1, 0, 1):
                if (dx, dy, dz) != (0, 0, 0):
                    if first_hit(scene, depsgraph, position, Vector((dx, dy, dz)).normalized()) < 1.5:
                        return False
    hits = [first_hit(scene, depsgraph, position, d, 60.0) for d in view_rays(rotation)]
    coverage = sum(h < math.inf for h in hits) / len(hits)
    if coverage < 0.2:
        return False
    if split == "train":
        return True
    forward = rotation.to_matrix() @ Vector((0, 0, -1))
    if first_hit(scene, depsgraph, position, forward) < 7.0:
        return False
    box_centre = position + 4.0 * forward
    for dx in (-1.2, 1.2):
        for dy in (-1.2, 1.2):
            for dz in (-1.2, 1.2):
                corner = box_centre + Vector((dx, dy, dz))
                if first_hit(scene, depsgraph, position, (corner - position).normalized()) < 5.5:
                    return False
    return True


def generate(n_train: int, n_test: int, seed: int):
    bpy.ops.wm.read_factory_settings(use_empty=True)
    scene = bpy.context.scene
    build_station(scene.collection)
    depsgraph = bpy.context.evaluated_depsgraph_get()
    rng = random.Random(seed)
    rows = []
    for split, wanted, distances in (("train", n_train, (3.5, 9.0)), ("test", n_test, (8.0, 15.0))):
        count = tries = 0
        while count < wanted:
            tries += 1
            if tries > 20000:
                raise RuntimeError(f"only {count} {split} poses found")
            name, point, outward = TARGETS[tries % len(TARGETS)]  # every target in turn
            direction = (Vector(outward).normalized()
                         + Vector([rng.gauss(0, 0.45) for _ in range(3)])).normalized()
            position = Vector(point) + rng.uniform(*distances) * direction
            target = Vector(point) + Vector([rng.gauss(0, 0.5) for _ in range(3)])
            rotation = look_rotation(position, target)
            if check(scene, depsgraph, split, position, rotation):
                rows.append((split, count, position, rotation, name))
                count += 1
    return rows


def write(rows, path: Path) -> None:
    lines = ["# Camera poses for the built-in station (allo_addon/scene/builtin), Blender units and radians.",
             "# split: train = normal batches, test = anomalous batches (>= 7 m free along the view axis",
             "# for the anomaly placed ~4 m ahead). Rotation is XYZ Euler; generated by",
             "# scripts/make_builtin_poses.py.",
             "split,index,x,y,z,rx,ry,rz"]
    for split, index, p, r, _ in rows:
        lines.append(f"{split},{index},{p.x:.3f},{p.y:.3f},{p.z:.3f},{r.x:.4f},{r.y:.4f},{r.z:.4f}")
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n")
    tmp.replace(path)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=int, default=40)
    parser.add_argument("--test", type=int, default=16)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    rows = generate(args.train, args.test, args.seed)
    write(rows, args.out)
    for split, index, _, _, name in rows:
        print(split, index, name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
