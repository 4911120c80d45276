"""Which pose a camera-day renders from, decided without Blender (issue #13 §5).

The plan's jittered pose is kept when it sees at least config.min_station_share of station;
otherwise seeded redraws of the day's jitter are tried (the original's 1 m / 0.2 rad jitter can
turn a view of a compact station to empty sky), and the table pose when none keeps it. Only the
measuring needs the scene: scene/view_survey.py answers StationView by ray casts. The render and
`render --dry-run` both call steady_pose, so the dry run prints the poses the render uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from .poses import CameraPose, jittered

REDRAWS = 8             # jitter draws tried per camera-day before the table pose is used


class StationView(Protocol):
    def station_share(self, pose: CameraPose) -> float:
        """Share of a grid of rays through the frame seen from `pose` that meet the station."""


@dataclass(frozen=True)
class SteadyPose:
    pose: CameraPose
    redraws: int | None     # jitter draws after the plan's; None: none kept the station, table pose
    share: float | None     # None: not measured (min_station_share 0)

    def describe(self) -> str:
        """One line for the dry run: where the camera is and why."""
        where = (f"location ({', '.join(f'{v:.4f}' for v in self.pose.location)}) "
                 f"rotation ({', '.join(f'{v:.4f}' for v in self.pose.rotation)})")
        if self.share is None:
            return f"{where}, the plan's jitter (station share not checked)"
        seen = f"station share {self.share:.3f}"
        if self.redraws is None:
            return f"{where}, the table pose: no jitter draw kept the station ({seen})"
        return f"{where}, jitter redraw {self.redraws} ({seen})"


def needs_view(config) -> bool:
    """Whether steady_pose measures anything (min_station_share above 0): without, the plan's
    jittered pose is final and no scene is needed."""
    return config.min_station_share > 0


def steady_pose(job, config, seed: int, view: StationView | None) -> SteadyPose:
    """The job's pose: the plan's jitter, another seeded draw of it, or the table pose.
    `view` may be None where needs_view(config) is False."""
    floor = config.min_station_share
    if floor <= 0:
        return SteadyPose(job.camera, 0, None)   # every view is kept: nothing measured
    for attempt in range(REDRAWS):
        pose = job.camera if attempt == 0 else jittered(
            job.table_pose, seed, job.split, job.day, config.pose_jitter.position,
            config.pose_jitter.rotation, attempt)
        share = view.station_share(pose)
        if share >= floor:
            return SteadyPose(pose, attempt, share)
    return SteadyPose(job.table_pose, None, view.station_share(job.table_pose))
