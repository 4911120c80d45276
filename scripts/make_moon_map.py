"""Regenerate allo_addon/data/moon_albedo.png: the built-in Moon's albedo map, 8-bit.

    python scripts/make_moon_map.py            # rasterise core/assets/moon_map.albedo_map and rewrite
    python scripts/make_moon_map.py --check    # exit 1 if the file differs from a fresh map

The scene loads this file instead of rasterising the map at every scene build (~1 s on an idle
core, most of a shard's start). The values are what Blender stores when the float map is
written into an 8-bit image, floor(v · 255 + 0.5) (tests/test_moon_map.py checks both the file
and that rule against Blender). Rerun this script after changing core/assets/moon_map.py.
"""

import argparse
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from allo_addon.core.assets.moon_map import SHIPPED_MAP, albedo_map, to_bytes  # noqa: E402


def png_bytes(values: np.ndarray) -> bytes:
    """The map as a grayscale PNG, bottom row last (SHIPPED_MAP's comment)."""
    stream = io.BytesIO()
    Image.fromarray(np.flipud(values), mode="L").save(stream, format="PNG", optimize=True)
    return stream.getvalue()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    fresh = to_bytes(albedo_map())
    path = SHIPPED_MAP.relative_to(ROOT)
    if args.check:
        shipped = np.flipud(np.asarray(Image.open(SHIPPED_MAP)))
        if shipped.shape != fresh.shape or not np.array_equal(shipped, fresh):
            print(f"{path} differs from core/assets/moon_map.albedo_map(): run this script",
                  file=sys.stderr)
            return 1
        print(f"{path} is current")
        return 0
    SHIPPED_MAP.write_bytes(png_bytes(fresh))
    print(f"wrote {path} ({SHIPPED_MAP.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
