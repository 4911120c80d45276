"""How much of the station a camera pose sees, by ray casts (no render): the gallery uses it to
show views full of hardware, and surface kinds need hull close to the camera."""

from __future__ import annotations

from dataclasses import dataclass

from ..core.poses import CameraPose, PoseTable, jittered
from .placement import SURFACE_GRID, CameraRays, surface_cells

SHARE_GRID = (16, 9)    # rays over the whole frame for the share of view the station fills
REDRAWS = 8             # jitter draws tried per camera-day before the table pose is used


@dataclass(frozen=True)
class ViewSurvey:
    index: int
    coverage: float     # share of the ray grid that meets hull facing the camera
    nearness: float     # Σ facing / distance² over those rays: large where a patch looks large
    mean_distance: float  # m, over those rays (0 when none): small for a close-up of one panel

    @property
    def overview(self) -> float:
        """Large for a view full of hardware seen from afar: coverage × distance (≤ 12 m)."""
        return self.coverage * min(self.mean_distance, 12.0)


def survey_poses(stage, table: PoseTable, split: str) -> list[ViewSurvey]:
    """One ViewSurvey per pose of `split`, seen from the table pose (no per-day jitter)."""
    surveys = []
    for index in sorted(table.poses.get(split, {})):
        stage.set_camera(table.pose(split, index))
        cells = surface_cells(CameraRays(stage.scene, stage.camera), stage.station_bvh)
        grid = SURFACE_GRID[0] * SURFACE_GRID[1]
        mean = sum(c.distance for c in cells) / len(cells) if cells else 0.0
        surveys.append(ViewSurvey(index, len(cells) / grid, sum(c.weight for c in cells), mean))
    return surveys


def station_share(stage) -> float:
    """Share of a 16×9 grid of rays through the current camera's frame that meet the station."""
    rays = CameraRays(stage.scene, stage.camera)
    hits = sum(stage.station_bvh.ray_cast(rays.origin, direction)[0] is not None
               for _, _, direction in rays.grid(*SHARE_GRID))
    return hits / (SHARE_GRID[0] * SHARE_GRID[1])


@dataclass(frozen=True)
class SteadyPose:
    pose: CameraPose
    redraws: int | None     # jitter draws after the plan's; None: none kept the station, table pose
    share: float | None     # None: not measured (min_station_share 0)


def steady_pose(stage, job, config, seed: int) -> SteadyPose:
    """The job's jittered pose, or (seeded) another draw when it sees less than
    config.min_station_share of station: the original's 1 m / 0.2 rad jitter can turn a view of
    a compact station to empty sky. Leaves the stage's camera at the returned pose."""
    floor = config.min_station_share
    if floor <= 0:
        stage.set_camera(job.camera)
        return SteadyPose(job.camera, 0, None)   # every view is kept: nothing measured
    for attempt in range(REDRAWS):
        pose = job.camera if attempt == 0 else jittered(
            job.table_pose, seed, job.split, job.day, config.pose_jitter.position,
            config.pose_jitter.rotation, attempt)
        stage.set_camera(pose)
        share = station_share(stage)
        if share >= floor:
            return SteadyPose(pose, attempt, share)
    stage.set_camera(job.table_pose)
    return SteadyPose(job.table_pose, None, station_share(stage))
