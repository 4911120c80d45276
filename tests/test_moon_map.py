"""The built-in Moon shows the real maria and rayed craters where the IAU puts them.

The map is pure numpy (fast test); one tiny Cycles render of the built Moon, seen from +X (the
sub-Earth point) with the sun behind the camera, pins the orientation: north up, east right.
"""

import math

import numpy as np
import pytest

from allo_addon.core.moon_map import HIGHLAND, albedo_map, sample

NEAR_SIDE_MARIA = {"Imbrium": (32.8, -15.6), "Serenitatis": (28.0, 17.5), "Crisium": (17.0, 59.1),
                   "Tranquillitatis": (8.5, 31.4), "Nubium": (-21.3, -16.6), "Procellarum": (18.0, -57.0)}
HIGHLANDS = {"southern highlands": (-30.0, 5.0), "south pole region": (-70.0, 40.0),
             "far side": (0.0, 180.0), "mirror of Nubium": (-21.3, 16.6)}


@pytest.fixture(scope="module")
def albedo():
    return albedo_map()


def test_maria_highlands_and_rays_are_where_the_iau_puts_them(albedo):
    assert albedo.shape == (512, 1024) and albedo.dtype == np.float32
    for name, (lat, lon) in NEAR_SIDE_MARIA.items():
        assert sample(albedo, lat, lon) < 0.1, name
    for name, (lat, lon) in HIGHLANDS.items():
        assert sample(albedo, lat, lon) >= HIGHLAND - 1e-6, name
    assert sample(albedo, -43.3, -11.2) > 0.95     # Tycho, the brightest young crater
    # maria cover about a third of the near side and a few percent of the far side
    rows = np.radians(-90 + (np.arange(512) + 0.5) * 180 / 512)
    weight = np.cos(rows)[:, None] * np.ones((1, 1024))
    near = np.zeros_like(weight, bool)
    near[:, 256:768] = True
    mare = albedo < HIGHLAND / 2
    near_share = (weight * mare)[near].sum() / weight[near].sum()
    far_share = (weight * mare)[~near].sum() / weight[~near].sum()
    assert 0.25 < near_share < 0.45 and far_share < 0.08, (near_share, far_share)


def test_same_map_every_time(albedo):
    assert np.array_equal(albedo_map(), albedo)


@pytest.mark.blender
def test_rendered_moon_faces_earth_north_up_east_right(tmp_path):
    bpy = pytest.importorskip("bpy")
    from mathutils import Vector
    from allo_addon.scene.builtin.bodies import build_body

    bpy.ops.wm.read_factory_settings(use_empty=True)
    scene = bpy.context.scene
    build_body("moon", scene.collection)
    camera = bpy.data.objects.new("camera", bpy.data.cameras.new("camera"))
    camera.data.type = "ORTHO"
    camera.data.ortho_scale = 2.2
    camera.location = (5.0, 0.0, 0.0)
    camera.rotation_euler = Vector((-1, 0, 0)).to_track_quat("-Z", "Y").to_euler()
    sun = bpy.data.objects.new("sun", bpy.data.lights.new("sun", "SUN"))
    sun.data.energy = 5.0
    sun.rotation_euler = camera.rotation_euler
    for obj in (camera, sun):
        scene.collection.objects.link(obj)
    scene.camera = camera
    scene.render.engine = "CYCLES"
    scene.cycles.samples = 4
    scene.cycles.device = "CPU"
    scene.render.resolution_x = scene.render.resolution_y = 110
    scene.render.filepath = str(tmp_path / "moon.png")
    bpy.ops.render.render(write_still=True)
    from PIL import Image
    image = np.asarray(Image.open(tmp_path / "moon.png").convert("L"), float)

    def brightness(lat, lon):   # orthographic: east (+Y) right, north (+Z) up, radius 50 px
        y = math.cos(math.radians(lat)) * math.sin(math.radians(lon))
        z = math.sin(math.radians(lat))
        col, row = round(55 + 50 * y), round(55 - 50 * z)
        return image[row - 2:row + 3, col - 2:col + 3].mean()

    # a mirrored or upside-down map swaps these pairs
    assert brightness(-30.0, 5.0) > 1.25 * brightness(32.8, -15.6)     # highlands vs Imbrium
    assert brightness(-21.3, 16.6) > 1.25 * brightness(-21.3, -16.6)   # east vs Mare Nubium
    assert brightness(-30.0, 5.0) > 1.25 * brightness(28.0, 17.5)      # south vs Serenitatis
