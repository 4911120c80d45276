"""docs/sensor.png: one render of a built-in view through each sensor preset and at three
exposures.

    PYTHONPATH=. /work/main/.venv/bin/python scripts/make_sensor_figure.py [--out docs/sensor.png]
        [--resolution 320 180] [--samples 32] [--cam 1] [--day 1]

The view is rendered twice by the real batch (`render_batch`, as a user's config would): once
without `sensor:` (Blender's own PNG, the `none` preset) and once with `gateway_inspection`,
keeping the linear radiance that render hands to the sensor model. Every other panel is that
same radiance through core/sensor/model.expose with the image's render seed, so the panels differ
only by the camera.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import yaml  # noqa: E402
from PIL import Image, ImageDraw, ImageFont  # noqa: E402

from allo_addon.core.sensor import model as sensor  # noqa: E402

EXPOSURES = (-3.0, 0.0, 3.0)   # stops around the metered exposure


def render(ops, folder: Path, args, **keys) -> tuple[Path, dict]:
    folder.mkdir(parents=True)
    config = folder / "render_config.yaml"
    config.write_text(yaml.safe_dump({
        "start_day": args.day, "end_day": args.day, "cams": [args.cam],
        "resolution": list(args.resolution), "samples": args.samples, "denoise": True,
        "sun_strength": [10], **keys}))
    assert ops.render_batch(config=str(config), exp_num=1, anomaly=False, modes=set(),
                            seed=42) == {"FINISHED"}
    exp = folder / "renders" / "exp_1"
    record = json.loads((exp / "manifest.jsonl").read_text().splitlines()[0])
    return exp / record["image"], record


def captured_radiance(ops, folder: Path, args):
    """Render with a sensor and keep the radiance the renderer passes to expose()."""
    kept = {}
    original = sensor.expose

    def keep(radiance, spec, seed, focal_px):
        kept.update(radiance=radiance.copy(), seed=seed, focal_px=focal_px)
        return original(radiance, spec, seed, focal_px)
    sensor.expose = keep   # renderer.py calls it as sensor_model.expose: this module's name
    try:
        _, record = render(ops, folder, args, sensor="gateway_inspection")
    finally:
        sensor.expose = original
    return kept, record


def panel(pixels: np.ndarray, label: str, font) -> Image.Image:
    image = Image.fromarray((pixels >> 8).astype(np.uint8) if pixels.dtype == np.uint16
                            else pixels)
    strip = Image.new("RGB", (image.width, 18), (255, 255, 255))
    ImageDraw.Draw(strip).text((4, 2), label, fill=(0, 0, 0), font=font)
    out = Image.new("RGB", (image.width, image.height + strip.height))
    out.paste(strip, (0, 0))
    out.paste(image, (0, strip.height))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/sensor.png"))
    parser.add_argument("--resolution", type=int, nargs=2, default=(320, 180))
    parser.add_argument("--samples", type=int, default=32)
    parser.add_argument("--cam", type=int, default=1)
    parser.add_argument("--day", type=int, default=1)
    args = parser.parse_args()
    import bpy
    from allo_addon.headless.blender_session import ensure_registered
    ensure_registered()
    ops = bpy.ops.allo
    font = ImageFont.load_default(size=12)
    with tempfile.TemporaryDirectory() as tmp:
        plain_png, _ = render(ops, Path(tmp) / "none", args)
        plain = np.asarray(Image.open(plain_png).convert("RGB"))
        kept, record = captured_radiance(ops, Path(tmp) / "sensor", args)
    shots = {name: sensor.expose(kept["radiance"], spec, kept["seed"], kept["focal_px"])
             for name, spec in sensor.PRESETS.items()}
    top = [panel(plain, "none (Blender's view transform)", font)]
    top += [panel(shot.pixels, f"{name}  auto {shot.shutter_s * 1e3:.3g} ms", font)
            for name, shot in shots.items()]
    base = sensor.PRESETS["gateway_inspection"]
    bottom = []
    for ev in EXPOSURES:
        shot = sensor.expose(kept["radiance"], replace(base, exposure_compensation_ev=ev),
                             kept["seed"], kept["focal_px"])
        bottom.append(panel(shot.pixels, f"gateway_inspection {ev:+g} EV "
                                         f"({shot.shutter_s * 1e3:.3g} ms, "
                                         f"{100 * shot.clipped_share:.1f}% clipped)", font))
    # noise is too fine to see at this size: a 4x crop of the hull's shaded underside, 3 stops
    # under
    dim = sensor.expose(kept["radiance"], replace(sensor.PRESETS["cmv4000"],
                                                  exposure_compensation_ev=-3.0),
                        kept["seed"], kept["focal_px"]).pixels
    h, w = dim.shape[:2]
    y, x = h // 2, w // 8
    crop = dim[y:y + h // 4, x:x + w // 4].repeat(4, axis=0).repeat(4, axis=1)
    top.append(panel(crop, "cmv4000 -3 EV, 4x crop of the hull", font))
    width, height = top[0].size
    columns = max(len(top), len(bottom))
    sheet = Image.new("RGB", (columns * width + (columns - 1) * 4, 2 * height + 4),
                      (255, 255, 255))
    for row, panels in enumerate((top, bottom)):
        for column, image in enumerate(panels):
            sheet.paste(image, (column * (width + 4), row * (height + 4)))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(args.out, optimize=True)
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KB) from "
          f"{record['image']} (render seed {record['render_seed']})")


if __name__ == "__main__":
    main()
