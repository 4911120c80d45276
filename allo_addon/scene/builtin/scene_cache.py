"""The built-in station and bodies from a cached .blend when one is current, else built and
cached (core/assets/build_cache.py says where and when a file is current).

Appending gives the same objects, meshes, materials and images a build makes (same names,
same data), so renders are the same bytes either way (tests/test_scene_cache.py). Anything that
goes wrong with the cache costs only the time: the scene is then built as before.
"""

from __future__ import annotations

import os
from pathlib import Path

import bpy

from ...core.assets.build_cache import cache_folder, code_key
from ...core.logs import LOGGER
from ...core.ephemeris.bodies import BODIES
from . import bodies as builtin_bodies
from . import station as builtin_station

ROLE = "allo_cache_role"     # custom property naming each object's place, in the file only


def station_and_bodies(station_collection, body_collection):
    """(station objects in build order, {body name: object}), linked into the collections."""
    path = cached_file()
    if path is not None and path.is_file():
        try:
            return _append(path, station_collection, body_collection)
        except (OSError, RuntimeError, ValueError) as error:
            LOGGER.warning("ALLO: built-in scene cache %s unreadable (%s); building instead",
                           path, error)
    station = builtin_station.build_station(station_collection)
    bodies = {name: builtin_bodies.build_body(name, body_collection) for name in BODIES}
    if path is not None:
        _write(path, station, bodies)
    return station, bodies


def cached_file() -> Path | None:
    folder = cache_folder()
    if folder is None:
        return None
    return folder / f"builtin_scene-{code_key(bpy.app.version_string)}.blend"


def _write(path: Path, station, bodies) -> None:
    roles = [(obj, f"station:{i}") for i, obj in enumerate(station)]
    roles += [(obj, f"body:{name}") for name, obj in bodies.items()]
    temporary = path.with_name(f".{path.stem}.{os.getpid()}.tmp.blend")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for obj, role in roles:
            obj[ROLE] = role
        # absolute paths: the Earth's maps stay files of the add-on (the key holds its folder)
        bpy.data.libraries.write(str(temporary), {obj for obj, _ in roles},
                                 path_remap="ABSOLUTE", compress=False)
        os.replace(temporary, path)
    except (OSError, RuntimeError) as error:
        LOGGER.warning("ALLO: could not cache the built-in scene in %s (%s)", path.parent, error)
    finally:
        for obj, _ in roles:
            if ROLE in obj:
                del obj[ROLE]
        temporary.unlink(missing_ok=True)


def _append(path: Path, station_collection, body_collection):
    """The file's objects, linked into the collections only once the file proved whole: a
    file that is not leaves nothing in the scene (the caller builds instead)."""
    with bpy.data.libraries.load(str(path), link=False) as (source, loaded):
        loaded.objects = list(source.objects)
    objects = [obj for obj in loaded.objects if obj is not None]
    roles = [obj.get(ROLE, "").partition(":")[::2] for obj in objects]
    station = {int(name): obj for (kind, name), obj in zip(roles, objects)
               if kind == "station" and name.isdigit()}
    bodies = {name: obj for (kind, name), obj in zip(roles, objects) if kind == "body"}
    if (len(station) + len(bodies) != len(objects) or sorted(station) != list(range(len(station)))
            or set(bodies) != set(BODIES)):
        for obj in objects:
            bpy.data.objects.remove(obj)
        raise ValueError("the file does not hold the whole built-in scene")
    for obj in objects:
        del obj[ROLE]
    for i in range(len(station)):
        station_collection.objects.link(station[i])
    for name in BODIES:
        body_collection.objects.link(bodies[name])
    return [station[i] for i in range(len(station))], {name: bodies[name] for name in BODIES}
