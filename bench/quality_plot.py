"""docs/quality_vs_time.png for `bench quality`, drawn with Pillow (matplotlib is not a
dependency): worst-view PSNR against CPU seconds per image, log time axis."""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

W, H, LEFT, RIGHT, TOP, BOTTOM = 1100, 640, 80, 250, 70, 70
FLOOR_DB = 12   # the y axis reaches this far below the original's worst view at most
GREY, BLACK, RED, GREEN, BLUE = (160, 160, 160), (0, 0, 0), (200, 30, 30), (20, 140, 40), \
    (40, 70, 200)


def draw(results: dict, original: str, chosen: str, draft: str, out: Path, settings: dict):
    points = {name: (r["seconds"], min(v["psnr"] for v in r["views"].values()))
              for name, r in results.items()}
    xs = [math.log10(s) for s, _ in points.values()]
    ys = [p for _, p in points.values() if math.isfinite(p)]
    x0, x1 = math.floor(min(xs) * 2) / 2, math.ceil(max(xs) * 2) / 2
    # a setting far below the rest (direct light only) would squeeze them into a few pixels:
    # it is drawn on the bottom edge with its value written out
    y0 = max(math.floor(min(ys)) - 1, math.floor(points[original][1]) - FLOOR_DB)
    y1 = math.ceil(max(ys)) + 1

    def at(seconds, db):
        x = LEFT + (math.log10(seconds) - x0) / (x1 - x0 or 1) * (W - LEFT - RIGHT)
        y = TOP + (y1 - max(db, y0)) / (y1 - y0 or 1) * (H - TOP - BOTTOM)
        return x, y

    image = Image.new("RGB", (W, H), "white")
    pen = ImageDraw.Draw(image)
    try:
        pen.font = ImageFont.load_default(size=13)   # Pillow ≥ 10.1: a scalable default font
    except TypeError:
        pass
    pen.rectangle([LEFT, TOP, W - RIGHT, H - BOTTOM], outline=BLACK)
    decade = math.floor(x0)
    while decade <= x1:
        for m in (1, 2, 5):
            value = m * 10 ** decade
            if x0 <= math.log10(value) <= x1:
                x, _ = at(value, y0)
                pen.line([x, TOP, x, H - BOTTOM], fill=(230, 230, 230))
                pen.text((x - 10, H - BOTTOM + 6), f"{value:g}", fill=BLACK)
        decade += 1
    for db in range(int(y0), int(y1) + 1):
        _, y = at(10 ** x0, db)
        pen.line([LEFT, y, W - RIGHT, y], fill=(230, 230, 230))
        pen.text((LEFT - 30, y - 6), f"{db}", fill=BLACK)
    worst_original = points[original][1]
    _, y = at(10 ** x0, worst_original - 0.5)
    pen.line([LEFT, y, W - RIGHT, y], fill=GREEN)
    pen.text((W - RIGHT + 6, y - 6), "original - 0.5 dB", fill=GREEN)
    dots = [at(*point) for point in points.values()]
    placed = [(x - 5, y - 5, x + 5, y + 5) for x, y in dots]   # labels keep off every dot
    for name, (seconds, db) in sorted(points.items(), key=lambda kv: kv[1]):
        x, y = at(seconds, db)
        colour = RED if name == original else GREEN if name == chosen else \
            BLUE if name == draft else BLACK
        r = 6 if colour != BLACK else 4
        pen.ellipse([x - r, y - r, x + r, y + r], fill=colour)
        label = name if db >= y0 else f"{name} ({db:.1f} dB, below the axis)"
        width = pen.textlength(label)
        box = _free_spot(x, y, width, placed)
        placed.append(box)
        if box[1] != y - 8:     # moved up or down from beside the dot: a leader line to it
            near = (box[0] if box[0] > x else box[2], box[1] + 7)
            pen.line([x, y, *near], fill=GREY)
        pen.text((box[0], box[1]), label, fill=colour)
    frame = settings.get("frame") or settings["resolution"]
    window = "" if frame == settings["resolution"] else \
        f" windows of {frame[0]}x{frame[1]} images"
    pen.text((LEFT, 12), f"Worst-view PSNR against a {settings['reference_samples']}-sample "
                         f"reference vs CPU seconds per image ({settings['resolution'][0]}x"
                         f"{settings['resolution'][1]}{window}, Blender {settings['blender']})",
             fill=BLACK)
    pen.text((LEFT, 32), "red: the original (256 samples, denoised), green: the equal-quality "
                         "choice, blue: the draft choice", fill=BLACK)
    tiles = frame[0] * frame[1] / (settings["resolution"][0] * settings["resolution"][1])
    pen.text((LEFT + 250, H - 30), "CPU seconds per image (log scale)" if not window else
             f"CPU seconds per window (log scale); a whole image is {tiles:g} windows' pixels",
             fill=BLACK)
    pen.text((8, TOP - 20), "PSNR dB", fill=BLACK)
    out.parent.mkdir(parents=True, exist_ok=True)
    image.save(out)


def _free_spot(x, y, width, placed):
    """A 14-pixel-high label box near (x, y) that overlaps no box in `placed`: right of the
    dot, left of it, then further up or down on either side."""
    options = [(x + 8, y - 8), (x - 8 - width, y - 8)]
    for shift in (14, -14, 28, -28, 42, -42, 56, -56, 70, -70):
        options += [(x + 8, y - 8 + shift), (x - 8 - width, y - 8 + shift)]
    for left, top in options:
        box = (left, top, left + width, top + 14)
        if not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3]
                   for b in placed):
            return box
    return (x + 8, y - 8, x + 8 + width, y + 6)


def draw_from_lines(path: Path, out: Path):
    """Redraw the plot from `bench quality`'s JSON lines (python -m bench.quality_plot FILE OUT)."""
    from .bench_quality import ORIGINAL
    from .quality_tables import load
    candidates, summary = load(path)
    results = {name: {"seconds": r["value"], "views": r["views"]}
               for name, r in candidates.items()}
    settings = {k: summary[k] for k in ("resolution", "reference_samples", "blender")}
    settings["frame"] = summary.get("frame")
    draw(results, ORIGINAL, summary["chosen"], summary["draft_choice"], Path(out), settings)


if __name__ == "__main__":
    import sys
    draw_from_lines(*sys.argv[1:3])
