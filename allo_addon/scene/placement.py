"""Placing an anomaly in front of the camera, checked without rendering: the ray casts and
overlaps that core/dataset/placement_search.py's attempt loop asks about (Placement and
PlacementFailure live there; `from .placement import` them as before).

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
import time
from dataclasses import dataclass, replace

import numpy as np
from mathutils import Quaternion, Vector
from mathutils.bvhtree import BVHTree

from ..core.dataset.placement_search import (MIN_FACING, Placement, PlacementFailure,  # noqa: F401
                                              search_free_space, search_hull)
from .assembly import mesh_arrays, object_matrix

GRID_RAYS = 3000            # at most this many rays per coverage estimate
SURFACE_GRID = (32, 18)     # rays per camera-day looking for hull to put a surface kind on
HULL_STEP = 0.08            # m: the hull under a surface patch may leave its tangent plane this much
HULL_GAP = 0.001            # m between the hull and a surface patch's underside
INSIDE_DIRECTIONS = [Vector(v) for v in
                     ((1, 0, 0), (-1, 0, 0), (0, 1, 0), (0, -1, 0), (0, 0, 1), (0, 0, -1))]


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

    def grid(self, nx: int, ny: int):
        """(px, py, direction) at the centres of an nx × ny grid of cells over the frame."""
        for j in range(ny):
            for i in range(nx):
                px, py = (i + 0.5) / nx * self.width, (j + 0.5) / ny * self.height
                yield px, py, self.direction(px, py)


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


class AnomalyShape:
    """The anomaly's mesh in its own frame, for placing copies of it without touching Blender."""

    def __init__(self, stage):
        identity = object_matrix((0, 0, 0), (0, 0, 0), 1.0)
        self.verts, self.polygons = mesh_arrays(stage.anomaly, stage.depsgraph(), matrix=identity)
        lo, hi = self.verts.min(axis=0), self.verts.max(axis=0)
        unit = np.array([[x, y, z] for x in (0, 1) for y in (0, 1) for z in (0, 1)], float)
        self.corners = lo + unit * (hi - lo)
        self.bottom = lo[2]   # surface kinds: the underside, below the origin

    def posed(self, matrix: np.ndarray, points: np.ndarray) -> np.ndarray:
        return points @ matrix[:3, :3].T + matrix[:3, 3]

    @staticmethod
    def unposed(matrix: np.ndarray, points: np.ndarray) -> np.ndarray:
        """World points back into the anomaly's own frame."""
        inverse = np.linalg.inv(matrix)
        return points @ inverse[:3, :3].T + inverse[:3, 3]


def in_view(rays: CameraRays, corners: np.ndarray) -> bool:
    x, y, depth = rays.project(corners)
    return bool((depth > rays.clip_start).all() and (x >= 0).all() and (x <= rays.width).all()
                and (y >= 0).all() and (y <= rays.height).all())


def place_anomaly(stage, config, seed: int, scale: float, min_pixel: int):
    """Try config.placement_attempts poses (core/dataset/placement_search.search_free_space); set the
    first valid one on the anomaly. Returns a Placement, or a PlacementFailure saying why every
    attempt was refused."""
    started = time.perf_counter()
    found = search_free_space(FreeSpaceRays(stage, config, scale), seed,
                              config.placement_attempts, config.anomaly_box, min_pixel)
    return _timed(found, started)


def place_on_surface(stage, config, seed: int, scale: float, min_pixel: int):
    """Surface kinds (frost, impact holes): on a station point the camera sees, local +Z along
    the surface normal, a random roll about it, the patch bent onto the hull 1 mm above it
    (core/dataset/placement_search.search_hull)."""
    started = time.perf_counter()
    found = search_hull(HullRays(stage, scale), seed, config.placement_attempts, min_pixel)
    return _timed(found, started)


def _timed(found, started: float):
    if isinstance(found, Placement):
        return replace(found, seconds=time.perf_counter() - started)
    return found


class _Candidate:
    """One pose of the anomaly being checked: its matrix, then what the checks computed."""

    def __init__(self, location, rotation, matrix: np.ndarray):
        self.location, self.rotation, self.matrix = location, rotation, matrix
        self.world = None       # posed (surface kinds: conformed) vertices
        self.bvh = None
        self.surface = None     # surface kinds: the HullPoint it sits on


class _Rays:
    """What both kinds ask of the scene: the camera's rays, the anomaly's shape, the station."""

    def __init__(self, stage, scale: float):
        self.stage, self.scale = stage, scale
        self.rays = CameraRays(stage.scene, stage.camera)
        self.shape = AnomalyShape(stage)

    def in_view(self, candidate) -> bool:
        return in_view(self.rays, self.shape.posed(candidate.matrix, self.shape.corners))

    def _bvh(self, candidate) -> BVHTree:
        if candidate.world is None:
            candidate.world = self.shape.posed(candidate.matrix, self.shape.verts)
        if candidate.bvh is None:
            candidate.bvh = BVHTree.FromPolygons(candidate.world.tolist(), self.shape.polygons)
        return candidate.bvh

    def visible_pixels(self, candidate) -> int:
        bvh = self._bvh(candidate)
        px, py, _ = self.rays.project(candidate.world)
        return estimate_visible_pixels(self.rays, bvh, self.stage.station_bvh, px, py)

    def accept(self, candidate):
        location, rotation = tuple(candidate.location), tuple(candidate.rotation)
        self.stage.set_anomaly_pose(location, rotation)
        return location, rotation


class FreeSpaceRays(_Rays):
    """core/dataset/placement_search.FreeSpace by ray casts and BVH overlaps."""

    def __init__(self, stage, config, scale: float):
        super().__init__(stage, scale)
        self.distance = config.anomaly_distance
        rotation = self.rays.rotation
        self.forward = rotation @ Vector((0, 0, -1))
        self.right = rotation @ Vector((1, 0, 0))
        self.up = rotation @ Vector((0, 1, 0))

    def pose(self, rotation, offset):
        ox, oy, oz = offset
        location = (self.rays.origin + self.forward * (self.distance + oz)
                    + self.right * ox + self.up * oy)
        return _Candidate(location, rotation,
                          np.array(object_matrix(location, rotation, self.scale)))

    def intersects_station(self, candidate) -> bool:
        return bool(self._bvh(candidate).overlap(self.stage.station_bvh))

    def inside_station(self, candidate) -> bool:
        return is_inside(Vector(candidate.location), self.stage.station_bvh)


@dataclass(frozen=True)
class HullPoint:
    hit: Vector
    normal: Vector      # turned to face the camera
    facing: float       # cos between the view ray and the normal


class HullRays(_Rays):
    """core/dataset/placement_search.Hull by ray casts: SURFACE_GRID cells, hull points, bent patches."""

    def __init__(self, stage, scale: float):
        super().__init__(stage, scale)
        self.cell_w = self.rays.width / SURFACE_GRID[0]
        self.cell_h = self.rays.height / SURFACE_GRID[1]

    def cells(self):
        return surface_cells(self.rays, self.stage.station_bvh)

    def surface(self, cell, dx, dy):
        direction = self.rays.direction(cell.px + dx * self.cell_w, cell.py + dy * self.cell_h)
        hit, normal, _, _ = self.stage.station_bvh.ray_cast(self.rays.origin, direction)
        if hit is None:
            return None
        if normal.dot(direction) > 0:
            normal = -normal   # a face seen from behind: sit on the side facing the camera
        return HullPoint(hit, normal, -normal.dot(direction))

    def pose(self, surface, roll):
        normal = surface.normal
        rotation = (Quaternion(normal, roll) @ normal.to_track_quat("Z", "Y")).to_euler("XYZ")
        location = surface.hit + normal * (-self.shape.bottom * self.scale + HULL_GAP)
        candidate = _Candidate(location, rotation,
                               np.array(object_matrix(location, rotation, self.scale)))
        candidate.surface = surface
        return candidate

    def conform(self, candidate) -> bool:
        surface = candidate.surface
        candidate.world = conform_to_hull(self.shape.posed(candidate.matrix, self.shape.verts),
                                          surface.hit, surface.normal, self.stage.station_bvh)
        return candidate.world is not None

    def accept(self, candidate):
        self.stage.reshape_anomaly(self.shape.unposed(candidate.matrix, candidate.world))
        return super().accept(candidate)


@dataclass(frozen=True)
class SurfaceCell:
    px: float           # pixel centre of one cell of the ray grid
    py: float
    weight: float       # facing / distance²: how large a patch there would look
    distance: float     # m from the camera to the hull there


def surface_cells(rays: CameraRays, station: BVHTree) -> list[SurfaceCell]:
    """Cells of a coarse ray grid (inside a 5 % margin) whose ray meets the hull facing the camera."""
    cells = []
    for px, py, direction in rays.grid(*SURFACE_GRID):
        if not (0.05 * rays.width < px < 0.95 * rays.width
                and 0.05 * rays.height < py < 0.95 * rays.height):
            continue
        hit, normal, _, distance = station.ray_cast(rays.origin, direction)
        if hit is None:
            continue
        facing = abs(normal.dot(direction))
        if facing >= MIN_FACING:
            cells.append(SurfaceCell(px, py, facing / max(distance, 0.1) ** 2, distance))
    return cells


def conform_to_hull(world: np.ndarray, centre: Vector, normal: Vector, station: BVHTree):
    """Move every vertex along the patch normal so it keeps its height above the hull, not
    above the tangent plane at the centre: a flat patch bends around a module's barrel.

    Returns None where the hull under a vertex is missing, or steps by more than HULL_STEP
    from that plane (an edge, a handrail, a gap between parts): the patch would hang in space.
    """
    n = np.array(normal)
    heights = (world - np.array(centre)) @ n
    feet = world - np.outer(heights, n)
    moved = np.empty_like(world)
    down = -normal
    for k, foot in enumerate(feet):
        start = Vector(foot) + normal * HULL_STEP
        hit, hit_normal, _, distance = station.ray_cast(start, down, 2 * HULL_STEP)
        if hit is None or hit_normal.dot(normal) < MIN_FACING:
            return None
        moved[k] = foot + n * ((HULL_STEP - distance) + heights[k])
    return moved
