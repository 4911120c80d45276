#!/usr/bin/env bash
# make e2e: the ALLO panel in a real Blender 4.3 window (Debian's, under Xvfb), end to end.
# Builds the zip, installs it with Blender's installer, clicks through the panel's operators,
# renders a tiny anomalous batch through the modal (GUI) path and checks what it wrote, then
# browses that batch in the Dataset sub-panel (a record listed, its image shown, its pose).
# Screenshots and e2e_report.json land in build/e2e/. Needs root and ~2 GB (real-blender setup).
# The tool is $REAL_BLENDER, else shared/tools/real-blender beside this clone (../shared, as in CI)
# or under /work.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
TOOL=${REAL_BLENDER:-}
for candidate in ../shared/tools/real-blender /work/shared/tools/real-blender; do
  if [ -z "$TOOL" ] && [ -f "$candidate" ]; then TOOL=$candidate; fi
done
[ -n "$TOOL" ] || { echo "e2e: real-blender not found: set REAL_BLENDER or put shared/ beside this clone" >&2; exit 2; }
OUT=build/e2e
ROOT=${ROOT:-/opt/real-blender}

"$PY" scripts/build_addon.py >/dev/null
ZIP=$(ls dist/allo-*.zip | grep -v -e linux_ -e windows_ -e macos_ | head -1)
bash "$TOOL" setup
rm -rf "$OUT" "$ROOT/root/.config/blender"   # a fresh user folder: nothing installed before
mkdir -p "$OUT"
cat > "$OUT/render_config.yaml" <<YAML
start_day: 17
end_day: 18
cams: [1]
resolution: [128, 72]
samples: 4
sun_strength: [2, 6, 10]
anomalies: [blanket, drill]
min_pixel: 10
output_dir: renders
YAML
bash "$TOOL" shot "$OUT/gui_last_frame.png" "${E2E_SECONDS:-600}" -- \
  --enable-event-simulate --python scripts/e2e_gui.py -- --zip "$ZIP" --config "$OUT/render_config.yaml" --out "$OUT"
"$PY" - "$OUT/e2e_report.json" <<'CHECK'
import json, os, sys
if not os.path.isfile(sys.argv[1]):
    sys.exit(f"e2e FAILED: Blender wrote no {sys.argv[1]} (it did not finish the steps: see "
             "the Blender log above and build/e2e/gui_last_frame.png)")
report = json.load(open(sys.argv[1]))
problems = [f"{e['step']}: {e['traceback']}" for e in report["errors"]]
render = report.get("render", {})
if not render.get("manifest_records"):
    problems.append(f"no image was recorded: {render}")
if render.get("partial_left"):
    problems.append(f"partial files left: {render['partial_left']}")
after_esc = report.get("after_esc", {})
if not 0 < after_esc.get("manifest_records", 0) < render.get("manifest_records", 0):
    problems.append(f"Esc did not stop the batch part-way, or the rerun did not finish it: "
                    f"{after_esc} then {render}")
if after_esc.get("partial_left"):
    problems.append(f"Esc left partial files: {after_esc['partial_left']}")
# the default `denoise: true` in a Blender without OpenImageDenoise: the manifest says what happened
exp = render.get("exp", "").replace("/work/", "", 1)
manifest = os.path.join(exp, "manifest.jsonl") if exp else ""
records = [json.loads(line) for line in open(manifest)] if os.path.isfile(manifest) else []
for record in records:
    if not isinstance(record.get("denoised"), bool) or "denoiser" not in record:
        problems.append(f"{record.get('image')}: the manifest does not record `denoised` (true or "
                        f"false) and `denoiser`: {sorted(record)}")
        break
browser = report.get("browser", {})
if not 0 < browser.get("listed", 0) == browser.get("manifest_records"):
    problems.append(f"the dataset browser did not list the batch's records: {browser}")
if not (browser.get("in_image_editor") and browser.get("shown_size")
        and browser["shown_size"] == browser.get("record_resolution")):
    problems.append(f"the selected record's image was not shown in an image editor: {browser}")
shown = os.path.join(os.path.dirname(sys.argv[1]), "browser_selected.npy")
if browser.get("selected") and os.path.isfile(shown):
    import numpy as np
    from PIL import Image
    png = np.asarray(Image.open(browser["selected"].replace("/work/", "", 1)).convert("RGB"))
    if not np.array_equal(np.load(shown)[..., :3], png):
        problems.append(f"the image the browser showed is not {browser['selected']}'s pixels")
else:
    problems.append(f"the browser's shown pixels were not saved: {browser}")
if not browser.get("look_through_error", 1.0) < 1e-5:
    problems.append(f"Look Through did not put the camera at the record's pose: {browser}")
if "progress_seen" not in report:
    problems.append("the progress bar was never seen while rendering")
# the day view: measured from the screenshots; each threshold is about half of
# what a run measured (README, "The day at a glance")
day_view = report.get("day_view", {})
shown = day_view.get("preview", {})
if shown.get("station_share", 0) < 0.012 or shown.get("station_box_share", 0) < 0.08:
    problems.append(f"after Preview Day the station fills too little of the 3D view: {shown}")
markers = shown.get("marker_pixels_at_arrow_middles", {})
if sorted(markers) != ["earth", "lamp", "moon", "sun"] or min(markers.values()) < 50:
    problems.append(f"a direction marker is not visible after Preview Day: {shown}")
if day_view.get("station_view_share", 0) < 0.009:
    problems.append(f"View from Station shows nothing lit: {day_view.get('station_view_share')}")
scrub = day_view.get("scrub", {})
if not scrub or scrub["frame"] != scrub["target"] or scrub["day"] != scrub["frame"] - scrub["offset"]:
    problems.append(f"clicking the timeline did not move the day with the frame: {scrub}")
for key, name in (("quick_render", "ALLO Quick Render"),
                  ("quick_render_masks", "ALLO Quick Render Masks")):
    quick = day_view.get(key, {})
    if not quick.get("editor") or quick.get("image") != name or quick.get("content_share", 0) < 0.19:
        problems.append(f"{key}: no image editor showing {name!r} with a picture: {quick}")
print(f"e2e: day view: {json.dumps(day_view)}")
from PIL import Image
for shot in report["screenshots"]:
    local = shot.replace("/work/", "", 1)
    if Image.open(local).convert("L").getextrema()[1] < 40:
        problems.append(f"screenshot {local} is black")
for step in report["steps"]:
    print(f"e2e: {step['step']}: {step['result']} ({step['seconds']} s)")
print(f"e2e: after Esc: {after_esc}")
print(f"e2e: dataset browser: {browser}")
print(f"e2e: after the rerun: {render}")
print("e2e: denoised/denoiser: " + ", ".join(sorted({f"{r.get('denoised')}/{r.get('denoiser')}"
                                                    for r in records})))
print("e2e: screenshots: " + ", ".join(report["screenshots"]))
if problems:
    sys.exit("e2e FAILED:\n" + "\n".join(problems))
print("e2e: OK")
CHECK
