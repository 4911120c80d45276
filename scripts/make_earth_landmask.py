"""Write the built-in Earth's land mask and climate map into allo_addon/data/.

    python -m venv /tmp/glm && /tmp/glm/bin/pip install global-land-mask pillow
    /tmp/glm/bin/python scripts/make_earth_landmask.py

This script installs nothing: run it with any Python that has `global-land-mask` (PyPI, MIT
licence, https://github.com/toddkarin/global-land-mask, version 1.0.0 used here), numpy and
Pillow. That package holds the land/sea mask of NOAA's GLOBE 30-arc-second (~1 km) elevation
grid (public domain, https://www.ngdc.noaa.gov/mgg/topo/globe.html; Antarctica included, most
lakes count as land). The add-on does not depend on it at run time: only the two PNGs below
are shipped.

earth_landmask.png  8-bit grey, WIDTH x HEIGHT equirectangular: row 0 is 90°N, column 0 is
                    180°W, one pixel spans 360/WIDTH degrees. Each pixel is the land fraction
                    of its area (box average of the 1 km cells), so coasts are anti-aliased.
earth_climate.png   RGB, CLIMATE_WIDTH x CLIMATE_HEIGHT, same projection, smooth fields drawn
                    here from hand-placed ellipses (no data downloaded):
                    R = aridity (1 in the great deserts), G = ice sheet (Greenland, Antarctica),
                    B = land fraction blurred over ~3° (the shader tints shallow shelf seas).

The renderer samples both in the Earth material (allo_addon/scene/builtin/earth_material.py).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

DATA = Path(__file__).resolve().parents[1] / "allo_addon" / "data"
WIDTH, HEIGHT = 1024, 512
CLIMATE_WIDTH, CLIMATE_HEIGHT = 256, 128

# (centre latitude, centre longitude, half-height, half-width in degrees, strength):
# the hot and cold deserts a viewer recognises from space
DESERTS = (
    (23.0, 8.0, 9.5, 27.0, 1.0),      # Sahara
    (24.0, 47.0, 8.0, 12.0, 1.0),     # Arabian
    (31.0, 58.0, 6.0, 10.0, 0.7),     # Iranian plateau, Dasht-e Kavir
    (27.0, 70.0, 4.0, 4.5, 0.6),      # Thar
    (42.0, 62.0, 5.0, 10.0, 0.7),     # Karakum, Kyzylkum
    (39.5, 84.0, 3.5, 10.0, 0.9),     # Taklamakan
    (43.0, 104.0, 4.0, 11.0, 0.75),   # Gobi
    (-25.0, 129.0, 8.5, 14.0, 0.95),  # Australian interior
    (-24.0, 19.0, 6.0, 6.5, 0.6),     # Kalahari, Namib
    (-23.0, -69.5, 9.0, 2.5, 0.8),    # Atacama
    (-44.0, -68.5, 7.0, 3.5, 0.45),   # Patagonian steppe
    (34.0, -113.0, 7.0, 7.5, 0.65),   # Great Basin, Mojave, Sonora
    (27.0, -104.0, 4.0, 4.0, 0.5),    # Chihuahua
    (7.0, 46.0, 4.0, 5.0, 0.55),      # Horn of Africa
)
# (lat min, lat max, lon min, lon max): land inside is ice sheet
ICE_SHEETS = (
    (-90.0, -60.0, -180.0, 180.0),    # Antarctica
    (59.5, 67.0, -61.0, -30.0),       # Greenland in three boxes that leave out Baffin
    (67.0, 76.0, -61.0, -18.0),       # Island, Ellesmere and Iceland
    (76.0, 84.0, -73.0, -10.0),
)


def land_mask_from_globe():
    """The GLOBE mask as a (21600, 43200) bool array, True on land, row 0 at 90°N."""
    try:
        from global_land_mask import globe
    except ImportError:
        raise SystemExit("error: this script needs the `global-land-mask` package: "
                         "pip install global-land-mask (into any venv), then run it again")
    return ~globe._mask  # the package stores True for ocean


def box_average(land: np.ndarray, width: int, height: int) -> np.ndarray:
    """Land fraction per output pixel (area average; the source grid is a whole multiple)."""
    rows, cols = land.shape
    fy, fx = rows // height, cols // width
    if fy * height != rows or fx * width != cols:
        # Pillow's BOX filter does area averaging for any ratio
        image = Image.fromarray(land.astype(np.uint8) * 255)
        return np.asarray(image.resize((width, height), Image.BOX), np.float64) / 255.0
    counts = land.reshape(height, fy, width, fx).sum(axis=(1, 3), dtype=np.int64)
    return counts / float(fy * fx)


def lat_lon_grid(width: int, height: int):
    """Latitude and longitude (degrees) of each pixel centre."""
    lat = 90.0 - (np.arange(height) + 0.5) * 180.0 / height
    lon = -180.0 + (np.arange(width) + 0.5) * 360.0 / width
    return np.meshgrid(lat, lon, indexing="ij")


def climate_map(land: np.ndarray) -> np.ndarray:
    """(CLIMATE_HEIGHT, CLIMATE_WIDTH, 3) uint8: aridity, ice sheet, blurred land."""
    lat, lon = lat_lon_grid(CLIMATE_WIDTH, CLIMATE_HEIGHT)
    aridity = np.zeros_like(lat)
    for clat, clon, half_lat, half_lon, strength in DESERTS:
        dlon = (lon - clon + 180.0) % 360.0 - 180.0
        r = np.hypot((lat - clat) / half_lat, dlon / half_lon)
        aridity = np.maximum(aridity, strength * np.clip(1.3 - r, 0.0, 1.0) ** 0.7)
    ice = np.zeros_like(lat)
    for lat0, lat1, lon0, lon1 in ICE_SHEETS:
        ice[(lat >= lat0) & (lat <= lat1) & (lon >= lon0) & (lon <= lon1)] = 1.0
    coarse = box_average(land, CLIMATE_WIDTH, CLIMATE_HEIGHT)
    ice *= coarse > 0.05
    rgb = np.stack([aridity, ice, coarse], axis=-1)
    image = Image.fromarray(np.round(rgb * 255).astype(np.uint8))
    # soft edges: the shader mixes by these values, hard steps would show as lines
    red, green, _ = image.filter(ImageFilter.GaussianBlur(1.2)).split()
    shelf = image.getchannel("B").filter(ImageFilter.GaussianBlur(2.0))
    return np.asarray(Image.merge("RGB", (red, green, shelf)))


def land_fraction(mask: np.ndarray) -> float:
    """Area-weighted land fraction of an equirectangular mask (values 0..1)."""
    lat = np.radians(90.0 - (np.arange(mask.shape[0]) + 0.5) * 180.0 / mask.shape[0])
    weights = np.cos(lat)
    return float((mask.mean(axis=1) * weights).sum() / weights.sum())


def save_png(array: np.ndarray, path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp.png")
    Image.fromarray(array).save(tmp, optimize=True)
    os.replace(tmp, path)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DATA, help="folder for the two PNGs")
    args = parser.parse_args(argv)
    land = land_mask_from_globe()
    mask = box_average(land, WIDTH, HEIGHT)
    save_png(np.round(mask * 255).astype(np.uint8), args.out / "earth_landmask.png")
    save_png(climate_map(land), args.out / "earth_climate.png")
    for name in ("earth_landmask.png", "earth_climate.png"):
        print(f"{args.out / name}: {(args.out / name).stat().st_size / 1024:.1f} KiB")
    print(f"land fraction (area-weighted): {land_fraction(mask):.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
