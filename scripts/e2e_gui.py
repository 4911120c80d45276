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
    result = call(bpy.ops.allo.preview_day)
    window, area, region = view3d()
    area.spaces.active.clip_end = 50_000.0     # the Sun is ~4000 units away
    with bpy.context.temp_override(window=window, area=area, region=region):
        bpy.ops.view3d.view_all()
    return result


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
    return sys.modules[f"{ADDON}.operators.render_batch"].PROGRESS


def rendered_files():
    exp = Path(bpy.path.abspath(settings().output_dir)) / f"exp_{settings().exp_num}"
    records = importlib.import_module(f"{ADDON}.core.manifest").read_records(exp)
    return {"exp": str(exp), "manifest_records": len(records),
            "pngs": len(list(exp.rglob("*.png"))),
            "partial_left": [str(p) for p in (exp / ".partial").glob("run-*/*")] +
                            [str(p) for p in (exp / ".partial").glob("claims/*")]}


# (name, action, seconds to wait after it before the next step)
STEPS = [
    ("install", install, 1.0),
    ("open_sidebar", open_sidebar, 1.0),
    ("choose_tab", choose_tab, 0.3),
    ("import_config", import_config, 0.5),
    ("load_and_build", load_and_build, 1.0),
    ("preview_day", preview, 2.0),
    ("shot_preview", lambda: screenshot("preview_day"), 0.5),
    ("look_through", look_through, 4.0),
    ("shot_camera", lambda: screenshot("look_through"), 0.5),
    ("undo_then_preview", undo_then_preview, 1.0),
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
