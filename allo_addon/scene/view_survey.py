"""How much of the station a camera pose sees, by ray casts (no render): the gallery uses it to
show views full of hardware, and surface kinds need hull close to the camera."""

from __future__ import annotations

from dataclasses import dataclass

from ..core.poses import PoseTable
from .placement import SURFACE_GRID, CameraRays, surface_cells


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
