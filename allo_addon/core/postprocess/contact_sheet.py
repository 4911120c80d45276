"""contact_sheet.png: sample images with the anomaly outlined, each beside its 3-class mask.

Thumbnails are reduced with "any pixel" pooling for masks, so an anomaly of a few thousand
pixels in a 1920x1080 image still shows (and is outlined) at thumbnail size.
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from ..atomic_files import save_png
from .masks import ANOMALY, SPACE, STATION_OR_BODY

MASK_COLOURS = {SPACE: (0, 0, 0), STATION_OR_BODY: (70, 130, 180), ANOMALY: (255, 80, 40)}
OUTLINE = (60, 255, 60)
BACKGROUND = (48, 48, 48)
TEXT = (235, 235, 235)
THUMB_WIDTH = 360
COLUMNS = 2       # image+mask pairs per row
GAP = 12          # around the sheet and between rows
PAIR_GAP = 28     # between image+mask pairs, so a mask is read with its own image
CAPTION = 20


@dataclass(frozen=True)
class SheetEntry:
    image: Path
    mask: Path
    caption: str


def pick_evenly(items: list, count: int) -> list:
    """count items spread over the whole (sorted) list, so every camera tends to show."""
    if len(items) <= count:
        return list(items)
    step = len(items) / count
    return [items[int(i * step)] for i in range(count)]


def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow without FreeType sizing
        return ImageFont.load_default()


def _any_pool(binary: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Downscale a boolean array; a thumbnail pixel is set when any source pixel under it is."""
    pooled = Image.fromarray(binary.astype(np.uint8) * 255).resize(size, Image.BOX)
    return np.asarray(pooled) > 0


def _thumbnails(entry: SheetEntry, size: tuple[int, int]) -> tuple[Image.Image, Image.Image]:
    mask = np.asarray(Image.open(entry.mask).convert("L"))
    anomaly = _any_pool(mask == ANOMALY, size)
    station = _any_pool(mask == STATION_OR_BODY, size)
    classes = np.where(anomaly, ANOMALY, np.where(station, STATION_OR_BODY, SPACE)).astype(np.uint8)
    mask_rgb = np.zeros(classes.shape + (3,), np.uint8)
    for value, colour in MASK_COLOURS.items():
        mask_rgb[classes == value] = colour

    image = Image.open(entry.image).convert("RGB").resize(size, Image.BILINEAR)
    if anomaly.any():
        ring = Image.fromarray(anomaly.astype(np.uint8) * 255).filter(ImageFilter.MaxFilter(5))
        outline = (np.asarray(ring) > 0) & ~anomaly
        pixels = np.array(image)
        pixels[outline] = OUTLINE
        image = Image.fromarray(pixels)
    return image, Image.fromarray(mask_rgb)


def _draw_header(draw, title: str, font) -> None:
    draw.text((GAP, GAP), title, fill=TEXT, font=font)
    x = GAP
    y = GAP + 26
    for label, colour in ((f"space ({SPACE})", MASK_COLOURS[SPACE]),
                          (f"station and bodies ({STATION_OR_BODY})",
                           MASK_COLOURS[STATION_OR_BODY]),
                          (f"anomaly ({ANOMALY})", MASK_COLOURS[ANOMALY]),
                          ("anomaly outline", OUTLINE)):
        draw.rectangle((x, y + 2, x + 14, y + 16), fill=colour, outline=TEXT)
        draw.text((x + 20, y), label, fill=TEXT, font=font)
        x += 28 + int(draw.textlength(label, font=font))


def make_contact_sheet(entries: list[SheetEntry], title: str, path: Path,
                       aspect: float = 16 / 9) -> None:
    thumb = (THUMB_WIDTH, round(THUMB_WIDTH / aspect))
    cell_w = 2 * thumb[0] + GAP // 2
    cell_h = thumb[1] + CAPTION
    header = 64
    rows = max(1, -(-len(entries) // COLUMNS))
    width = COLUMNS * cell_w + (COLUMNS - 1) * PAIR_GAP + 2 * GAP
    sheet = Image.new("RGB", (width, header + rows * (cell_h + GAP) + GAP), BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    font, small = _font(18), _font(15)
    _draw_header(draw, title, font)
    if not entries:
        draw.text((GAP, header + GAP), "no accepted samples", fill=TEXT, font=font)
    for index, entry in enumerate(entries):
        x = GAP + (index % COLUMNS) * (cell_w + PAIR_GAP)
        y = header + GAP + (index // COLUMNS) * (cell_h + GAP)
        image, mask = _thumbnails(entry, thumb)
        sheet.paste(image, (x, y))
        sheet.paste(mask, (x + thumb[0] + GAP // 2, y))
        draw.text((x, y + thumb[1] + 3), entry.caption, fill=TEXT, font=small)
    save_png(sheet, path)
