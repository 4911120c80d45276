"""Days on Blender's timeline: frame = day + the panel's offset.

A frame_change_post handler (persistent: it survives opening a file; added and removed with the
add-on) sets the day slider to the frame's day; the slider's own update previews that day and
moves the frame to it. Each side changes the other only when they differ, so neither calls back
into itself. Renders pause the handler (`paused()`): a batch, which renders day by day on its
own, never sees the timeline move its bodies.
"""

from __future__ import annotations

import contextlib

import bpy
from bpy.app.handlers import persistent

from ..core.views.day_view import day_for_frame, frame_for_day

_paused = [0]


@contextlib.contextmanager
def paused():
    _paused[0] += 1
    try:
        yield
    finally:
        _paused[0] -= 1


@persistent
def on_frame_change(scene, depsgraph=None):
    if _paused[0] or not hasattr(scene, "allo") or _batch_running():
        return
    from . import preview
    settings = scene.allo
    day = day_for_frame(scene.frame_current, settings.day_frame_offset)
    ephemeris = preview.loaded(settings)
    if day == settings.preview_day or ephemeris is None or day not in ephemeris.days:
        return   # in step already, or a frame with no usable row: the panel says which
    settings.preview_day = day   # its update previews the day (properties._update_preview)


def _batch_running() -> bool:
    """A batch renders from the panel (modal, one image per tick): scrubbing between its images
    must not move the bodies of the scene it renders."""
    from .. import runtime
    state = runtime.get()
    return bool(state and state.rendering)


def follow_day(settings) -> None:
    """The slider moved: the timeline's frame follows (only when it differs)."""
    scene = settings.id_data
    frame = frame_for_day(settings.preview_day, settings.day_frame_offset)
    if not _paused[0] and scene.frame_current != frame:
        scene.frame_current = frame


def span_days(settings, ephemeris) -> tuple[int, int]:
    """Make the scene's frame range cover the ephemeris' rows; returns that range."""
    scene = settings.id_data
    scene.frame_start = frame_for_day(0, settings.day_frame_offset)
    scene.frame_end = frame_for_day(max(0, len(ephemeris) - 1), settings.day_frame_offset)
    follow_day(settings)
    return scene.frame_start, scene.frame_end


def register() -> None:
    if on_frame_change not in bpy.app.handlers.frame_change_post:
        bpy.app.handlers.frame_change_post.append(on_frame_change)


def unregister() -> None:
    while on_frame_change in bpy.app.handlers.frame_change_post:
        bpy.app.handlers.frame_change_post.remove(on_frame_change)
