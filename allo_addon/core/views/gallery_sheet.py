"""The gallery sheet: station views first, then one tile per anomaly kind, the rendered frame with
the anomaly outlined and an enlarged crop around it (small kinds are a few pixels in the frame)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from ..atomic_files import save_png

OUTLINE = (60, 255, 60)
BACKGROUND = (40, 40, 40)
TEXT = (235, 235, 235)
GAP, CAPTION, HEADING = 10, 22, 32


@dataclass(frozen=True)
class GalleryTile:
    kind: str
    image: Path | None          # None: the kind could not be placed
    mask: Path | None           # anomaly mask (non-zero on the anomaly)
    caption: str


def outlined(image: Image.Image, anomaly: np.ndarray) -> Image.Image:
    ring = Image.fromarray(anomaly.astype(np.uint8) * 255).filter(ImageFilter.MaxFilter(3))
    edge = (np.asarray(ring) > 0) & ~anomaly
    pixels = np.array(image.convert("RGB"))
    pixels[edge] = OUTLINE
    return Image.fromarray(pixels)


def crop_around(image: Image.Image, anomaly: np.ndarray, side: int) -> Image.Image:
    """A square crop centred on the anomaly with a margin, scaled to side × side."""
    ys, xs = np.nonzero(anomaly)
    cx, cy = (xs.min() + xs.max()) / 2, (ys.min() + ys.max()) / 2
    half = max(xs.max() - xs.min(), ys.max() - ys.min(), 12) * 0.8
    box = tuple(round(v) for v in (cx - half, cy - half, cx + half, cy + half))
    return image.crop(box).resize((side, side), Image.LANCZOS)


def make_gallery(tiles: list[GalleryTile], path: Path, frame: tuple[int, int],
                 columns: int = 3, palette: bool = True, views: list[GalleryTile] = ()) -> None:
    """`views` (whole frames, no mask: the station) come first under their own heading, as wide
    as an anomaly cell; then one cell per anomaly kind: outlined frame + enlarged crop."""
    fw, fh = frame
    cell_w, cell_h = fw + fh + GAP // 2, fh + CAPTION
    view_h = round(cell_w * fh / fw)
    view_rows, rows = -(-len(views) // columns), -(-len(tiles) // columns)
    headings = (HEADING if views else 0) + HEADING
    height = GAP + headings + view_rows * (view_h + CAPTION + GAP) + rows * (cell_h + GAP)
    sheet = Image.new("RGB", (GAP + columns * (cell_w + GAP), height), BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    font, big = ImageFont.load_default(size=15), ImageFont.load_default(size=20)
    top = GAP
    if views:
        draw.text((GAP, top), "The built-in station: train views under different suns", fill=TEXT, font=big)
        top += HEADING
        for index, view in enumerate(views):
            x = GAP + (index % columns) * (cell_w + GAP)
            y = top + (index // columns) * (view_h + CAPTION + GAP)
            sheet.paste(Image.open(view.image).convert("RGB").resize((cell_w, view_h), Image.LANCZOS), (x, y))
            draw.text((x, y + view_h + 3), view.caption, fill=TEXT, font=font)
        top += view_rows * (view_h + CAPTION + GAP)
    draw.text((GAP, top), "Every anomaly kind in place, its mask outlined, and a close-up", fill=TEXT, font=big)
    top += HEADING
    for index, tile in enumerate(tiles):
        x = GAP + (index % columns) * (cell_w + GAP)
        y = top + (index // columns) * (cell_h + GAP)
        if tile.image is not None:
            image = Image.open(tile.image).convert("RGB").resize(frame, Image.LANCZOS)
            anomaly = np.asarray(Image.open(tile.mask).convert("L").resize(frame, Image.NEAREST)) > 0
            full = Image.open(tile.image).convert("RGB")
            full_mask = np.asarray(Image.open(tile.mask).convert("L")) > 0
            sheet.paste(outlined(image, anomaly), (x, y))
            sheet.paste(crop_around(full, full_mask, fh), (x + fw + GAP // 2, y))
        draw.text((x, y + fh + 3), tile.caption, fill=TEXT, font=font)
    # a 256-colour palette keeps the sheet small enough to live in the repository's docs
    save_png(sheet.quantize(colors=256, method=Image.Quantize.MEDIANCUT) if palette else sheet, path)
