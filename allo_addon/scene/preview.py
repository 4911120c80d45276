"""What the panel shows between renders: the loaded ephemeris and the preview scene.

Both live for the Blender session only (an Ephemeris and a StationScene are Python objects, not
saved in the .blend, and no Blender property can hold them); Load and Build Scene make them
again after a file is opened. They are one explicit object, `session` (PreviewSession), that
only this module's functions change.
"""

from __future__ import annotations

from pathlib import Path

import bpy
from mathutils import Vector

from ..core.dataset.batch_request import DEFAULT_EPHEMERIS
from ..core.dataset.poses import CameraPose, load_pose_table
from ..core.ephemeris.reader import Ephemeris, load_ephemeris
from ..core.errors import UserError
from .assembly import StationScene


class PreviewSession:
    """The loaded ephemeris, the preview scene and its objects' names."""

    def __init__(self):
        self.ephemeris: Ephemeris | None = None
        self.stage: StationScene | None = None
        self.names: dict | None = None

    def clear(self) -> None:
        self.__init__()


session = PreviewSession()


def ephemeris_file(settings) -> Path:
    return Path(bpy.path.abspath(settings.ephemeris_path)) if settings.ephemeris_path \
        else DEFAULT_EPHEMERIS


def load(settings) -> Ephemeris:
    session.ephemeris = load_ephemeris(ephemeris_file(settings))
    return session.ephemeris


def loaded(settings) -> Ephemeris | None:
    """The loaded ephemeris when it is the settings' file, else None."""
    ephemeris = session.ephemeris
    if ephemeris is not None and ephemeris.path == ephemeris_file(settings):
        return ephemeris
    return None


def stage() -> StationScene | None:
    """The preview scene, or None when it was never built or its objects are gone.

    Its objects are found again by name each time: undo and file loading free the Python
    references Blender handed out earlier, and a batch rebuilds the objects under the same names.
    """
    current, names = session.stage, session.names
    if current is None:
        return None
    scene = bpy.data.scenes.get(names["scene"])
    objects = {attr: bpy.data.objects.get(name) for attr, name in names["objects"].items()}
    bodies = {body: bpy.data.objects.get(name) for body, name in names["bodies"].items()}
    if scene is None or None in objects.values() or None in bodies.values():
        session.stage = None
        return None
    current.scene, current.bodies = scene, bodies
    for attr, obj in objects.items():
        setattr(current, attr, obj)
    return current


def build(settings) -> StationScene:
    adopt(StationScene(settings.to_config()))
    return session.stage


def adopt(station_scene: StationScene | None) -> None:
    """This scene (built here, or by a batch) becomes the preview scene."""
    if station_scene is None:
        return
    session.stage = station_scene
    session.names = {
        "scene": station_scene.scene.name,
        "objects": {attr: getattr(station_scene, attr).name
                    for attr in ("sun_lamp", "camera", "spot")},
        "bodies": {body: obj.name for body, obj in station_scene.bodies.items()},
    }


def preview_day(settings, day: int):
    """Move the bodies and the sun lamp to `day`; returns that DayGeometry."""
    ephemeris, current = loaded(settings), stage()
    if ephemeris is None:
        raise UserError("load an ephemeris first (Ephemeris ▸ Load)")
    if current is None:
        current = build(settings)
    geometry = ephemeris.day(day)
    current.apply_day(geometry)
    current.apply_image(settings.default_sun_strength)
    from .day_view import show_markers
    show_markers(current, geometry)
    current.scene.view_layers[0].update()
    return geometry


def follow_slider(settings) -> None:
    """The day slider moved: preview it when the scene and ephemeris are there (quietly)."""
    if stage() is None or loaded(settings) is None:
        return
    try:
        preview_day(settings, settings.preview_day)
    except UserError as error:  # a corrupt row: the panel shows why; nothing to raise into
        from ..core.logs import LOGGER
        LOGGER.warning("ALLO preview: %s", error)


def camera_pose(settings) -> CameraPose:
    table = load_pose_table(settings.to_config().pose_table)
    return table.pose(settings.camera_split, settings.camera_index)


def look_through(settings, context) -> CameraPose:
    """Put the camera at the settings' table row (no per-day jitter) and view through it."""
    current = stage() or build(settings)
    pose = camera_pose(settings)
    current.set_camera(pose)
    current.scene.camera = current.camera
    screen = context.screen
    for area in screen.areas if screen else ():
        if area.type == "VIEW_3D":
            area.spaces.active.region_3d.view_perspective = "CAMERA"
            area.tag_redraw()
    return pose


def sun_direction(station_scene: StationScene) -> Vector:
    """Where the sun lamp's light travels (its -Z axis), in world space."""
    return (station_scene.sun_lamp.matrix_world.to_3x3() @ Vector((0.0, 0.0, -1.0))).normalized()
