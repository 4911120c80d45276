"""Placing an anomaly in front of the camera, checked without rendering.

The original re-rendered the scene at 20 samples up to 11 times per placement to count the
anomaly's pixels. Here each attempt is checked with geometry only:
1. every corner of the anomaly's bounding box is inside the view frustum;
2. its surface does not intersect the station (BVH overlap);
3. it is not inside the station (rays from its centre hit station back faces);
4. enough of it is visible: rays through a reduced grid of pixels over its projected box hit
   the anomaly before the station; hits × (grid step)² estimates its pixel count, which must
   exceed min_pixel. The final mask of the render confirms it.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass

import numpy as np
from mathutils import Vector
from mathutils.bvhtree import BVHTree

from .assembly import mesh_arrays, object_matrix

GRID_RAYS = 3000            # at most this many rays per coverage estimate
INSIDE_DIRECTIONS = [Vector(v) for v in
                     ((1, 0, 0), (-1, 0, 0), (0, 1, 0), (0, -1, 0), (0, 0, 1), (0, 0, -1))]


@dataclass(frozen=True)
class Placement:
    location: tuple[float, float, float]
    rotation: tuple[float, float, float]
    estimated_pixels: int
    attempts: int
    seconds: float = 0.0


@dataclass(frozen=True)
class PlacementFailure:
    attempts: int
    reasons: dict[str, int]     # why attempts were refused, with counts

    def describe(self) -> str:
        why = ", ".join(f"{n}× {reason}" for reason, n in sorted(self.reasons.items()))
        return f"no valid placement in {self.attempts} attempts ({why})"


class CameraRays:
    """Pixel ↔ ray geometry of the scene camera at the render resolution."""

    def __init__(self, scene, camera):
        self.width = scene.render.resolution_x
        self.height = scene.render.resolution_y
        frame = [Vector(v) for v in camera.data.view_frame(scene=scene)]
        # view_frame: top-right, bottom-right, bottom-left, top-left, on the plane z = frame_z
        self.right, self.top = frame[0].x, frame[0].y
        self.left, self.bottom = frame[2].x, frame[2].y
        self.frame_z = frame[0].z
        m = camera.matrix_world
        self.origin = m.translation.copy()
        self.rotation = m.to_3x3().normalized()
        self.world_to_camera = np.array(m.inverted())
        self.clip_start = camera.data.clip_start

    def project(self, points: np.ndarray):
        """Pixel coordinates (x right, y down; float) and depth of world points (N×3)."""
        cam = points @ self.world_to_camera[:3, :3].T + self.world_to_camera[:3, 3]
        depth = -cam[:, 2]
        safe = np.where(depth > 1e-9, depth, 1e-9)
        fx = cam[:, 0] * (-self.frame_z) / safe
        fy = cam[:, 1] * (-self.frame_z) / safe
        px = (fx - self.left) / (self.right - self.left) * self.width
        py = (self.top - fy) / (self.top - self.bottom) * self.height
        return px, py, depth

    def direction(self, px: float, py: float) -> Vector:
        x = self.left + (self.right - self.left) * px / self.width
        y = self.top - (self.top - self.bottom) * py / self.height
        return (self.rotation @ Vector((x, y, self.frame_z))).normalized()


def estimate_visible_pixels(rays: CameraRays, anomaly: BVHTree, station: BVHTree,
                            px: np.ndarray, py: np.ndarray) -> int:
    """Pixels where a ray hits the anomaly before the station, from a reduced pixel grid."""
    x0, x1 = max(0, int(px.min())), min(rays.width, int(math.ceil(px.max())))
    y0, y1 = max(0, int(py.min())), min(rays.height, int(math.ceil(py.max())))
    area = max(0, x1 - x0) * max(0, y1 - y0)
    if area == 0:
        return 0
    step = max(1, int(math.ceil(math.sqrt(area / GRID_RAYS))))
    hits = 0
    origin = rays.origin
    for y in range(y0, y1, step):
        for x in range(x0, x1, step):
            direction = rays.direction(x + step / 2, y + step / 2)
            hit = anomaly.ray_cast(origin, direction)
            if hit[0] is None:
                continue
            if station.ray_cast(origin, direction, hit[3])[0] is None:
                hits += 1
    return hits * step * step


def is_inside(point: Vector, station: BVHTree) -> bool:
    """Most rays from the point hit a surface from behind: the point is enclosed."""
    from_behind = 0
    for direction in INSIDE_DIRECTIONS:
        location, normal, _, _ = station.ray_cast(point, direction)
        if location is not None and normal.dot(direction) > 0:
            from_behind += 1
    return from_behind >= 4


def place_anomaly(stage, config, seed: int, scale: float, min_pixel: int):
    """Try config.placement_attempts poses; set the first valid one on the anomaly.

    Returns a Placement, or a PlacementFailure saying why every attempt was refused.
    """
    import time
    started = time.perf_counter()
    rng = random.Random(seed)
    rays = CameraRays(stage.scene, stage.camera)
    depsgraph = stage.depsgraph()
    identity = object_matrix((0, 0, 0), (0, 0, 0), 1.0)
    local_verts, polygons = mesh_arrays(stage.anomaly, depsgraph, matrix=identity)
    bbox = np.array([[x, y, z] for x in (0, 1) for y in (0, 1) for z in (0, 1)], float)
    lo, hi = local_verts.min(axis=0), local_verts.max(axis=0)
    corners_local = lo + bbox * (hi - lo)
    forward = rays.rotation @ Vector((0, 0, -1))
    right = rays.rotation @ Vector((1, 0, 0))
    up = rays.rotation @ Vector((0, 1, 0))
    reasons = Counter()
    box = config.anomaly_box
    for attempt in range(1, config.placement_attempts + 1):
        rotation = tuple(rng.uniform(0.0, 2 * math.pi) for _ in range(3))
        ox, oy, oz = (rng.uniform(-box, box) for _ in range(3))
        location = (rays.origin + forward * (config.anomaly_distance + oz)
                    + right * ox + up * oy)
        matrix = np.array(object_matrix(location, rotation, scale))
        corners = corners_local @ matrix[:3, :3].T + matrix[:3, 3]
        cx, cy, cdepth = rays.project(corners)
        if (cdepth <= rays.clip_start).any() or (cx < 0).any() or (cx > rays.width).any() \
                or (cy < 0).any() or (cy > rays.height).any():
            reasons["outside the view"] += 1
            continue
        world = local_verts @ matrix[:3, :3].T + matrix[:3, 3]
        anomaly_bvh = BVHTree.FromPolygons(world.tolist(), polygons)
        if anomaly_bvh.overlap(stage.station_bvh):
            reasons["intersects the station"] += 1
            continue
        if is_inside(Vector(location), stage.station_bvh):
            reasons["inside the station"] += 1
            continue
        px, py, _ = rays.project(world)
        pixels = estimate_visible_pixels(rays, anomaly_bvh, stage.station_bvh, px, py)
        if pixels <= min_pixel:
            reasons[f"≤ {min_pixel} visible pixels"] += 1
            continue
        stage.set_anomaly_pose(tuple(location), rotation)
        return Placement(tuple(location), rotation, pixels, attempt,
                         time.perf_counter() - started)
    return PlacementFailure(config.placement_attempts, dict(reasons))
