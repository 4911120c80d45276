"""The dataset browser's Blender side: one image of a dataset shown in an image editor (as it is,
with its masks laid over it, or the 3-class mask alone) and the camera put where it was rendered.

The shown picture is composed in memory (core/views/mask_overlay.py) into one generated image,
"ALLO Dataset Image"; nothing is written into the dataset folder. The opened dataset lives for
the Blender session only, like the preview's ephemeris (scene/preview.py).
"""

from __future__ import annotations

from pathlib import Path

import bpy
import numpy as np
from mathutils import Euler

from ..core.errors import UserError
from ..core.views.dataset_browser import Dataset, Entry, Pose, open_dataset
from ..core.views.mask_overlay import classes_from_masks, compose

IMAGE_NAME = "ALLO Dataset Image"
_state: dict = {"dataset": None, "loaded": None}   # loaded: (root, image, rgb, classes)


def open_folder(folder) -> Dataset:
    _state["dataset"] = open_dataset(Path(bpy.path.abspath(str(folder))))
    _state["loaded"] = None
    return _state["dataset"]


def current(folder) -> Dataset | None:
    """The opened dataset when it is `folder`'s, else None."""
    dataset = _state["dataset"]
    if dataset is not None and dataset.root == Path(bpy.path.abspath(str(folder))):
        return dataset
    return None


# --- the image editor --------------------------------------------------------------------

def show(dataset: Dataset, entry: Entry, view: str, context=None) -> bpy.types.Image:
    """Compose `view` of entry into IMAGE_NAME, and show it in an image editor of the context's
    window (if there is one) right after; the image and its masks are read once per entry."""
    loaded = _state["loaded"]
    if loaded is None or loaded[:2] != (dataset.root, entry.image):
        rgb, classes = _read_entry(dataset.root, entry)
        loaded = _state["loaded"] = (dataset.root, entry.image, rgb, classes)
    rgb, classes = loaded[2], loaded[3]
    pixels = np.ones(classes.shape + (4,), dtype=np.float32)
    pixels[..., :3] = compose(rgb, classes, view)
    image = memory_image(IMAGE_NAME, pixels)
    window = getattr(context, "window", None) if context is not None else None
    # Without Blender's event loop (the bpy module, blender -b) no timer ever runs, and bpy 4.5
    # hangs at exit on a timer left pending: only a real window gets one.
    if window is not None and not bpy.app.background:
        # not now: a click in the list runs this inside the sidebar's event handling, and
        # splitting or retyping the area that holds the sidebar there would pull the region
        # being handled away under it. A timer runs after the handler, as an operator would.
        pointer, name = window.as_pointer(), image.name
        bpy.app.timers.register(lambda: _show_in_window(pointer, name), first_interval=0.0)
    return image


def _show_in_window(pointer: int, name: str) -> None:
    """Show image `name` in an image editor of the window at `pointer`, if both are still
    there; zoomed to fit when it was not shown there already (a toggle keeps the user's zoom)."""
    image = bpy.data.images.get(name)
    window = next((w for w in bpy.context.window_manager.windows if w.as_pointer() == pointer),
                  None)
    if image is None or window is None:
        return None
    with bpy.context.temp_override(window=window, screen=window.screen):
        editor = image_editor(bpy.context)
        if editor.spaces.active.image != image:
            editor.spaces.active.image = image
            fit(bpy.context, editor)
    return None   # (once: a timer that returns None is not run again)


def fit(context, editor) -> None:
    """Zoom the editor to the image (a 64×36 test render is a speck at 1:1)."""
    region = next((r for r in editor.regions if r.type == "WINDOW"), None)
    if region is None:
        return
    try:
        with context.temp_override(window=context.window, area=editor, region=region):
            bpy.ops.image.view_all(fit_view=True)
    except RuntimeError:
        pass   # a region not drawn yet: the user zooms with Home


def _read_entry(root: Path, entry: Entry):
    """(rgb H×W×3, classes H×W) in Blender's row order (bottom row first)."""
    rgba = read_png(root / entry.image)
    if not entry.masks:
        raise UserError(f"the manifest record of {entry.image} names no mask file; expected "
                        f"'masks' (an exp folder) or 'mask' (a split folder)")
    planes = [np.rint(read_png(root / mask)[..., 0] * 255).astype(np.uint8)
              for mask in entry.masks]
    for mask, plane in zip(entry.masks, planes):
        if plane.shape != rgba.shape[:2]:
            raise UserError(f"{root / mask} is {plane.shape[1]}×{plane.shape[0]} pixels but its "
                            f"image {root / entry.image} is {rgba.shape[1]}×{rgba.shape[0]}")
    if entry.three_class:
        classes = np.minimum(planes[0], 2)
    else:
        classes = classes_from_masks(planes[0], planes[1] if len(planes) > 1 else None)
    return rgba[..., :3], classes


def read_png(path: Path) -> np.ndarray:
    """A PNG's pixels as H×W×4 floats (0..1, bottom row first), read by Blender itself, as its
    image editor would read the file (8-bit PNGs: the bytes / 255); the datablock is removed."""
    if not path.is_file():
        raise UserError(f"{path} is missing (the manifest lists it); render or post-process "
                        f"that folder again")
    try:
        image = bpy.data.images.load(str(path), check_existing=False)
    except RuntimeError as error:
        raise UserError(f"cannot read {path}: {error}") from None
    try:
        width, height = image.size
        if width == 0 or height == 0:
            raise UserError(f"cannot read {path}: not an image Blender can open")
        pixels = np.empty(width * height * 4, dtype=np.float32)
        image.pixels.foreach_get(pixels)
        return pixels.reshape(height, width, 4)
    finally:
        bpy.data.images.remove(image)


def memory_image(name: str, pixels: np.ndarray) -> bpy.types.Image:
    """Blender image `name` holding `pixels` (H×W×4 floats, bottom row first), in memory only:
    the one of that name is reused when its size fits (an editor showing it keeps it, zoom
    included), else replaced."""
    height, width = pixels.shape[:2]
    image = bpy.data.images.get(name)
    if image is not None and tuple(image.size) != (width, height):
        bpy.data.images.remove(image)
        image = None
    if image is None:   # 8 bits a channel, sRGB: the PNG's bytes are shown as they are
        image = bpy.data.images.new(name, width, height, alpha=True)
    image.pixels.foreach_set(np.ascontiguousarray(pixels, np.float32).ravel())
    image.update()
    return image


def image_editor(context):
    """An image editor of the window: one that is there, else the largest 3D view split in two
    (the left half becomes the image editor, the right keeps the sidebar)."""
    screen = context.screen
    for area in screen.areas:
        if area.type == "IMAGE_EDITOR":
            return area
    views = [a for a in screen.areas if a.type == "VIEW_3D"]
    if views:
        view = max(views, key=lambda a: a.width * a.height)
        before = {a.as_pointer() for a in screen.areas}
        region = next(r for r in view.regions if r.type == "WINDOW")
        try:
            with context.temp_override(window=context.window, screen=screen, area=view,
                                       region=region):
                bpy.ops.screen.area_split(direction="VERTICAL", factor=0.5)
        except RuntimeError:
            pass   # (a screen too small to split) change an area instead, below
        halves = [a for a in screen.areas if a.as_pointer() not in before] + [view]
        if len(halves) == 2:
            left = min(halves, key=lambda a: a.x)
            left.type = "IMAGE_EDITOR"
            return left
    largest = max(screen.areas, key=lambda a: a.width * a.height)
    largest.type = "IMAGE_EDITOR"
    return largest


# --- the camera --------------------------------------------------------------------------

def look_through(entry: Entry, context) -> Pose:
    """Put the preview scene's camera at the pose the manifest recorded for entry (after
    jitter, with its lens and resolution) and view through it; builds the scene if needed."""
    from . import preview
    pose = entry.pose()
    settings = context.scene.allo
    stage = preview.stage()
    if stage is None:
        stage = preview.build(settings)
        if stage.scene != context.scene and context.window is not None:
            settings.copy_to(stage.scene.allo)   # as Build Scene does: the panel follows
            context.window.scene = stage.scene
    camera = stage.camera
    camera.location = pose.location
    camera.rotation_euler = Euler(pose.rotation_euler_xyz, "XYZ")
    if pose.lens_mm:
        camera.data.lens = pose.lens_mm
    if pose.sensor_width_mm:
        camera.data.sensor_width = pose.sensor_width_mm
    if pose.resolution:
        stage.scene.render.resolution_x, stage.scene.render.resolution_y = pose.resolution
        stage.scene.render.resolution_percentage = 100
    stage.scene.camera = camera
    stage.scene.view_layers[0].update()
    screen = context.screen
    for area in screen.areas if screen else ():
        if area.type == "VIEW_3D":
            area.spaces.active.region_3d.view_perspective = "CAMERA"
            _center_camera(context, area)
            area.tag_redraw()
    return pose


def _center_camera(context, area) -> None:
    """Fit the camera's frame to the view, so it reads side by side with the image."""
    region = next((r for r in area.regions if r.type == "WINDOW"), None)
    try:
        with context.temp_override(window=context.window, area=area, region=region):
            bpy.ops.view3d.view_center_camera()
    except (RuntimeError, TypeError):
        pass   # no region to fit in: the camera view is still on
