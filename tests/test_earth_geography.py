"""The built-in Earth shows the real continents: the shipped land mask is the GLOBE mask, and a
real Cycles render of the built body puts them where +X = Greenwich, +Z = north says."""

import importlib.util

import numpy as np
import pytest
from PIL import Image

from conftest import REPO

DATA = REPO / "allo_addon" / "data"
# (name, latitude, longitude): each would be the other kind if a map or an axis were flipped
LAND = (("Sahara", 23.0, 10.0), ("Australia", -25.0, 134.0), ("Antarctica", -80.0, 0.0),
        ("Greenland", 72.0, -40.0), ("Amazon", -5.0, -62.0), ("Siberia", 62.0, 100.0))
OCEAN = (("mid-Pacific", 0.0, -150.0), ("South Pacific", -20.0, -140.0), ("Philippine Sea", 25.0, 134.0),
         ("South Atlantic", -30.0, -20.0), ("Indian Ocean", -20.0, 80.0), ("Arctic Ocean", 88.0, 0.0))


def load_map(name):
    return np.asarray(Image.open(DATA / name), np.float64) / 255.0


def pixel(image, latitude, longitude):
    """The pixel of an equirectangular map (row 0 at 90°N, column 0 at 180°W) at a point."""
    height, width = image.shape[:2]
    row = min(int((90.0 - latitude) / 180.0 * height), height - 1)
    column = int((longitude + 180.0) / 360.0 * width) % width
    return image[row, column]


def test_land_mask_file():
    path = DATA / "earth_landmask.png"
    assert path.stat().st_size < 60_000
    with Image.open(path) as image:
        assert image.mode == "L" and image.size == (1024, 512)
    mask = load_map("earth_landmask.png")
    latitudes = np.radians(90.0 - (np.arange(mask.shape[0]) + 0.5) * 180.0 / mask.shape[0])
    weights = np.cos(latitudes)
    land_fraction = (mask.mean(axis=1) * weights).sum() / weights.sum()
    assert abs(land_fraction - 0.29) < 0.03, land_fraction
    for name, latitude, longitude in LAND:
        assert pixel(mask, latitude, longitude) > 0.9, name
    for name, latitude, longitude in OCEAN:
        assert pixel(mask, latitude, longitude) < 0.1, name
    # anti-aliased coasts: some pixels are partly land
    assert ((mask > 0.1) & (mask < 0.9)).mean() > 0.01


def test_climate_map_marks_deserts_and_ice_sheets():
    climate = load_map("earth_climate.png")
    mask = load_map("earth_landmask.png")
    assert climate.shape[2] == 3 and climate.shape[1] == 2 * climate.shape[0]
    for name, latitude, longitude in (("Sahara", 23.0, 10.0), ("Australia", -25.0, 130.0),
                                      ("Arabia", 23.0, 47.0)):
        assert pixel(climate, latitude, longitude)[0] > 0.7, name
    for name, latitude, longitude in (("Amazon", -5.0, -62.0), ("Congo", 0.0, 22.0), ("Europe", 50.0, 10.0)):
        assert pixel(climate, latitude, longitude)[0] < 0.1, name
    for name, latitude, longitude in (("Antarctica", -80.0, 0.0), ("Greenland", 72.0, -40.0)):
        assert pixel(climate, latitude, longitude)[1] > 0.9, name
    for name, latitude, longitude in (("Iceland", 64.8, -18.0), ("Baffin Island", 70.0, -72.0),
                                      ("Siberia", 62.0, 100.0)):
        assert pixel(climate, latitude, longitude)[1] < 0.1, name
    # the blurred land channel follows the mask
    coarse = np.asarray(Image.fromarray(np.round(mask * 255).astype(np.uint8)).resize(
        climate.shape[1::-1], Image.BOX), np.float64) / 255.0
    assert np.corrcoef(climate[..., 2].ravel(), coarse.ravel())[0, 1] > 0.9


# ---------------------------------------------------------------- the rendered body
@pytest.fixture(scope="module")
def preview():
    pytest.importorskip("bpy")
    spec = importlib.util.spec_from_file_location("preview_earth", REPO / "scripts" / "preview_earth.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.blender
def test_material_samples_the_shipped_mask(preview):
    import bpy
    preview.earth_scene(8, 8, 1)
    material = bpy.data.materials["ALLO_earth"]
    images = {n.image.filepath for n in material.node_tree.nodes if n.type == "TEX_IMAGE"}
    assert {str(DATA / "earth_landmask.png"), str(DATA / "earth_climate.png")} <= images
    assert material.cycles.emission_sampling == "NONE"


@pytest.mark.blender
@pytest.mark.parametrize("name, latitude, longitude, kind", [
    *[(name, lat, lon, "land") for name, lat, lon in LAND[:2]],
    *[(name, lat, lon, "ocean") for name, lat, lon in OCEAN[1:3]]])
def test_render_shows_land_and_ocean_where_they_are(preview, name, latitude, longitude, kind):
    """Camera above the point, sun lamp 30° off (no sun glint at the centre): the centre of
    the disc is land-coloured (red > blue) or ocean-coloured (blue > red). The points lie in
    the subtropical highs, where the material puts the fewest clouds; each would be the other
    kind if longitude or latitude ran the wrong way."""
    scene, camera, sun = preview.earth_scene(24, 24, 8)
    preview.look_at_point(camera, sun, latitude, longitude, sun_azimuth_deg=30.0)
    pixels = preview.render_pixels(scene)
    red, _, blue = pixels[10:14, 10:14].reshape(-1, 3).mean(axis=0)
    assert red + blue > 0.05, "the disc is lit"
    if kind == "land":
        assert red > blue * 1.2, (name, red, blue)
    else:
        assert blue > red * 1.25, (name, red, blue)
    # the disc fills the frame's middle and space around it is black
    assert pixels[0, 0].max() < 0.02
