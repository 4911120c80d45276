"""docs/annotations.png: one render of the built-in station beside its depth, normals and parts
annotations, all from that same render (README "Annotations").

    /work/main/.venv/bin/python scripts/annotations_picture.py [--out docs/annotations.png]
        [--size 320x180] [--samples 32] [--cam 1] [--day 1]

Renders through the real batch (a normal batch, one image) into a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import yaml  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from allo_addon.core.dataset import annotations as ann  # noqa: E402

# parts colours (id 1, 2, …, repeated); space and the anomaly stay black
PALETTE = np.array([(230, 25, 75), (60, 180, 75), (255, 225, 25), (0, 130, 200), (245, 130, 48),
                    (145, 30, 180), (70, 240, 240), (240, 50, 230), (210, 245, 60),
                    (250, 190, 212), (0, 128, 128), (220, 190, 255), (170, 110, 40),
                    (255, 250, 200), (128, 0, 0), (170, 255, 195)], np.uint8)


def render(folder: Path, size, samples: int, cam: int, day: int) -> tuple[Path, dict]:
    import bpy
    from allo_addon.headless.blender_session import ensure_registered
    ensure_registered()
    config = folder / "render_config.yaml"
    config.write_text(yaml.safe_dump({
        "start_day": day, "end_day": day, "cams": [cam], "resolution": list(size),
        "samples": samples, "sun_strength": [10], "output_dir": "renders",
        "annotations": list(ann.KINDS)}))
    assert bpy.ops.allo.render_batch(config=str(config), exp_num=1, anomaly=False,
                                     modes=set()) == {"FINISHED"}
    exp = folder / "renders" / "exp_1"
    return exp, json.loads((exp / "manifest.jsonl").read_text().splitlines()[0])


def panels(exp: Path, record: dict):
    files = record["annotations"]["files"]
    beauty = np.asarray(Image.open(exp / record["image"]).convert("RGB"))
    depth = ann.read_exr(exp / files["depth"])["Y"]
    seen = depth > 0
    near, far = (depth[seen].min(), depth[seen].max()) if seen.any() else (0.0, 0.0)
    # shown by rank (histogram-equalised): a near module would wash out the far ones
    ranks = np.searchsorted(np.sort(depth[seen]), depth) / max(seen.sum(), 1)
    grey = (1.0 - 0.85 * ranks) * seen
    normals = ann.read_exr(exp / files["normals"])
    rgb = np.stack([normals["R"], normals["G"], normals["B"]], axis=2)
    parts = np.asarray(Image.open(exp / files["parts"]))
    coloured = np.where((parts > 0)[:, :, None], PALETTE[(parts.astype(int) - 1) % len(PALETTE)],
                        0).astype(np.uint8)
    return [(beauty, "render"),
            ((np.repeat(grey[:, :, None], 3, 2) * 255).astype(np.uint8),
             f"depth {near:.1f}-{far:.1f} m (bright: near, by rank)"),
            (((rgb + 1.0) * 0.5 * 255 * seen[:, :, None]).astype(np.uint8),
             "normals (camera space, RGB = xyz)"),
            (coloured, "parts")], parts


def compose(shown, parts, names: dict, out: Path) -> None:
    """The panels side by side, a title under each, then the colours of the parts in view."""
    height, width = shown[0][0].shape[:2]
    gap, line = 4, 14
    ids = [i for i in np.unique(parts).tolist() if i]
    total = len(shown) * (width + gap) - gap
    entries = [(part, f"{part} {names[str(part)]}") for part in ids]
    rows, x = 1, 40
    for _, text in entries:   # the legend flows over as many rows as it needs
        step = 18 + 6 * len(text) + 12
        if x + step > total:
            rows, x = rows + 1, 40
        x += step
    sheet = Image.new("RGB", (total, height + line + 4 + rows * line + 4), (255, 255, 255))
    draw = ImageDraw.Draw(sheet)
    for i, (pixels, title) in enumerate(shown):
        left = i * (width + gap)
        sheet.paste(Image.fromarray(pixels), (left, 0))
        draw.text((left + 2, height + 2), title, fill=(0, 0, 0))
    y = height + line + 4
    draw.text((2, y), "parts:", fill=(0, 0, 0))
    x = 40
    for part, text in entries:
        step = 18 + 6 * len(text) + 12
        if x + step > total:
            x, y = 40, y + line
        colour = tuple(int(v) for v in PALETTE[(part - 1) % len(PALETTE)])
        draw.rectangle((x, y + 2, x + 9, y + 11), fill=colour, outline=(0, 0, 0))
        draw.text((x + 14, y), text, fill=(0, 0, 0))
        x += step
    out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(out, optimize=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/annotations.png"))
    parser.add_argument("--size", default="320x180")
    parser.add_argument("--samples", type=int, default=32)
    parser.add_argument("--cam", type=int, default=0)
    parser.add_argument("--day", type=int, default=1)
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    with tempfile.TemporaryDirectory() as folder:
        exp, record = render(Path(folder), size, args.samples, args.cam, args.day)
        shown, parts = panels(exp, record)
        compose(shown, parts, record["annotations"]["part_names"], args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
