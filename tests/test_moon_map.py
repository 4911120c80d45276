"""The built-in Moon shows the real maria and rayed craters where the IAU puts them.

The map is pure numpy (fast test); one tiny Cycles render of the built Moon, seen from +X (the
sub-Earth point) with the sun behind the camera, pins the orientation: north up, east right.
"""

import math

import numpy as np
import pytest

from allo_addon.core.assets.moon_map import HIGHLAND, SHIPPED_MAP, albedo_map, sample, to_bytes

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


def test_shipped_map_is_the_rasterised_map(albedo):
    """The scene loads data/moon_albedo.png; it must be albedo_map() as 8-bit values (rerun
    scripts/make_moon_map.py after changing core/assets/moon_map.py)."""
    from PIL import Image
    shipped = np.flipud(np.asarray(Image.open(SHIPPED_MAP)))   # the file's first row is the top
    assert shipped.dtype == np.uint8 and shipped.shape == albedo.shape
    assert np.array_equal(shipped, to_bytes(albedo))


@pytest.mark.blender
def test_the_loaded_map_holds_the_bytes_the_generated_one_did(albedo):
    """Before the map shipped, the scene wrote albedo_map() into an 8-bit Blender image; the
    loaded file must give that image's bytes exactly (same renders), rows in Blender's order."""
    bpy = pytest.importorskip("bpy")
    from allo_addon.scene.builtin.moon_albedo import IMAGE_NAME, moon_albedo_image

    def red(image):
        pixels = np.empty(len(image.pixels), np.float32)
        image.pixels.foreach_get(pixels)
        return np.round(pixels.reshape(albedo.shape + (4,))[..., :3] * 255).astype(np.uint8)

    height, width = albedo.shape
    generated = bpy.data.images.new("generated", width, height, alpha=False, float_buffer=False)
    generated.colorspace_settings.name = "Non-Color"
    rgba = np.ones((height, width, 4), np.float32)
    rgba[..., :3] = albedo[..., None]
    generated.pixels.foreach_set(rgba.ravel())
    loaded = moon_albedo_image()
    try:
        assert loaded.name == IMAGE_NAME and loaded.packed_file is not None
        assert loaded.colorspace_settings.name == "Non-Color"
        assert np.array_equal(red(loaded), red(generated))
        assert np.array_equal(red(generated)[..., 0], to_bytes(albedo))   # Blender's rounding
    finally:
        bpy.data.images.remove(generated)
        bpy.data.images.remove(loaded)


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
