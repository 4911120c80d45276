"""The day at a glance in the 3D view: direction markers toward the Sun, the Earth and the Moon
beside the station, the viewport framed on the station and lit as the render will be, and a
view from the station at a body's true apparent size.

The markers live in a collection of their own that renders never see (hide_render on the
collection and on each object); a batch builds its scene afresh, so they never reach one.
"""

from __future__ import annotations

import bmesh
import bpy
from mathutils import Vector

from ..core.ephemeris.bodies import BODIES
from ..core.ephemeris.reader import DayGeometry
from ..core.views import day_view
from . import compat

MARKERS = "ALLO Day Markers"
STATION_VIEW = "ALLO Station View"
# bright and unlike the grey station, so they stand out (and can be counted in a screenshot)
COLOURS = {"sun": (1.0, 0.7, 0.0), "earth": (0.0, 0.35, 1.0), "moon": (0.75, 0.1, 1.0),
           "lamp": (1.0, 1.0, 0.75)}
MARKER_START, MARKER_LENGTH = 0.8, 0.4      # × the station's bounding radius
LABEL_SIZE = 0.07                           # × the station's bounding radius
VIEW_CLIP = (0.1, 10_000.0)                 # the Sun is ~4000 units away
ROLE = "allo_marker"                        # custom property: "<body> arrow" / "<body> label"


def station_sphere(stage) -> tuple[Vector, float]:
    """Centre and radius of a sphere around the station's meshes (world space)."""
    corners = [obj.matrix_world @ Vector(c) for obj in stage.station for c in obj.bound_box]
    low = Vector(min(c[i] for c in corners) for i in range(3))
    high = Vector(max(c[i] for c in corners) for i in range(3))
    return (low + high) / 2, (high - low).length / 2


def show_markers(stage, geometry: DayGeometry) -> dict[str, str]:
    """Arrows from the station toward each body, each with a label at its tip; the sun lamp
    moves beside the Sun's arrow so its direction line is in view. Returns body -> label."""
    collection = _collection(stage.scene)
    collection.hide_viewport = False          # (View from Station hides them)
    _, radius = station_sphere(stage)
    start, length = MARKER_START * radius, MARKER_LENGTH * radius
    found = {obj.get(ROLE): obj for obj in collection.objects}
    labels = {}
    for name in BODIES:
        body = geometry.body(name)
        tail, tip = (Vector(p) for p in day_view.marker_segment(body, start, length))
        arrow = found.get(f"{name} arrow") or _arrow(collection, name)
        arrow.location = tail
        arrow.rotation_euler = (tip - tail).to_track_quat("Z", "Y").to_euler()
        arrow.scale = (length,) * 3
        labels[name] = day_view.marker_label(name, geometry)
        label = found.get(f"{name} label") or _label(collection, name)
        label.data.body = labels[name]
        label.data.size = LABEL_SIZE * radius
        label.location = tip + (tip - tail).normalized() * 0.05 * radius
    sun = Vector(day_view.direction(geometry.sun))
    stage.sun_lamp.location = sun * (start + 1.3 * length)   # a sun lamp's place does not light
    _show_lamp(collection, found.get("lamp arrow"), stage.sun_lamp, sun, start, length)
    return labels


def _show_lamp(collection, arrow, lamp, sun, start, length) -> None:
    """A short arrow beside the Sun's along the light the sun lamp casts (its -Z axis): what
    the lamp really does, next to where the ephemeris says the Sun is."""
    # from its rotation (parentless): matrix_world waits for the next depsgraph update
    light = (lamp.rotation_euler.to_matrix() @ Vector((0.0, 0.0, -1.0))).normalized()
    arrow = arrow or _arrow(collection, "lamp")
    arrow.location = sun * (start + 0.8 * length) + sun.orthogonal().normalized() * 0.35 * length
    arrow.rotation_euler = light.to_track_quat("Z", "Y").to_euler()
    arrow.scale = (0.6 * length,) * 3


def remove_markers(scene) -> None:
    collection = bpy.data.collections.get(MARKERS)
    if collection is not None:
        for obj in list(collection.objects):
            bpy.data.objects.remove(obj, do_unlink=True)
        bpy.data.collections.remove(collection)


def marker_objects(scene) -> list:
    collection = bpy.data.collections.get(MARKERS)
    return list(collection.objects) if collection else []


def _collection(scene):
    collection = bpy.data.collections.get(MARKERS)
    if collection is None:
        collection = bpy.data.collections.new(MARKERS)
    if collection.name not in scene.collection.children:
        scene.collection.children.link(collection)
    collection.hide_render = True
    return collection


def _material(name: str):
    material = bpy.data.materials.get(f"ALLO Marker {name}")
    if material is None:
        material = bpy.data.materials.new(f"ALLO Marker {name}")
        compat.use_nodes(material)
        nodes = material.node_tree.nodes
        nodes.clear()
        emission = nodes.new("ShaderNodeEmission")
        emission.inputs["Color"].default_value = (*COLOURS[name], 1.0)
        emission.inputs["Strength"].default_value = 1.0
        output = nodes.new("ShaderNodeOutputMaterial")
        material.node_tree.links.new(emission.outputs[0], output.inputs["Surface"])
    material.diffuse_color = (*COLOURS[name], 1.0)   # the Solid view's colour
    return material


def _arrow(collection, name: str):
    """A unit arrow along +Z from the origin: a thin shaft and a cone tip."""
    mesh = bpy.data.meshes.new(f"ALLO Marker {name}")
    bm = bmesh.new()
    try:
        shaft = bmesh.ops.create_cone(bm, cap_ends=True, segments=12, radius1=0.02,
                                      radius2=0.02, depth=0.8)
        bmesh.ops.translate(bm, vec=(0, 0, 0.4), verts=shaft["verts"])
        tip = bmesh.ops.create_cone(bm, cap_ends=True, segments=12, radius1=0.07,
                                    radius2=0.0, depth=0.2)
        bmesh.ops.translate(bm, vec=(0, 0, 0.9), verts=tip["verts"])
        bm.to_mesh(mesh)
    finally:
        bm.free()
    mesh.materials.append(_material(name))
    title = day_view.BODY_TITLES.get(name, "Sun Lamp")
    obj = bpy.data.objects.new(f"ALLO Marker {title}", mesh)
    obj[ROLE] = f"{name} arrow"
    obj.hide_render = True
    collection.objects.link(obj)
    return obj


def _label(collection, name: str):
    """A text object in the marker's colour (an object name drawn by the overlay is dark grey:
    unreadable against black space)."""
    curve = bpy.data.curves.new(f"ALLO Label {name}", "FONT")
    curve.materials.append(_material(name))
    obj = bpy.data.objects.new(f"ALLO Label {day_view.BODY_TITLES[name]}", curve)
    obj[ROLE] = f"{name} label"
    obj.hide_render = True
    collection.objects.link(obj)
    return obj


def face_view(scene, rotation) -> None:
    """Turn the labels to face a 3D view (its rotation), so they read from where it looks."""
    for obj in marker_objects(scene):
        if obj.get(ROLE, "").endswith("label"):
            obj.rotation_euler = rotation.to_euler()


# --- the 3D views ----------------------------------------------------------------------------
def view3d_areas(screen):
    return [a for a in (screen.areas if screen else ()) if a.type == "VIEW_3D"]


def frame_station(context, stage) -> None:
    """Every 3D view of the window looks at the station, its markers whole in the part the
    sidebar leaves visible, from where the view already looks (set from the region's size and
    the view's lens, the way View Selected does, without touching the selection)."""
    _, radius = station_sphere(stage)
    reach = radius * (MARKER_START + MARKER_LENGTH)      # the labels at the arrows' tips
    for area in view3d_areas(context.screen):
        space = area.spaces.active
        view = space.region_3d
        region = next(r for r in area.regions if r.type == "WINDOW")
        covered = sum(r.width for r in area.regions if r.type == "UI" and r.width > 1
                      and r.x > region.x + region.width / 2 and r.x < region.x + region.width)
        distance, shift = day_view.fit_view(reach, space.lens, region.width, region.height,
                                            covered, margin=1.0)
        space.clip_start, space.clip_end = VIEW_CLIP
        view.view_perspective = "PERSP"
        view.view_distance = distance
        view.view_location = view.view_rotation @ Vector((shift, 0.0, 0.0))   # station: origin
        face_view(stage.scene, view.view_rotation)
        area.tag_redraw()


def set_lit(screen, lit: bool) -> None:
    """Material Preview lit by the scene's own sun lamp and black world (as rendered), or
    back to Solid."""
    for area in view3d_areas(screen):
        shading = area.spaces.active.shading
        if lit:
            shading.type = "MATERIAL"
            shading.use_scene_lights = shading.use_scene_world = True
        else:
            shading.type = "SOLID"
        area.tag_redraw()


def is_lit(screen) -> bool:
    return any(a.spaces.active.shading.type in {"MATERIAL", "RENDERED"}
               for a in view3d_areas(screen))


def view_from_station(stage, geometry: DayGeometry, name: str, screen=None):
    """A camera at the station looking at `name`, whose lens shows the body at its true
    apparent size (a third of the view's width); the 3D views look through it."""
    camera = bpy.data.objects.get(STATION_VIEW)
    if camera is None:
        camera = bpy.data.objects.new(STATION_VIEW, bpy.data.cameras.new(STATION_VIEW))
        stage.scene.collection.objects.link(camera)   # not with the markers: hidden below
        camera[ROLE] = "station view"
    body = geometry.body(name)
    camera.data.sensor_width = day_view.SENSOR_MM
    camera.data.sensor_fit = "HORIZONTAL"
    camera.data.lens = day_view.lens_for(2 * body.angular_radius_deg)
    # at the station's origin (the ephemeris' point of view), seeing past its own hull and the
    # markers: nothing nearer than clip_start is drawn
    _, radius = station_sphere(stage)
    reach = max([(obj.matrix_world @ Vector(b)).length for obj in stage.station
                 for b in obj.bound_box] + [(MARKER_START + MARKER_LENGTH) * radius])
    camera.data.clip_start, camera.data.clip_end = 1.2 * reach, 2 * body.distance + 10
    _collection(stage.scene).hide_viewport = True   # the arrow would stand in front of the body
    camera.location = (0.0, 0.0, 0.0)
    camera.rotation_euler = Vector(body.position).to_track_quat("-Z", "Y").to_euler()
    stage.scene.camera = camera
    for area in view3d_areas(screen):
        area.spaces.active.region_3d.view_perspective = "CAMERA"
        area.tag_redraw()
    return camera
