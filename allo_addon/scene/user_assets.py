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
    return _loaded_once(path, object_name, _append, collection, copy)


def _loaded_once(path: str, name: str, load, collection, copy: bool) -> bpy.types.Object:
    """`load(path, name)` the first time, the same object after; linked into `collection`."""
    source = f"{path}|{name}"
    obj = _already_appended(source)
    if obj is None:
        obj = load(path, name)
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
        raise UserError(f"{path}: cannot read this .blend file ({_one_line(exc)})") from None


def _one_line(error) -> str:
    """Blender's message of a failed load or import, on one line, without its 'Error:'."""
    text = " ".join(str(error).split())
    return text.removeprefix("Error:").strip() or type(error).__name__


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
        raise UserError(f"{path}: cannot read this .blend file ({_one_line(exc)})") from None
    if object_name not in available:
        listing = ", ".join(sorted(available)) or "none"
        raise UserError(f"{path}: no object named {object_name!r}; objects in this file: {listing}")
    obj = data_to.objects[0]
    if obj is None:  # Blender could not append it (e.g. a broken library reference)
        raise UserError(f"{path}: object {object_name!r} could not be appended")
    return obj


# --- models in other formats ---------------------------------------------------------------
MODEL_SUFFIXES = (".blend", ".glb", ".gltf", ".obj", ".fbx")
_IMPORTERS = {  # suffix -> bpy.ops path; all three keep metres (FBX applies its unit scale)
    ".glb": ("import_scene", "gltf"),
    ".gltf": ("import_scene", "gltf"),
    ".obj": ("wm", "obj_import"),
    ".fbx": ("import_scene", "fbx"),
}


def find_model(folder, name: str):
    """`<folder>/<name>` with the first suffix that exists (.blend, .glb, .gltf, .obj, .fbx)."""
    folder = os.path.abspath(os.fspath(folder))
    for suffix in MODEL_SUFFIXES:
        path = os.path.join(folder, name + suffix)
        if os.path.isfile(path):
            return path
    raise UserError(f"{folder}: no model for {name!r}; expected one of "
                    f"{', '.join(name + s for s in MODEL_SUFFIXES)}")


def check_model(folder, name: str) -> None:
    """Raise UserError unless the model `name` in `folder` can be used. A .blend is only read
    for its object names; a glTF/OBJ/FBX file must be imported to know, so it is imported now
    and kept (unlinked) for load_model to reuse."""
    path = find_model(folder, name)
    if path.endswith(".blend"):
        check_object(path, name)
    elif _already_appended(f"{path}|{name}") is None:
        _import_joined(path, name)[SOURCE_KEY] = f"{path}|{name}"


def load_model(folder, name: str, collection, copy: bool = False) -> bpy.types.Object:
    """The model `name` from `folder`: an object of that name from a .blend, or everything a
    glTF/OBJ/FBX file holds, joined into one mesh object called `name`."""
    path = find_model(folder, name)
    if path.endswith(".blend"):
        return append_object(path, name, collection, copy=copy)
    return _loaded_once(path, name, _import_joined, collection, copy)


def _import_joined(path: str, name: str) -> bpy.types.Object:
    module, operator = _IMPORTERS[os.path.splitext(path)[1].lower()]
    before = set(bpy.data.objects)
    try:
        getattr(getattr(bpy.ops, module), operator)(filepath=path)
    except RuntimeError as error:
        _remove_new_objects(before)
        raise UserError(f"{path}: Blender could not import this file "
                        f"({_one_line(error)})") from None
    imported = [o for o in bpy.data.objects if o not in before]
    meshes = [o for o in imported if o.type == "MESH"]
    if not meshes:
        for obj in imported:
            bpy.data.objects.remove(obj, do_unlink=True)
        raise UserError(f"{path}: holds no mesh to use as {name!r}")
    joined = _join(meshes, name)
    for obj in imported:
        data = obj.data if obj.type == "MESH" else None
        bpy.data.objects.remove(obj, do_unlink=True)
        if data is not None and data.users == 0:
            bpy.data.meshes.remove(data)
    return joined


def _remove_new_objects(before) -> None:
    """What a failed import left behind (some importers add objects before they fail)."""
    for obj in [o for o in bpy.data.objects if o not in before]:
        bpy.data.objects.remove(obj, do_unlink=True)


def _join(objects, name: str) -> bpy.types.Object:
    """One mesh from several objects, in world space, keeping every material."""
    import bmesh
    bm = bmesh.new()
    materials = []
    for obj in objects:
        mesh = obj.data.copy()
        mesh.transform(obj.matrix_world)
        offset = len(materials)
        materials.extend(mesh.materials)
        for polygon in mesh.polygons:
            polygon.material_index += offset
        bm.from_mesh(mesh)
        bpy.data.meshes.remove(mesh)
    mesh = bpy.data.meshes.new(name)
    bm.to_mesh(mesh)
    bm.free()
    for material in materials:
        mesh.materials.append(material)
    return bpy.data.objects.new(name, mesh)
