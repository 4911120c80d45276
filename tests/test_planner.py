from pathlib import Path

import pytest

from allo_addon.core.dataset.config import config_from_dict
from allo_addon.core.dataset.plan import make_plan, normalise_modes, parse_shard
from allo_addon.core.dataset.poses import CameraPose, PoseTable, jittered, load_pose_table
from allo_addon.core.ephemeris.reader import Ephemeris, geometry_from_values
from allo_addon.core.errors import UserError

ROW = [40, 500, 0, 0, 18.6, 0, 4000, 0, 33, 0, 0, 2000]


def ephemeris(rows=10, bad=()):
    days = {d: geometry_from_values(d, ROW) for d in range(rows) if d not in bad}
    return Ephemeris(Path("eph.csv"), days, {d: "radius is -1" for d in bad}, rows)


def poses(count=4):
    table = {s: {i: CameraPose(i, (i, -10.0, 0.0), (1.5, 0.0, 0.0)) for i in range(count)}
             for s in ("train", "test")}
    return PoseTable(Path("poses.csv"), table)


def config(**raw):
    base = {"start_day": 1, "end_day": 2, "cams": [0, 1], "sun_strength": [1, 5, 10],
            "depths": [0, -1, 1], "scales": [0.3, 0.5], "colours": ["red", "blue"]}
    return config_from_dict({**base, **raw})


def names(plan):
    return [job.relative_paths(image)["image"] for job in plan.jobs for image in job.images]


def test_normal_plan_names_follow_the_original():
    plan = make_plan(config(), ephemeris(), poses(), anomaly=False, modes={"illumination"})
    assert names(plan)[:3] == ["Camera0/normal/1_normal_1.png", "Camera0/normal/1_normal_5.png",
                               "Camera0/normal/1_normal_10.png"]
    assert plan.image_count == 2 * 2 * 3
    off = make_plan(config(), ephemeris(), poses(), anomaly=False)
    assert names(off) == [f"Camera{c}/normal/{d}_normal_10.png" for d in (1, 2) for c in (0, 1)]


def test_anomalous_plan_has_every_combination_depth0_default_first():
    plan = make_plan(config(), ephemeris(), poses(), anomaly=True,
                     modes={"illumination", "depth", "scale", "color"}, seed=7)
    job = plan.jobs[0]
    assert len(job.images) == 3 * 3 * 2
    first = job.images[0]
    assert first.depth == 0 and first.colour == "default" and first.sun_strength == 1
    drawn = {i.colour for i in job.images} - {"default"}
    assert len(drawn) == 1 and drawn <= {"red", "blue"}
    assert job.scale in (0.3, 0.5)
    assert first.name == f"1_{job.anomaly}_1_{job.scale:g}_0_default.png"
    assert len({i.name for i in job.images}) == len(job.images)
    assert {job.relative_paths(first)[k].split("/")[1] for k in ("image", "fb_mask", "anomaly_mask")} \
        == {"anomaly", "fb_mask", "anomaly_mask"}


def test_scale_off_names_minus_one_and_keeps_size():
    plan = make_plan(config(), ephemeris(), poses(), anomaly=True, modes={"depth"})
    job = plan.jobs[0]
    assert job.scale == 1.0 and "_-1_" in job.images[0].name
    assert [i.depth for i in job.images] == [0, -1, 1]


def test_draws_depend_on_identity_not_order():
    full = make_plan(config(end_day=6), ephemeris(), poses(), anomaly=True, modes={"scale", "colour"})
    alone = make_plan(config(start_day=4, end_day=4, cams=[1]), ephemeris(), poses(), anomaly=True,
                      modes={"scale", "colour"})
    match = [j for j in full.jobs if j.day == 4 and j.camera.index == 1][0]
    assert alone.jobs[0] == match
    other_seed = make_plan(config(end_day=6), ephemeris(), poses(), anomaly=True,
                           modes={"scale", "colour"}, seed=43)
    assert [j.camera.location for j in other_seed.jobs] != [j.camera.location for j in full.jobs]


def test_shards_partition_the_plan():
    plan = make_plan(config(end_day=5), ephemeris(), poses(), anomaly=False, modes={"illumination"})
    shards = [plan.shard(i, 3) for i in range(3)]
    assert sorted(sum((names(s) for s in shards), [])) == sorted(names(plan))
    assert all(set(names(a)).isdisjoint(names(b)) for a in shards for b in shards if a is not b)


@pytest.mark.parametrize("text", ["2/2", "1", "a/b", "-1/3", "0/0"])
def test_bad_shard(text):
    with pytest.raises(UserError, match="--shard"):
        parse_shard(text)


def test_corrupt_day_is_refused_others_kept():
    plan = make_plan(config(end_day=3), ephemeris(bad=(2,)), poses(), anomaly=False)
    assert {j.day for j in plan.jobs} == {1, 3}
    assert plan.refused_days == {2: "radius is -1"}


def test_all_days_corrupt_is_an_error():
    with pytest.raises(UserError, match="every day from 1 to 2 is a corrupt row"):
        make_plan(config(), ephemeris(bad=(1, 2)), poses(), anomaly=False)


def test_day_outside_the_ephemeris():
    with pytest.raises(UserError, match=r"day 10, 11, 12 is outside the ephemeris, which has 10 rows"):
        make_plan(config(end_day=12), ephemeris(), poses(), anomaly=False)


def test_camera_missing_from_table():
    with pytest.raises(UserError, match="no 'test' camera 9"):
        make_plan(config(cams=[9]), ephemeris(), poses(), anomaly=True)


def test_unknown_mode():
    with pytest.raises(UserError, match="unknown mode 'shiny'"):
        normalise_modes(["shiny"])
    assert normalise_modes(["color", "Illumination"]) == {"colour", "illumination"}


def test_jitter_is_seeded_and_has_the_right_spread():
    pose = CameraPose(1, (0.0, 0.0, 0.0), (0.0, 0.0, 0.0))
    draws = [jittered(pose, 42, "train", day, 1.0, 0.2) for day in range(2000)]
    assert jittered(pose, 42, "train", 5, 1.0, 0.2) == draws[5]
    xs = [d.location[0] for d in draws]
    rs = [d.rotation[2] for d in draws]
    std = lambda v: (sum(x * x for x in v) / len(v)) ** 0.5
    assert 0.9 < std(xs) < 1.1 and 0.18 < std(rs) < 0.22


def test_original_pose_table_loads():
    table = load_pose_table("original")
    assert len(table.poses["train"]) == 40 and len(table.poses["test"]) == 10
    assert table.pose("test", 9).location == (-54.314, 13.02, -19.7)


def test_bad_pose_table(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("split,index,x,y,z,rx,ry,rz\ntrain,0,1,2,3,0,0\n")
    with pytest.raises(UserError, match="line 2 has 7 values"):
        load_pose_table(path)
    path.write_text("split,index,x,y,z,rx,ry,rz\nval,0,1,2,3,0,0,0\n")
    with pytest.raises(UserError, match="split is 'val'"):
        load_pose_table(path)


def test_anomalous_plan_has_one_twin_per_illumination_by_default():
    plan = make_plan(config(), ephemeris(), poses(), anomaly=True,
                     modes={"illumination", "depth", "scale", "colour"}, seed=7)
    job = plan.jobs[0]
    assert [t.name for t in job.references] == ["1_normal_1.png", "1_normal_5.png",
                                                "1_normal_10.png"]
    for twin in job.references:
        lit = [i for i in job.images if i.sun_strength == twin.sun_strength]
        assert {i.reference for i in lit} == {twin.name}   # every image links its lighting's twin
        first = lit[0]
        assert (first.depth, first.colour) == (0, "default")
        assert twin.render_seed == first.render_seed and twin.twin
        assert job.relative_paths(twin) == {"image": f"Camera0/reference/{twin.name}",
                                            "fb_mask": f"Camera0/reference_fb_mask/{twin.name}"}
    assert plan.twin_count == 3 * len(plan.jobs)
    assert plan.image_count == sum(len(j.images) + 3 for j in plan.jobs)


def test_twins_can_be_turned_off_and_normal_batches_have_none():
    off = make_plan(config(references=False), ephemeris(), poses(), anomaly=True,
                    modes={"illumination"})
    assert off.twin_count == 0 and all(i.reference is None for j in off.jobs for i in j.images)
    normal = make_plan(config(), ephemeris(), poses(), anomaly=False, modes={"illumination"})
    assert normal.twin_count == 0


def test_twins_are_sharded_with_their_job():
    plan = make_plan(config(), ephemeris(), poses(), anomaly=True, modes={"illumination"})
    parts = [plan.shard(i, 3) for i in range(3)]
    together = sorted(job.relative_paths(t)["image"] for p in parts for job in p.jobs
                      for t in job.references)
    assert together == sorted(job.relative_paths(t)["image"] for job in plan.jobs
                              for t in job.references)


def test_protocol_picks_the_pose_table_of_anomalous_batches():
    table = {"train": {0: CameraPose(0, (0.0, -10.0, 0.0), (1.5, 0.0, 0.0))},
             "test": {0: CameraPose(0, (5.0, -20.0, 3.0), (1.0, 0.0, 0.5))}}
    two = PoseTable(Path("poses.csv"), table)
    novel = make_plan(config(cams=[0]), ephemeris(), two, anomaly=True)
    same = make_plan(config(cams=[0], protocol="same-view"), ephemeris(), two, anomaly=True)
    normal = make_plan(config(cams=[0], protocol="same-view"), ephemeris(), two, anomaly=False)
    assert {j.table_pose for j in novel.jobs} == {table["test"][0]}
    assert {j.table_pose for j in same.jobs} == {table["train"][0]}
    assert {j.table_pose for j in normal.jobs} == {table["train"][0]}
    # same-view keeps everything else: names, anomalies, seeds (only the views move)
    assert [j.images for j in same.jobs] == [j.images for j in novel.jobs]
    with pytest.raises(UserError, match="protocol.*novel-view, same-view"):
        config(protocol="same_view")
