"""Drive the ALLO sidebar in a real Blender window, step by step, and screenshot each state.

Run by scripts/e2e.sh inside real Blender under Xvfb (paths relative to the repository):

    blender --factory-startup --python scripts/e2e_gui.py -- --zip dist/allo-0.1.0.zip \\
        --config build/e2e/render_config.yaml --out build/e2e

Installs the zip with the operator behind Preferences ▸ Get Extensions ▸ Install from Disk,
opens View3D ▸ Sidebar ▸ ALLO, imports the config, loads the ephemeris, builds the scene,
previews a day, looks through a camera, then starts an anomalous batch with 'INVOKE_DEFAULT'
(the modal path a button click takes) and waits for it; then opens the Dataset browser on the
batch, selects an anomalous image (shown in an image editor with its masks) and looks through
its recorded camera pose. Writes <out>/e2e_report.json and
screenshots <out>/gui_*.png, then quits. Every step's error lands in the report's "errors".
"""

import argparse
import importlib
import json
import subprocess
import sys
import time
import traceback
from pathlib import Path

import bpy
from mathutils import Vector

ADDON = "bl_ext.user_default.allo"


def parse_args():
    argv = sys.argv[sys.argv.index("--") + 1:] if "--" in sys.argv else []
    parser = argparse.ArgumentParser()
    parser.add_argument("--zip", type=Path, required=True)
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--day", type=int, default=17)
    parser.add_argument("--camera", type=int, default=1)
    return parser.parse_args(argv)


ARGS = parse_args()
REPORT = {"blender": bpy.app.version_string, "steps": [], "errors": [], "screenshots": []}


def view3d():
    window = bpy.context.window_manager.windows[0]
    area = max((a for a in window.screen.areas if a.type == "VIEW_3D"),
               key=lambda a: a.width * a.height)
    region = next(r for r in area.regions if r.type == "WINDOW")
    return window, area, region


def call(operator, *args, **props):
    """Run an operator as a click does: in the 3D view, pushing an undo step."""
    args = args or ("EXEC_DEFAULT", True)
    window, area, region = view3d()
    with bpy.context.temp_override(window=window, area=area, region=region):
        return sorted(operator(*args, **props))


def screenshot(name):
    """The X display as the user sees it (screen.screenshot reads back black under Xvfb)."""
    path = (ARGS.out / f"gui_{name}.png").resolve()
    view3d()[0].screen.areas[0].tag_redraw()
    bpy.ops.wm.redraw_timer(type="DRAW_WIN_SWAP", iterations=1)
    subprocess.run(["import", "-window", "root", str(path)], check=True)
    REPORT["screenshots"].append(str(path))


def settings():
    return view3d()[0].scene.allo   # timers run without a context window


def install():
    result = bpy.ops.extensions.package_install_files(
        filepath=str(ARGS.zip.resolve()), repo="user_default", enable_on_install=True)
    assert ADDON in bpy.context.preferences.addons, "the extension did not enable"
    bpy.ops.preferences.addon_disable(module=ADDON)      # unregister() …
    assert not hasattr(bpy.types.Scene, "allo"), "disabling left scene.allo behind"
    bpy.ops.preferences.addon_enable(module=ADDON)       # … and register() again
    return sorted(result)


def open_sidebar():
    _, area, _ = view3d()
    space = area.spaces.active
    space.show_region_ui = True
    space.shading.type = "SOLID"
    space.overlay.show_floor = space.overlay.show_axis_x = space.overlay.show_axis_y = False
    return space.show_region_ui


def choose_tab():
    """Click down the sidebar's tab strip until ALLO is the active tab (the category is
    read-only to Python; Blender runs with --enable-event-simulate)."""
    window, area, _ = view3d()
    ui = next(r for r in area.regions if r.type == "UI")
    if ui.active_panel_category == "ALLO":
        return ui.active_panel_category
    tries = _WATCH.setdefault("tab_tries", 0)
    y = ui.y + ui.height - 12 - 16 * tries
    if y < ui.y:
        raise RuntimeError(f"the ALLO tab never came up (at {ui.active_panel_category!r})")
    _WATCH["tab_tries"] += 1
    x = ui.x + ui.width - 10
    window.event_simulate(type="MOUSEMOVE", value="NOTHING", x=x, y=y)
    window.event_simulate(type="LEFTMOUSE", value="PRESS", x=x, y=y)
    window.event_simulate(type="LEFTMOUSE", value="RELEASE", x=x, y=y)
    STEPS.insert(0, ("choose_tab", choose_tab, 0.2))   # look again after Blender handled it
    return ui.active_panel_category


def import_config():
    result = call(bpy.ops.allo.import_config, filepath=str(ARGS.config.resolve()))
    s = settings()
    s.ephemeris_path = str(Path(sys.modules[ADDON].__file__).parent
                           / "data" / "default_ephemeris_extended.csv")
    call(bpy.ops.ed.undo_push, message="ALLO: ephemeris path")
    return result


def load_and_build():
    loaded = call(bpy.ops.allo.load_ephemeris)
    built = call(bpy.ops.allo.build_scene)
    return loaded + built + [view3d()[0].scene.name]


def preview():
    settings().preview_day = ARGS.day
    return call(bpy.ops.allo.preview_day)   # it frames the station itself (README: "The day at a glance")


def look_through():
    s = settings()
    s.camera_split, s.camera_index = "test", ARGS.camera
    result = call(bpy.ops.allo.look_through)
    view3d()[1].spaces.active.shading.type = "MATERIAL"
    return result


def undo_then_preview():
    """Undo the camera move, then preview again: no stale Python reference may survive."""
    undone = call(bpy.ops.ed.undo, "EXEC_DEFAULT")
    return undone + call(bpy.ops.allo.preview_day) + call(bpy.ops.allo.look_through)


def start_render():
    s = settings()
    return call(bpy.ops.allo.render_batch, "INVOKE_DEFAULT", from_scene=True, anomaly=True,
                exp_num=s.exp_num, modes=s.modes)


def progress():
    """The modal batch's progress (WindowManager.allo_runtime); {} when none runs."""
    state = bpy.context.window_manager.allo_runtime
    return {"done": state.done, "total": state.total, "line": state.line,
            "eta": state.eta} if state.rendering else {}


def rendered_files():
    exp = Path(bpy.path.abspath(settings().output_dir)) / f"exp_{settings().exp_num}"
    records = importlib.import_module(f"{ADDON}.core.dataset.manifest").read_records(exp)
    return {"exp": str(exp), "manifest_records": len(records),
            "pngs": len(list(exp.rglob("*.png"))),
            "partial_left": [str(p) for p in (exp / ".partial").glob("run-*/*")] +
                            [str(p) for p in (exp / ".partial").glob("claims/*")]}


# --- the day view (README: "The day at a glance"): what the screenshots must show ----
def _shot_pixels(path):  # (no PIL in Blender's Python: Blender reads the PNG)
    """The screenshot as rows bottom-up (as Blender's window coordinates), RGB 0..1."""
    import numpy as np
    image = bpy.data.images.load(str(path), check_existing=False)
    try:
        width, height = image.size
        pixels = np.empty(width * height * image.channels, np.float32)
        image.pixels.foreach_get(pixels)
        return pixels.reshape(height, width, image.channels)[:, :, :3]
    finally:
        bpy.data.images.remove(image)


def _view_box(area, inset=3):
    """(x0, x1, y0, y1) in window pixels of an area's main region, less the sidebar, toolbar
    and headers drawn over it and the area's border."""
    region = next(r for r in area.regions if r.type == "WINDOW")
    x0, x1 = region.x, region.x + region.width
    y0, y1 = region.y, region.y + region.height
    for side in (r for r in area.regions if r.type in {"UI", "TOOLS"} and r.width > 1):
        if side.x > region.x + region.width / 2:
            x1 = min(x1, side.x)
        else:
            x0 = max(x0, side.x + side.width)
    for top in (r for r in area.regions if r.type in {"HEADER", "TOOL_HEADER"} and r.height > 1):
        if y0 < top.y < y1:
            y1 = min(y1, top.y)
    return x0 + inset, x1 - inset, y0 + inset, y1 - inset


def _view_pixels(path, area):
    x0, x1, y0, y1 = _view_box(area)
    return _shot_pixels(path)[y0:y1, x0:x1]


def hide_markers(hidden):
    """Markers and overlays off (and on again): the second screenshot shows the lit station
    alone, and the pixels that differ around an arrow are that marker's."""
    collection = bpy.data.collections["ALLO Day Markers"]
    collection.hide_viewport = hidden
    space = view3d()[1].spaces.active   # and whatever else is drawn over the view
    space.overlay.show_overlays = space.show_gizmo = space.show_region_toolbar = not hidden
    return collection.hide_viewport


def measure_preview():
    """How much of the 3D view the lit station fills (over black space), and the pixels each
    marker changes around the middle of its arrow."""
    import numpy as np
    from bpy_extras.view3d_utils import location_3d_to_region_2d
    window, area, region = view3d()
    shots = {Path(p).stem: p for p in REPORT["screenshots"]}
    shown = _view_pixels(shots["gui_preview_day"], area)
    bare = _view_pixels(shots["gui_preview_no_markers"], area)
    changed = np.abs(shown - bare).max(axis=2) > 0.1
    x0, _, y0, _ = _view_box(area)
    markers = {}
    for obj in bpy.data.collections["ALLO Day Markers"].objects:
        role = obj.get("allo_marker", "")
        if role.endswith("arrow"):
            middle = obj.matrix_world @ Vector((0, 0, 0.5))
            at = location_3d_to_region_2d(region, area.spaces.active.region_3d, middle)
            if at is None:
                markers[role.split()[0]] = 0
                continue
            x, y = region.x + int(at.x) - x0, region.y + int(at.y) - y0
            markers[role.split()[0]] = int(changed[max(0, y - 7):y + 8, max(0, x - 7):x + 8].sum())
    lit = bare.max(axis=2) > 0.15   # the area's grey is 0.13
    rows, cols = np.nonzero(lit.any(axis=1))[0], np.nonzero(lit.any(axis=0))[0]
    extent = ((rows[-1] - rows[0] + 1) * (cols[-1] - cols[0] + 1) / lit.size) if len(rows) else 0
    measured = {
        "view_px": [int(shown.shape[1]), int(shown.shape[0])],
        "station_share": round(float(lit.mean()), 4),           # lit station pixels
        "station_box_share": round(float(extent), 4),           # the box around them
        "marker_pixels_at_arrow_middles": markers,
        "shading": area.spaces.active.shading.type,
    }
    REPORT.setdefault("day_view", {})["preview"] = measured
    return measured


def view_from_station():
    settings().station_view_body = "earth"
    result = call(bpy.ops.allo.view_from_station)
    return result + [round(view3d()[0].scene.camera.data.lens, 1)]


def measure_station_view():
    """The Earth, lit by the day's sun: a lit disc in the middle of the camera's frame."""
    pixels = _view_pixels(REPORT["screenshots"][-1], view3d()[1])
    share = round(float((pixels.max(axis=2) > 0.15).mean()), 4)
    REPORT.setdefault("day_view", {})["station_view_share"] = share
    return share


def scrub_timeline():
    """Click in the timeline's scrubbing strip at the frame of day + 3: the day follows."""
    call(bpy.ops.allo.timeline_days)
    window = view3d()[0]
    area = next(a for a in window.screen.areas if a.type == "DOPESHEET_EDITOR")
    region = next(r for r in area.regions if r.type == "WINDOW")
    target = bpy.context.scene.frame_current + 3
    x, _ = region.view2d.view_to_region(target, 0, clip=False)
    x, y = region.x + x, region.y + region.height - 8     # the strip along the top
    window.event_simulate(type="MOUSEMOVE", value="NOTHING", x=x, y=y)
    window.event_simulate(type="LEFTMOUSE", value="PRESS", x=x, y=y)
    window.event_simulate(type="LEFTMOUSE", value="RELEASE", x=x, y=y)
    _WATCH["scrub_target"] = target
    return target


def check_scrub():
    """Blender runs frame_change_post when it handles the frame's notifier, after the click:
    look again (up to 10 s) until the day has followed."""
    scene = view3d()[0].scene
    s = scene.allo
    result = {"frame": scene.frame_current, "target": _WATCH["scrub_target"],
              "day": s.preview_day, "offset": s.day_frame_offset}
    tries = _WATCH["scrub_tries"] = _WATCH.get("scrub_tries", 0) + 1
    if s.preview_day != scene.frame_current - s.day_frame_offset and tries < 20:
        STEPS.insert(0, ("check_scrub", check_scrub, 0.5))
    REPORT.setdefault("day_view", {})["scrub"] = result
    return result


def quick_render():
    s = settings()
    s.quick_anomaly, s.quick_masks = True, False
    return call(bpy.ops.allo.quick_render)


def measure_quick_render(masks):
    window = view3d()[0]
    area = next((a for a in window.screen.areas if a.type == "IMAGE_EDITOR"), None)
    image = area.spaces.active.image if area else None
    pixels = _view_pixels(REPORT["screenshots"][-1], area) if area else None
    result = {"editor": area is not None, "image": image.name if image else None,
              "size": list(image.size) if image else None,
              "content_share": _unlike_background(pixels) if pixels is not None else 0.0}
    REPORT.setdefault("day_view", {})["quick_render_masks" if masks else "quick_render"] = result
    return result


def _unlike_background(pixels):
    """Share of an editor's pixels unlike its most common colour (its grey background)."""
    import numpy as np
    flat = np.round(pixels.reshape(-1, 3), 2)
    colours, counts = np.unique(flat, axis=0, return_counts=True)
    background = colours[counts.argmax()]
    return round(float((np.abs(flat - background).max(axis=1) > 0.05).mean()), 4)


def show_masks():
    settings().quick_masks = True      # the toggle's update shows the overlay
    return settings().quick_masks


DAY_VIEW_STEPS = [   # after the preview's screenshot
    ("hide_markers", lambda: hide_markers(True), 0.5),
    ("shot_preview_no_markers", lambda: screenshot("preview_no_markers"), 0.3),
    ("show_markers", lambda: hide_markers(False), 0.1),
    ("measure_preview", measure_preview, 0.1),
    ("view_from_station", view_from_station, 2.0),
    ("shot_station_view", lambda: screenshot("station_view"), 0.3),
    ("measure_station_view", measure_station_view, 0.1),
    ("scrub_timeline", scrub_timeline, 1.5),
    ("check_scrub", check_scrub, 0.5),
]
QUICK_RENDER_STEPS = [   # before the batch
    ("quick_render", quick_render, 2.0),
    ("shot_quick_render", lambda: screenshot("quick_render"), 0.3),
    ("measure_quick_render", lambda: measure_quick_render(False), 0.1),
    ("show_masks", show_masks, 1.0),
    ("shot_quick_render_masks", lambda: screenshot("quick_render_masks"), 0.3),
    ("measure_quick_render_masks", lambda: measure_quick_render(True), 0.1),
]


# (name, action, seconds to wait after it before the next step)
STEPS = [
    ("install", install, 1.0),
    ("open_sidebar", open_sidebar, 1.0),
    ("choose_tab", choose_tab, 0.3),
    ("import_config", import_config, 0.5),
    ("load_and_build", load_and_build, 1.0),
    ("preview_day", preview, 2.0),
    ("shot_preview", lambda: screenshot("preview_day"), 0.5),
    *DAY_VIEW_STEPS,
    ("look_through", look_through, 4.0),
    ("shot_camera", lambda: screenshot("look_through"), 0.5),
    ("undo_then_preview", undo_then_preview, 1.0),
    *QUICK_RENDER_STEPS,
    ("start_render", start_render, 0.2),
]


def run_step():
    if not STEPS:
        return finish() if _WATCH.get("rendered") else watch_render()
    name, action, wait = STEPS.pop(0)
    started = time.perf_counter()
    try:
        result = action()
        REPORT["steps"].append({"step": name, "result": result,
                                "seconds": round(time.perf_counter() - started, 2)})
    except Exception:
        REPORT["errors"].append({"step": name, "traceback": traceback.format_exc()})
        return finish()
    return wait


_WATCH = {"shot": False, "since": None, "escaped": False}


def watch_render():
    now = time.perf_counter()
    _WATCH["since"] = _WATCH["since"] or now
    state = progress()
    if state and state.get("done", 0) >= 2 and not _WATCH["shot"]:
        view3d()[1].spaces.active.region_3d.view_perspective = "CAMERA"
        screenshot("rendering")
        _WATCH["shot"] = True
        REPORT["progress_seen"] = dict(state)
        view3d()[0].event_simulate(type="ESC", value="PRESS")   # stop after this image
        _WATCH["escaped"] = True
        return 0.25
    if state and now - _WATCH["since"] < 400:
        return 0.25
    if _WATCH["escaped"]:   # stopped by Esc: nothing partial, then run again to resume
        REPORT["after_esc"] = rendered_files()
        _WATCH["escaped"] = False
        REPORT["resume"] = start_render()
        return 0.25
    REPORT["render"] = rendered_files()
    REPORT["render_seconds"] = round(now - _WATCH["since"], 1)
    if state:
        REPORT["errors"].append({"step": "render", "traceback": "still running after 400 s"})
        return finish(shot="after_render")
    return after_render()


def after_render():
    """The batch is done: screenshot it, then run the steps that look at what it wrote."""
    try:
        screenshot("after_render")
    except Exception:
        REPORT["errors"].append({"step": "screenshot", "traceback": traceback.format_exc()})
    _WATCH["rendered"] = True
    STEPS.extend(AFTER_RENDER)
    return 0.5


# --- the dataset browser (Dataset sub-panel) on the batch just rendered -----------------------

def browser():
    return bpy.context.window_manager.allo_dataset


def open_browser():
    """This Batch: the exp folder the render wrote, listed from its manifest."""
    result = call(bpy.ops.allo.open_dataset, this_batch=True)
    records = rendered_files()["manifest_records"]
    REPORT["browser"] = {"folder": browser().folder, "listed": len(browser().items),
                         "manifest_records": records}
    return result + [f"{len(browser().items)} listed of {records} records"]


def select_record():
    """Click the first anomalous row, as the list does: in the window's context, so the image
    editor opens. Its pixels (view Image) go to browser_selected.npy for e2e.sh to compare with
    the PNG; then the view switches to Overlay for the screenshot."""
    import numpy as np
    props = browser()
    props.view = "IMAGE"
    props.kind = "anomaly"
    window, area, region = view3d()
    with bpy.context.temp_override(window=window, area=area, region=region):
        props.active = 0
    dataset = sys.modules[f"{ADDON}.scene.dataset_view"].current(props.folder)
    entry = dataset.entries[props.items[props.active].entry]
    image = bpy.data.images.get("ALLO Dataset Image")
    REPORT["browser"].update({
        "selected": str(dataset.root / entry.image), "message": props.message,
        "filtered_anomalies": len(props.items), "shown_size": list(image.size) if image else None,
        "record_resolution": entry.render_record().get("resolution")})
    if image is not None:
        width, height = image.size
        pixels = np.empty(width * height * 4, dtype=np.float32)
        image.pixels.foreach_get(pixels)
        top_down = pixels.reshape(height, width, 4)[::-1]
        np.save(ARGS.out / "browser_selected.npy", np.rint(top_down * 255).astype(np.uint8))
    props.view = "OVERLAY"
    return REPORT["browser"]["selected"]


def editor_shown():
    """The image editor opens right after the click (a timer): look until it shows the image
    (up to 5 s, as choose_tab looks again)."""
    image = bpy.data.images.get("ALLO Dataset Image")
    editors = [a for a in view3d()[0].screen.areas if a.type == "IMAGE_EDITOR"
               and a.spaces.active.image == image]
    looks = REPORT["browser"]["editor_looks"] = REPORT["browser"].get("editor_looks", 0) + 1
    REPORT["browser"]["in_image_editor"] = bool(editors)
    if not editors and looks < 25:
        STEPS.insert(0, ("editor_shown", editor_shown, 0.2))
    return bool(editors)


def scroll_sidebar():
    """Scroll the sidebar to its end, where the Dataset sub-panel is (the wheel, as a user)."""
    window, area, _ = view3d()
    ui = next(r for r in area.regions if r.type == "UI")
    x, y = ui.x + ui.width // 2, ui.y + ui.height // 2
    window.event_simulate(type="MOUSEMOVE", value="NOTHING", x=x, y=y)
    for _ in range(40):
        window.event_simulate(type="WHEELDOWNMOUSE", value="PRESS", x=x, y=y)
    return ui.height


def look_through_record():
    result = call(bpy.ops.allo.look_through_dataset_image)
    props = browser()
    dataset = sys.modules[f"{ADDON}.scene.dataset_view"].current(props.folder)
    pose = dataset.entries[props.items[props.active].entry].pose()
    camera = view3d()[0].scene.camera
    REPORT["browser"]["look_through_error"] = max(
        [abs(a - b) for a, b in zip(camera.location, pose.location)]
        + [abs(a - b) for a, b in zip(camera.rotation_euler, pose.rotation_euler_xyz)])
    return result


AFTER_RENDER = [
    ("open_browser", open_browser, 0.5),
    ("select_record", select_record, 1.0),
    ("editor_shown", editor_shown, 0.2),
    ("look_through_record", look_through_record, 1.0),
    ("scroll_sidebar", scroll_sidebar, 1.0),
    ("shot_browser", lambda: screenshot("dataset_browser"), 0.5),
]


def finish(shot=None):
    try:
        if shot:
            screenshot(shot)
    except Exception:
        REPORT["errors"].append({"step": "screenshot", "traceback": traceback.format_exc()})
    ARGS.out.mkdir(parents=True, exist_ok=True)
    (ARGS.out / "e2e_report.json").write_text(json.dumps(REPORT, indent=1))
    print("ALLO_E2E_REPORT " + json.dumps(REPORT))
    bpy.app.timers.register(quit_blender, first_interval=0.5)
    return None


def quit_blender():
    with bpy.context.temp_override(window=view3d()[0]):
        bpy.ops.wm.quit_blender()


bpy.app.timers.register(run_step, first_interval=3.0, persistent=True)
