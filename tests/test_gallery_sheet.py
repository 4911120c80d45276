"""The gallery sheet (pure Pillow): outlines the anomaly, enlarges a crop around it, notes the
kinds that could not be placed."""

import numpy as np
from PIL import Image

from allo_addon.core.views.gallery_sheet import (OUTLINE, GalleryTile, crop_around, make_gallery,
                                                 outlined)


def test_outline_surrounds_the_mask_and_crop_centres_it():
    image = Image.new("RGB", (64, 36), (10, 10, 10))
    mask = np.zeros((36, 64), bool)
    mask[10:14, 40:46] = True
    pixels = np.asarray(outlined(image, mask))
    ring = np.all(pixels == OUTLINE, axis=2)
    assert ring[9, 42] and ring[14, 42] and not ring[mask].any()
    image.paste((250, 0, 0), (40, 10, 46, 14))
    crop = np.asarray(crop_around(image, mask, 30))
    assert crop.shape == (30, 30, 3) and crop[15, 15, 0] > 200   # the anomaly in the middle


def test_gallery_has_a_tile_per_kind(tmp_path):
    frame = Image.new("RGB", (64, 36), (90, 90, 90))
    frame.save(tmp_path / "a.png")
    mask = np.zeros((36, 64), np.uint8)
    mask[5:20, 5:20] = 255
    Image.fromarray(mask).save(tmp_path / "m.png")
    tiles = [GalleryTile("a", tmp_path / "a.png", tmp_path / "m.png", "a: 225 px"),
             GalleryTile("b", None, None, "b: not placed")]
    out = tmp_path / "sheet.png"
    make_gallery(tiles, out, (32, 18), columns=2)
    sheet = Image.open(out)
    assert sheet.mode == "P" and sheet.size[0] > 2 * (32 + 18)
    assert OUTLINE in {c for _, c in sheet.convert("RGB").getcolors(1 << 16)}


def test_station_views_come_first_full_width(tmp_path):
    view = Image.new("RGB", (64, 36), (200, 30, 30))
    view.save(tmp_path / "v.png")
    Image.new("RGB", (64, 36), (30, 30, 200)).save(tmp_path / "a.png")
    mask = np.zeros((36, 64), np.uint8)
    mask[5:20, 5:20] = 255
    Image.fromarray(mask).save(tmp_path / "m.png")
    out = tmp_path / "sheet.png"
    make_gallery([GalleryTile("a", tmp_path / "a.png", tmp_path / "m.png", "a")], out, (32, 18),
                 columns=2, palette=False, views=[GalleryTile("station", tmp_path / "v.png", None, "v")])
    pixels = np.asarray(Image.open(out).convert("RGB")).astype(int)
    red = np.nonzero((pixels[..., 0] > 150) & (pixels[..., 2] < 80))
    blue = np.nonzero((pixels[..., 2] > 150) & (pixels[..., 0] < 80))
    assert red[0].max() < blue[0].min()                       # the station view is above the kinds
    assert red[1].max() - red[1].min() + 1 == 32 + 18 + 5     # as wide as an anomaly cell
