"""Append the user's own models: the original pipeline's asset folders.

The original appends, by name, the object `ISS` from ISS.blend, `moon`/`earth`/`sun` from
moon.blend/earth.blend/sun.blend (its `cad_models_path`) and `<name>` from `<name>.blend` for
each anomaly (its `anomalies_path`). We do the same through `bpy.data.libraries.load`, with a
clear error when the file or the object is missing, and without appending a second copy when the
same object from the same file is already in this Blender session.
"""

from __future__ import annotations

import os

import bpy

from ..core.errors import UserError

SOURCE_KEY = "allo_source"  # custom property: "<absolute .blend path>|<object name>"


def append_object(blend_path, object_name: str, collection, copy: bool = False) -> bpy.types.Object:
    """Append `object_name` from `blend_path` into `collection`, or reuse the copy appended before.

    With copy=True the appended object stays out of every scene as a template and a new copy
    (own mesh and materials, so colour changes never leak) is linked instead: anomalies are
    added and removed once per camera-day.
    """
    path = _existing(blend_path, object_name)
    source = f"{path}|{object_name}"
    obj = _already_appended(source)
    if obj is None:
        obj = _append(path, object_name)
        obj[SOURCE_KEY] = source
    if copy:
        obj = _fresh_copy(obj)
    if collection not in obj.users_collection:
        collection.objects.link(obj)
    return obj


def check_object(blend_path, object_name: str) -> None:
    """Raise UserError unless `blend_path` holds `object_name`; appends nothing."""
    path = _existing(blend_path, object_name)
    available = _object_names(path)
    if object_name not in available:
        listing = ", ".join(sorted(available)) or "none"
        raise UserError(f"{path}: no object named {object_name!r}; objects in this file: {listing}")


def _existing(blend_path, object_name: str) -> str:
    path = os.path.abspath(os.fspath(blend_path))
    if not os.path.isfile(path):
        raise UserError(f"{path}: model file not found (expected a .blend holding an object named "
                        f"{object_name!r})")
    return path


def _object_names(path: str) -> list[str]:
    try:
        with bpy.data.libraries.load(path, link=False) as (data_from, _):
            return list(data_from.objects)
    except OSError as exc:
        raise UserError(f"{path}: cannot read this .blend file ({exc})") from exc


def _fresh_copy(template) -> bpy.types.Object:
    obj = template.copy()
    del obj[SOURCE_KEY]
    if template.data is not None:
        obj.data = template.data.copy()
        for index, material in enumerate(obj.data.materials):
            if material is not None:
                obj.data.materials[index] = material.copy()
    for slot in obj.material_slots:
        if slot.link == "OBJECT" and slot.material is not None:
            slot.material = slot.material.copy()
    return obj


def _already_appended(source: str):
    for obj in bpy.data.objects:
        if obj.get(SOURCE_KEY) == source and obj.library is None:
            return obj
    return None


def _append(path: str, object_name: str) -> bpy.types.Object:
    try:
        with bpy.data.libraries.load(path, link=False) as (data_from, data_to):
            available = list(data_from.objects)
            if object_name in available:
                data_to.objects = [object_name]
    except OSError as exc:
        raise UserError(f"{path}: cannot read this .blend file ({exc})") from exc
    if object_name not in available:
        listing = ", ".join(sorted(available)) or "none"
        raise UserError(f"{path}: no object named {object_name!r}; objects in this file: {listing}")
    obj = data_to.objects[0]
    if obj is None:  # Blender could not append it (e.g. a broken library reference)
        raise UserError(f"{path}: object {object_name!r} could not be appended")
    return obj
