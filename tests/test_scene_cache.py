"""The built-in station and bodies come from a cached .blend after the first build
(core/assets/build_cache.py, scene/builtin/scene_cache.py): same renders, a new key when any file of
the add-on changes, and no cache when it is turned off."""

import shutil

import numpy as np
import pytest
from PIL import Image

from allo_addon.core.assets.build_cache import cache_folder, code_key
from conftest import run_cli


def test_cache_folder_follows_the_environment(tmp_path):
    assert cache_folder({"ALLO_CACHE_DIR": str(tmp_path)}) == tmp_path
    for off in ("off", "", " OFF ", "0"):
        assert cache_folder({"ALLO_CACHE_DIR": off}) is None
    assert cache_folder({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "allo"
    assert cache_folder({"HOME": str(tmp_path)}).name == "allo"


def test_key_changes_with_any_code_or_data_file_and_with_blender(tmp_path):
    package = tmp_path / "allo_addon"
    (package / "data").mkdir(parents=True)
    (package / "a.py").write_text("x = 1\n")
    (package / "data" / "map.png").write_bytes(b"\x89PNG")
    (package / "notes.txt").write_text("not keyed")
    key = code_key("5.0.1", package=package)
    assert key == code_key("5.0.1", package=package)
    assert key != code_key("4.2.23", package=package)
    (package / "notes.txt").write_text("changed, still not keyed")
    assert code_key("5.0.1", package=package) == key
    for path, change in ((package / "a.py", "x = 2\n"), (package / "data" / "map.png", "new")):
        before = code_key("5.0.1", package=package)
        path.write_text(change)
        assert code_key("5.0.1", package=package) != before, path.name
    moved = tmp_path / "elsewhere" / "allo_addon"
    shutil.copytree(package, moved)
    assert code_key("5.0.1", package=moved) != code_key("5.0.1", package=package)


@pytest.mark.blender
def test_second_build_appends_the_cached_file(tmp_path, monkeypatch):
    bpy = pytest.importorskip("bpy")
    from allo_addon.scene.builtin import scene_cache, station
    monkeypatch.setenv("ALLO_CACHE_DIR", str(tmp_path))

    def collections(tag):
        made = [bpy.data.collections.new(f"{tag} {what}") for what in ("station", "bodies")]
        return made

    built_station, built_bodies = scene_cache.station_and_bodies(*collections("built"))
    path = scene_cache.cached_file()
    assert path.is_file() and list(tmp_path.iterdir()) == [path]   # no temporary left
    monkeypatch.setattr(station, "build_station",
                        lambda *_: pytest.fail("built again although the cache is current"))
    loaded_station, loaded_bodies = scene_cache.station_and_bodies(*collections("loaded"))
    assert len(loaded_station) == len(built_station) and set(loaded_bodies) == set(built_bodies)
    for built, loaded in zip(built_station + list(built_bodies.values()),
                             loaded_station + list(loaded_bodies.values())):
        assert loaded.name.split(".")[0] == built.name.split(".")[0]
        assert len(loaded.data.vertices) == len(built.data.vertices)
        assert scene_cache.ROLE not in loaded and scene_cache.ROLE not in built
        coordinates = [np.empty(len(o.data.vertices) * 3) for o in (built, loaded)]
        for obj, array in zip((built, loaded), coordinates):
            obj.data.vertices.foreach_get("co", array)
        assert np.array_equal(*coordinates)
        assert [m.name.split(".")[0] for m in loaded.data.materials] == \
            [m.name.split(".")[0] for m in built.data.materials]


@pytest.mark.blender
def test_an_incomplete_cache_file_leaves_nothing_behind_and_is_rebuilt(tmp_path, monkeypatch):
    """A cache file that lacks part of the scene (another version's, a torn copy) must not put
    its objects into the scene beside the ones built instead."""
    bpy = pytest.importorskip("bpy")
    from allo_addon.scene.builtin import scene_cache
    monkeypatch.setenv("ALLO_CACHE_DIR", str(tmp_path))
    station_objects, bodies = scene_cache.station_and_bodies(
        bpy.data.collections.new("first station"), bpy.data.collections.new("first bodies"))
    partial = station_objects[:2]                     # two station parts, no bodies
    for i, obj in enumerate(partial):
        obj[scene_cache.ROLE] = f"station:{i}"
    path = scene_cache.cached_file()
    bpy.data.libraries.write(str(path), set(partial), path_remap="ABSOLUTE")
    for obj in partial:
        del obj[scene_cache.ROLE]
    before = set(bpy.data.objects)
    station_collection = bpy.data.collections.new("second station")
    body_collection = bpy.data.collections.new("second bodies")
    station, rebuilt = scene_cache.station_and_bodies(station_collection, body_collection)
    assert len(station) == len(station_objects) and set(rebuilt) == set(bodies)
    assert list(station_collection.objects) == station
    assert list(body_collection.objects) == list(rebuilt.values())
    assert set(bpy.data.objects) - before == set(station) | set(rebuilt.values())
    assert not any(scene_cache.ROLE in obj for obj in bpy.data.objects)


@pytest.mark.blender
def test_renders_are_the_same_bytes_built_cached_and_uncached(tmp_path, write_config, monkeypatch):
    config = write_config(end_day=1, cams=[0], resolution=[64, 36])
    pixels = {}
    for run in ("off", "cold", "warm"):
        monkeypatch.setenv("ALLO_CACHE_DIR", "off" if run == "off" else str(tmp_path / "cache"))
        result = run_cli("render", "--config", config, "--exp_num", {"off": 1, "cold": 2,
                                                                       "warm": 3}[run])
        assert result.returncode == 0, result.stderr
        exp = tmp_path / "renders" / f"exp_{ {'off': 1, 'cold': 2, 'warm': 3}[run]}"
        pixels[run] = {path.relative_to(exp): np.asarray(Image.open(path))
                       for path in sorted(exp.rglob("*.png"))}
        assert pixels[run], f"no images from the {run} run"
    assert len(list((tmp_path / "cache").glob("builtin_scene-*.blend"))) == 1
    for run in ("cold", "warm"):
        assert pixels[run].keys() == pixels["off"].keys()
        for name, image in pixels["off"].items():
            assert np.array_equal(pixels[run][name], image), (run, name)
