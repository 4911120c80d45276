"""Which pose a camera-day renders from, decided without Blender (core/dataset/view_search.py, #13 §5).

The StationView here answers shares from a table (pure logic standing in for the scene's ray
casts); the real ray casts run in test_render_batch / test_twins with real Blender.
"""

import json
import re

import numpy as np
import pytest
from conftest import run_cli

from allo_addon.core.dataset.config import config_from_dict
from allo_addon.core.dataset.plan import RenderJob
from allo_addon.core.dataset.poses import CameraPose, jittered
from allo_addon.core.dataset.view_search import REDRAWS, SteadyPose, needs_view, steady_pose

TABLE = CameraPose(3, (10.0, 0.0, 0.0), (1.5, 0.0, 1.5))


def job(config, seed=42, day=5):
    pose = jittered(TABLE, seed, "train", day, config.pose_jitter.position,
                    config.pose_jitter.rotation)
    return RenderJob("normal", day, pose, TABLE, ())


class Shares:
    """Share of station per pose, by which draw the pose is; records the poses asked."""

    def __init__(self, config, job, shares, table_share=0.5, seed=42):
        self.by_pose = {TABLE: table_share}
        for attempt, share in enumerate(shares):
            pose = job.camera if attempt == 0 else jittered(
                TABLE, seed, "train", job.day, config.pose_jitter.position,
                config.pose_jitter.rotation, attempt)
            self.by_pose[pose] = share
        self.asked = []

    def station_share(self, pose):
        self.asked.append(pose)
        return self.by_pose[pose]


def test_the_plans_pose_is_kept_when_it_sees_enough_station():
    config = config_from_dict({"pose_jitter": {"min_station_share": 0.2}})
    j = job(config)
    view = Shares(config, j, [0.2])
    assert steady_pose(j, config, 42, view) == SteadyPose(j.camera, 0, 0.2)
    assert view.asked == [j.camera]


def test_a_lost_view_is_redrawn_from_the_seed():
    config = config_from_dict({"pose_jitter": {"min_station_share": 0.2}})
    j = job(config)
    view = Shares(config, j, [0.0, 0.1, 0.3])
    chosen = steady_pose(j, config, 42, view)
    assert chosen.redraws == 2 and chosen.share == 0.3
    assert chosen.pose == jittered(TABLE, 42, "train", 5, config.pose_jitter.position,
                                   config.pose_jitter.rotation, 2)
    assert chosen.pose not in (j.camera, TABLE) and len(view.asked) == 3


def test_the_table_pose_when_no_draw_keeps_the_station():
    config = config_from_dict({"pose_jitter": {"min_station_share": 0.2}})
    j = job(config)
    view = Shares(config, j, [0.0] * REDRAWS, table_share=0.15)
    chosen = steady_pose(j, config, 42, view)
    assert chosen == SteadyPose(TABLE, None, 0.15)   # kept, with its share measured
    assert len(view.asked) == REDRAWS + 1 and view.asked[-1] == TABLE
    assert "the table pose: no jitter draw kept the station (station share 0.150)" \
        in chosen.describe()


def test_share_zero_measures_nothing_and_needs_no_scene():
    config = config_from_dict({"pose_jitter": {"min_station_share": 0}})
    j = job(config)
    assert not needs_view(config)
    chosen = steady_pose(j, config, 42, None)
    assert chosen == SteadyPose(j.camera, 0, None)
    assert "the plan's jitter (station share not checked)" in chosen.describe()
    assert needs_view(config_from_dict({}))   # auto: 0.1


@pytest.mark.blender
def test_dry_run_prints_the_poses_the_render_uses(write_config):
    """Train cameras 0, 2 and 3 on day 1 at min_station_share 0.5: the table pose, the 4th and
    the 1st redraw (measured). The dry run, before and after the render, names those poses."""
    config = write_config(start_day=1, end_day=1, cams=[0, 2, 3], resolution=[64, 36],
                          pose_jitter={"position": 1.0, "rotation": 0.2,
                                       "min_station_share": 0.5})
    before = run_cli("render", "--config", config, "--exp_num", 4, "--dry-run")
    assert before.returncode == 0, before.stderr
    exp = config.parent / "renders" / "exp_4"
    assert not exp.exists()     # the dry run built the scene and wrote nothing
    rendered = run_cli("render", "--config", config, "--exp_num", 4)
    assert rendered.returncode == 0, rendered.stderr
    after = run_cli("render", "--config", config, "--exp_num", 4, "--dry-run")
    assert after.stdout.count("(done)") == 3
    poses = {json.loads(line)["camera"]: json.loads(line)["camera_pose"]
             for line in (exp / "manifest.jsonl").read_text().splitlines()}
    printed = _printed_poses(before.stdout)
    assert printed == _printed_poses(after.stdout) and sorted(printed) == sorted(poses)
    for camera, (location, rotation, redraws) in printed.items():
        pose = poses[camera]
        # printed with 4 decimals: within half a unit of the last one
        assert np.allclose(location, pose["location"], atol=5.1e-5), camera
        assert np.allclose(rotation, pose["rotation_euler_xyz"], atol=5.1e-5), camera
        assert redraws == pose["jitter_redraws"], camera
    assert sorted(p["jitter_redraws"] for p in poses.values() if p["jitter_redraws"]) == [1, 4]
    assert any(p["jitter_redraws"] is None for p in poses.values())


def _printed_poses(stdout: str) -> dict:
    """Camera<K> -> (location, rotation, redraws or None for the table pose) from a dry run."""
    found, camera = {}, None
    for line in stdout.splitlines():
        job = re.match(r"  day \d+ (Camera\d+)", line)
        if job:
            camera = job.group(1)
        pose = re.match(r"    camera: location \(([^)]*)\) rotation \(([^)]*)\), (.*)", line)
        if pose:
            redraw = re.search(r"jitter redraw (\d+)", pose.group(3))
            found[camera] = ([float(v) for v in pose.group(1).split(",")],
                             [float(v) for v in pose.group(2).split(",")],
                             int(redraw.group(1)) if redraw else None)
    return found
