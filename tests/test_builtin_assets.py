"""The built-in scene assets: deterministic, sized like the real thing, fully textured, and the
pose table fits the station (test poses leave room for the anomaly, train poses see hardware)."""

import csv
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

bpy = pytest.importorskip("bpy")
from mathutils import Euler, Vector  # noqa: E402
from mathutils.bvhtree import BVHTree  # noqa: E402

from conftest import REPO  # noqa: E402

from allo_addon.core.ephemeris.bodies import BODIES, NEAREST_FIRST  # noqa: E402
from allo_addon.core.assets.catalog import STATION_PARTS, SURFACE_KINDS  # noqa: E402
from allo_addon.core.errors import UserError  # noqa: E402
from allo_addon.scene.builtin.anomalies import ANOMALY_KINDS, build_anomaly  # noqa: E402
from allo_addon.scene.builtin.bodies import build_body  # noqa: E402
from allo_addon.scene.builtin.station import build_station  # noqa: E402
from allo_addon.scene.user_assets import append_object  # noqa: E402
from blender_addon import registered_addon  # noqa: E402

pytestmark = pytest.mark.blender
POSES = Path(__file__).resolve().parents[1] / "allo_addon" / "data" / "camera_poses_builtin.csv"


def fresh_collection():
    bpy.ops.wm.read_factory_settings(use_empty=True)
    return bpy.context.scene.collection


def world_bounds(objects):
    points = [o.matrix_world @ Vector(c) for o in objects for c in o.bound_box]
    lo = Vector([min(p[i] for p in points) for i in range(3)])
    hi = Vector([max(p[i] for p in points) for i in range(3)])
    return lo, hi


def signature(objects):
    return [(o.name, len(o.data.vertices), len(o.data.polygons),
             tuple(round(v, 5) for c in o.bound_box for v in c)) for o in objects]


def assert_materials_on_every_face(obj):
    mesh = obj.data
    assert len(mesh.materials) >= 1 and all(m is not None for m in mesh.materials), obj.name
    slots = {p.material_index for p in mesh.polygons}
    assert max(slots) < len(mesh.materials), obj.name


# ---------------------------------------------------------------- station
def test_station_is_deterministic_and_fully_textured():
    first = signature(build_station(fresh_collection()))
    objects = build_station(fresh_collection())
    assert signature(objects) == first
    assert all(o.type == "MESH" for o in objects)
    assert {c.name for o in objects for c in o.users_collection} == {"Scene Collection"}
    for obj in objects:
        assert_materials_on_every_face(obj)
        assert obj.pass_index == 0


def test_station_dimensions():
    objects = {o.name: o for o in build_station(fresh_collection())}
    wings = [o for name, o in objects.items() if "SolarWing" in name]
    assert len(wings) == 2
    lo, hi = world_bounds(wings)
    assert 18.0 <= hi.y - lo.y <= 26.0  # tip to tip
    for name in ("Station_HALO", "Station_IHab", "Station_Logistics"):
        dims = objects[name].dimensions
        assert 2.7 <= dims.y <= 3.4, (name, dims)  # ~3 m diameter (barrel + MMOD bands)
        assert 5.0 <= dims.x <= 9.0, (name, dims)   # 6–8 m long with ports
    lo, hi = world_bounds(objects.values())
    assert (lo + hi).length / 2 < 8.0  # centred near the origin


def test_station_works_with_bvh_and_encloses_its_modules():
    objects = build_station(fresh_collection())
    depsgraph = bpy.context.evaluated_depsgraph_get()
    halo = next(o for o in objects if o.name == "Station_HALO")
    tree = BVHTree.FromObject(halo, depsgraph)
    hit, *_ = tree.ray_cast(Vector((-7.0, 0.0, 20.0)), Vector((0, 0, -1)))
    assert hit is not None and abs(hit.z - 1.5) < 0.2
    # a point inside the HALO barrel is enclosed: rays in all six axis directions hit a wall
    scene = bpy.context.scene
    inside = Vector((-7.5, 0.0, 0.3))
    for axis in range(3):
        for sign in (1, -1):
            direction = Vector([sign if i == axis else 0 for i in range(3)])
            hit, location, normal, *_ = scene.ray_cast(depsgraph, inside, direction)
            assert hit and (location - inside).length < 6.0
            assert normal.dot(direction) > 0  # we see the wall from inside: normals point outward


def vertex_array(obj):
    import numpy as np
    co = np.empty(len(obj.data.vertices) * 3)
    obj.data.vertices.foreach_get("co", co)
    return co.reshape(-1, 3) @ np.array(obj.matrix_world.to_3x3()).T + np.array(obj.matrix_world.translation)


def test_crew_vehicle_has_orion_dimensions():
    import numpy as np
    objects = {o.name: o for o in build_station(fresh_collection())}
    capsule, service = objects["Station_CrewModule"], objects["Station_ServiceModule"]
    assert 4.9 <= capsule.dimensions.y <= 5.1 and 4.9 <= capsule.dimensions.z <= 5.1  # Ø 5.02 m base
    assert 3.0 <= capsule.dimensions.x <= 3.8   # ~3.3 m tall plus the docking petals
    assert 3.5 <= service.dimensions.x <= 6.0   # adapter, ~4 m body, engine bell
    # the service module's body is a Ø ~4.1 m cylinder: ray casts from outside hit it there
    tree = BVHTree.FromObject(service, bpy.context.evaluated_depsgraph_get())
    lo, hi = world_bounds([service])
    x = lo.x + 0.45 * (hi.x - lo.x)
    for origin, direction in (((x, 20, 0), (0, -1, 0)), ((x, 0, -20), (0, 0, 1))):
        hit, *_ = tree.ray_cast(Vector(origin), Vector(direction))
        assert hit is not None and 1.95 <= math.hypot(hit.y, hit.z) <= 2.15, hit
    # four wings in an X, each ~7 m from the hull to its tip
    wings = vertex_array(objects["Station_SMSolarArrays"])
    radius = np.hypot(wings[:, 1], wings[:, 2])
    assert 6.0 <= radius.max() - 2.05 <= 8.0
    far = wings[radius > 4.0]
    quadrants = {(int(np.sign(y)), int(np.sign(z))) for y, z in far[:, 1:]}
    assert quadrants == {(1, 1), (1, -1), (-1, 1), (-1, -1)}
    assert np.abs(far[:, 1:]).min() > 0.5   # an X, not a +: nothing along the Y or Z axes


def test_crew_vehicle_is_docked_at_the_logistics_port():
    import numpy as np
    objects = {o.name: o for o in build_station(fresh_collection())}

    def ring_face(obj, pick):  # the docking ring: vertices ~0.7 m off the station axis
        co = vertex_array(obj)
        on_ring = co[np.abs(np.hypot(co[:, 1], co[:, 2]) - 0.7) < 0.01]
        return pick(on_ring[:, 0]), on_ring
    port, port_ring = ring_face(objects["Station_Logistics"], np.max)
    mate, mate_ring = ring_face(objects["Station_CrewModule"], np.min)
    assert abs(mate - port) < 0.03     # ring faces touch
    assert np.abs(port_ring[:, 1:].mean(axis=0)).max() < 0.01
    assert np.abs(mate_ring[:, 1:].mean(axis=0)).max() < 0.01   # on the same axis
    assert objects["Station_ServiceModule"].matrix_world.translation.length == 0
    assert world_bounds([objects["Station_ServiceModule"]])[0].x > mate + 3.0   # behind the capsule


STATION_HASH_SCRIPT = """
import hashlib, json, sys
import bpy
import numpy as np
sys.path.insert(0, sys.argv[1])
from allo_addon.scene.builtin.station import build_station
bpy.ops.wm.read_factory_settings(use_empty=True)
out = {}
for obj in build_station(bpy.context.scene.collection):
    mesh = obj.data
    co = np.empty(len(mesh.vertices) * 3)
    mesh.vertices.foreach_get("co", co)
    uv = np.empty(len(mesh.loops) * 2)
    mesh.uv_layers[0].data.foreach_get("uv", uv)
    polygons = [(tuple(p.vertices), p.material_index) for p in mesh.polygons]
    digest = hashlib.sha256(co.round(7).tobytes() + uv.round(6).tobytes() + repr(polygons).encode())
    out[obj.name] = [len(mesh.vertices), digest.hexdigest()]
print("HASHES" + json.dumps(out))
"""


def test_station_is_identical_vertex_for_vertex_across_processes():
    first, second = (hashes_in_a_new_process(STATION_HASH_SCRIPT) for _ in range(2))
    assert list(first) == list(STATION_PARTS)
    assert first == second


# ---------------------------------------------------------------- bodies
@pytest.mark.parametrize("name", ["moon", "earth", "sun"])
def test_bodies_are_unit_spheres(name):
    body = build_body(name, fresh_collection())
    radii = [v.co.length for v in body.data.vertices]
    assert min(radii) == pytest.approx(1.0, abs=1e-5) and max(radii) == pytest.approx(1.0, abs=1e-5)
    assert len(body.data.polygons) >= 2000  # round when the Moon fills a quarter of the view
    assert_materials_on_every_face(body)
    assert all(p.use_smooth for p in body.data.polygons)
    assert body.name == name


def test_sun_emits_and_unknown_body_is_a_user_error():
    sun = build_body("sun", fresh_collection())
    assert any(n.type == "EMISSION" for n in sun.data.materials[0].node_tree.nodes)
    with pytest.raises(UserError, match="mars.*moon, earth, sun"):
        build_body("mars", bpy.context.scene.collection)


# ---------------------------------------------------------------- anomalies
@pytest.mark.parametrize("kind", ANOMALY_KINDS)
def test_anomaly_is_one_seeded_object_of_realistic_size(kind):
    assert {"blanket", "cable", "drill"} <= set(ANOMALY_KINDS)
    first = signature([build_anomaly(kind, fresh_collection(), seed=3)])
    obj = build_anomaly(kind, fresh_collection(), seed=3)
    assert signature([obj]) == first
    other = build_anomaly(kind, bpy.context.scene.collection, seed=4)
    assert signature([other])[0][1:] != first[0][1:] or kind == "drill"  # shape varies by seed
    assert 0.1 <= max(obj.dimensions) <= 1.2, obj.dimensions
    lo, hi = world_bounds([obj])
    assert (lo + hi).length / 2 < 1e-4  # origin at the bounding-box centre
    assert_materials_on_every_face(obj)
    for material in obj.data.materials:
        bsdfs = [n for n in material.node_tree.nodes if n.type == "BSDF_PRINCIPLED"]
        assert bsdfs and not any(n.inputs["Base Color"].is_linked for n in bsdfs), material.name


def test_unknown_anomaly_lists_the_kinds():
    with pytest.raises(UserError) as info:
        build_anomaly("wrench", fresh_collection(), seed=0)
    assert "wrench" in str(info.value) and all(k in str(info.value) for k in ANOMALY_KINDS)


# ---------------------------------------------------------------- camera poses
def read_poses():
    with open(POSES, newline="") as f:
        reader = csv.DictReader(line for line in f if not line.lstrip().startswith("#"))
        assert reader.fieldnames == ["split", "index", "x", "y", "z", "rx", "ry", "rz"]
        return [(r["split"], int(r["index"]), Vector([float(r[k]) for k in "xyz"]),
                 Euler([float(r[k]) for k in ("rx", "ry", "rz")], "XYZ")) for r in reader]


def first_hit(scene, depsgraph, origin, direction):
    hit, location, *_ = scene.ray_cast(depsgraph, origin, direction)
    return (location - origin).length if hit else math.inf


def test_pose_table_fits_the_station():
    poses = read_poses()
    splits = [p[0] for p in poses]
    assert splits.count("train") >= 12 and splits.count("test") >= 8
    for split in ("train", "test"):  # indices 0..n-1 per split
        assert [i for s, i, *_ in poses if s == split] == list(range(splits.count(split)))
    build_station(fresh_collection())
    scene = bpy.context.scene
    depsgraph = bpy.context.evaluated_depsgraph_get()
    half_x, half_y = 18.0 / 25.0, 18.0 * 9 / 16 / 25.0  # tan of half the field of view
    for split, index, position, rotation in poses:
        m = rotation.to_matrix()
        if split == "test":  # room for the anomaly ~4 m ahead
            assert first_hit(scene, depsgraph, position, m @ Vector((0, 0, -1))) >= 6.0, index
        else:
            rays = [(m @ Vector((half_x * (i / 7 * 2 - 1), half_y * (j / 4 * 2 - 1), -1))).normalized()
                    for i in range(8) for j in range(5)]
            seen = sum(first_hit(scene, depsgraph, position, d) < math.inf for d in rays)
            assert seen >= 0.1 * len(rays), (index, seen)


# ---------------------------------------------------------------- user assets
def save_blend(path, names):
    objects = set()
    for name in names:
        mesh = bpy.data.meshes.new(name)
        mesh.from_pydata([(0, 0, 0), (1, 0, 0), (0, 1, 0)], [], [(0, 1, 2)])
        obj = bpy.data.objects.new(name, mesh)
        bpy.context.scene.collection.objects.link(obj)
        objects.add(obj)
    bpy.data.libraries.write(str(path), objects)


def test_append_object_reuses_and_reports_missing_names(tmp_path):
    fresh_collection()
    blend = tmp_path / "ISS.blend"
    save_blend(blend, ["ISS", "Truss"])
    collection = fresh_collection()
    obj = append_object(blend, "ISS", collection)
    assert obj.name == "ISS" and len(obj.data.vertices) == 3
    assert append_object(blend, "ISS", collection) == obj
    assert len(bpy.data.objects) == 1 and len(bpy.data.meshes) == 1
    with pytest.raises(UserError, match="no object named 'moon'.*ISS, Truss"):
        append_object(blend, "moon", collection)
    with pytest.raises(UserError, match="missing.blend"):
        append_object(tmp_path / "missing.blend", "ISS", collection)


# ---------------------------------------------------------------- the whole library
HASH_SCRIPT = """
import hashlib, json, sys
import bpy
import numpy as np
sys.path.insert(0, sys.argv[1])
from allo_addon.scene.builtin.anomalies import ANOMALY_KINDS, build_anomaly
out = {}
for kind in ANOMALY_KINDS:
    bpy.ops.wm.read_factory_settings(use_empty=True)
    mesh = build_anomaly(kind, bpy.context.scene.collection, seed=11).data
    co = np.empty(len(mesh.vertices) * 3)
    mesh.vertices.foreach_get("co", co)
    polygons = [tuple(p.vertices) for p in mesh.polygons]
    digest = hashlib.sha256(co.round(7).tobytes() + repr(polygons).encode())
    out[kind] = [len(mesh.vertices), digest.hexdigest()]
print("HASHES" + json.dumps(out))
"""


def hashes_in_a_new_process(script=None):
    result = subprocess.run([sys.executable, "-c", script or HASH_SCRIPT, str(REPO)], capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    line = next(x for x in result.stdout.splitlines() if x.startswith("HASHES"))
    return json.loads(line[len("HASHES"):])


def test_every_kind_is_identical_vertex_for_vertex_across_processes():
    first, second = hashes_in_a_new_process(), hashes_in_a_new_process()
    assert list(first) == list(ANOMALY_KINDS)
    assert first == second


def test_catalog_names_match_what_is_built():
    assert len(ANOMALY_KINDS) >= 12 and set(SURFACE_KINDS) <= set(ANOMALY_KINDS)
    assert tuple(o.name for o in build_station(fresh_collection())) == STATION_PARTS
    assert sorted(NEAREST_FIRST) == sorted(BODIES)   # the two orders list the same bodies


SURFACE_WIDTHS = {"frost": (0.3, 0.9), "mmod_hole": (0.2, 0.6)}   # m, as the catalog says


@pytest.mark.parametrize("kind", SURFACE_KINDS)
def test_surface_kinds_are_thin_patches(kind):
    low, high = SURFACE_WIDTHS[kind]
    for seed in range(4):
        dims = build_anomaly(kind, fresh_collection(), seed=seed).dimensions
        assert low <= max(dims.x, dims.y) <= high, dims
        assert 0.001 <= dims.z <= 0.015, dims     # a few mm, petals included


@pytest.fixture(scope="module")
def render_ops():
    with registered_addon():
        yield bpy.ops.allo


@pytest.mark.parametrize("kind", [k for k in ANOMALY_KINDS if k not in SURFACE_KINDS])
def test_each_kind_is_placed_and_masked_in_a_real_render(kind, render_ops, write_config):
    # close to the camera so the smallest kinds cover pixels at 128×72
    config = write_config(start_day=1, end_day=1, cams=[0], samples=2, denoise=False, min_pixel=5,
                          anomalies=[kind], anomaly_distance=1.5, anomaly_box=0.2)
    assert render_ops.render_batch(config=str(config), exp_num=1, anomaly=True) == {"FINISHED"}
    manifest = config.parent / "renders" / "exp_1" / "manifest.jsonl"
    everything = [json.loads(line) for line in manifest.read_text().splitlines()]
    records = [r for r in everything if r["kind"] == "anomaly"]
    assert records and all(r["anomaly_pixels"] > 0 for r in records), records
    twins = [r for r in everything if r["kind"] == "reference"]   # the kind hidden, not there
    assert twins and all(r["anomaly_pixels"] == 0 for r in twins), twins


@pytest.mark.parametrize("kind", SURFACE_KINDS)
def test_surface_kinds_sit_on_the_hull_and_ignore_depth(kind, render_ops, write_config):
    # test camera 1 looks at hull a few metres away; a 0.2–0.9 m patch needs some resolution
    config = write_config(start_day=1, end_day=1, cams=[1], samples=2, denoise=False, min_pixel=20,
                          anomalies=[kind], resolution=[320, 180], placement_attempts=30,
                          depths=[0, 1, -1], sun_strength=[10])
    assert render_ops.render_batch(config=str(config), exp_num=1, anomaly=True,
                                   modes={"depth"}) == {"FINISHED"}
    manifest = config.parent / "renders" / "exp_1" / "manifest.jsonl"
    records = [r for r in map(json.loads, manifest.read_text().splitlines())
               if r["kind"] == "anomaly"]
    assert [r["anomaly"]["depth"] for r in records] == [0.0]   # not moved off the hull
    assert records[0]["anomaly_pixels"] > 20
    # the patch's centre is within a few centimetres of the station's surface
    from mathutils import Vector
    from allo_addon.scene.assembly import station_bvh
    scene = bpy.data.scenes["ALLO"]
    layer = scene.view_layers[0]
    station = [o for o in scene.objects if o.name.startswith("Station_")]
    tree = station_bvh(station, layer.depsgraph)
    _, _, _, distance = tree.find_nearest(Vector(records[0]["anomaly"]["location"]))
    assert distance < 0.05


@pytest.mark.parametrize("kind", SURFACE_KINDS)
def test_surface_patches_bend_onto_the_hull(kind):
    # a 0.9 m patch on a 1.5 m barrel would float 7 cm off it at its edges if left flat
    from allo_addon.core.dataset.config import config_from_dict
    from allo_addon.core.dataset.poses import load_pose_table
    from allo_addon.scene.assembly import StationScene
    from allo_addon.scene.placement import Placement, place_on_surface
    from allo_addon.scene.render_settings import configure_cycles
    config = config_from_dict({"resolution": [320, 180], "min_pixel": 20, "anomalies": [kind]})
    stage = StationScene(config)
    configure_cycles(stage.scene, config)
    table = load_pose_table("builtin")
    placed = 0
    for cam in range(4):
        stage.set_camera(table.pose("test", cam))
        stage.add_anomaly(kind, seed=cam, scale=1.0)
        placement = place_on_surface(stage, config, seed=cam, scale=1.0, min_pixel=20)
        if not isinstance(placement, Placement):
            continue
        placed += 1
        stage.scene.view_layers[0].update()
        patch = stage.anomaly
        gaps = [stage.station_bvh.find_nearest(patch.matrix_world @ v.co)[3] for v in patch.data.vertices]
        assert max(gaps) < 0.02, (cam, max(gaps))   # mm-thick ice, a few mm of petals: no vertex floats
    assert placed >= 2
