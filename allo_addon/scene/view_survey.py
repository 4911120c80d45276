"""How much of the station a camera pose sees, by ray casts (no render): the gallery uses it to
show views full of hardware, and surface kinds need hull close to the camera."""

from __future__ import annotations

from dataclasses import dataclass

from ..core.dataset import view_search
from ..core.dataset.poses import CameraPose, PoseTable
from ..core.dataset.view_search import SteadyPose
from .placement import SURFACE_GRID, CameraRays, surface_cells

SHARE_GRID = (16, 9)    # rays over the whole frame for the share of view the station fills


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


class StageView:
    """core/dataset/view_search.StationView on the built scene: sets the stage's camera to the pose
    and casts rays at the station."""

    def __init__(self, stage):
        self.stage = stage

    def station_share(self, pose: CameraPose) -> float:
        self.stage.set_camera(pose)
        return station_share(self.stage)


def steady_pose(stage, job, config, seed: int) -> SteadyPose:
    """core/dataset/view_search.steady_pose on this stage; leaves the stage's camera at its pose."""
    view = view_search.steady_pose(job, config, seed, StageView(stage))
    stage.set_camera(view.pose)
    return view


def final_views(batch) -> dict[str, SteadyPose]:
    """job_id -> the pose each job of a prepared batch will render from (the dry run prints
    them). Builds the batch's scene only where the poses need it (min_station_share above 0)."""
    from .assembly import StationScene
    from .render_settings import configure_cycles
    view = None
    if view_search.needs_view(batch.config):
        stage = StationScene(batch.config)
        configure_cycles(stage.scene, batch.config)   # the render's resolution: the rays' frame
        view = StageView(stage)
    return {job.job_id: view_search.steady_pose(job, batch.config, batch.seed, view)
            for job in batch.plan.jobs}
