"""Checks on one input file; each failure is a Rejected with a reason from REASONS.

Rendered images are not decoded: Pillow's PNG verify() walks every chunk and checks its CRC,
which catches truncated and corrupted files, and the file is then copied byte for byte. Masks
are small to decode (mostly zeros) and are needed as pixels anyway.
"""

from pathlib import Path

import numpy as np
from PIL import Image

MISSING_IMAGE = "missing_image"      # listed in manifest.jsonl but not on disk
MISSING_MASK = "missing_mask"
UNREADABLE = "unreadable_png"
WRONG_SHAPE = "wrong_shape"
ANOMALY_TOO_SMALL = "anomaly_too_small"
MISSING_REFERENCE = "missing_reference"   # the manifest links a twin that is not on disk
MISSING_ANNOTATION = "missing_annotation"  # the record lists an annotation not on disk
REASONS = (MISSING_IMAGE, MISSING_MASK, UNREADABLE, WRONG_SHAPE, ANOMALY_TOO_SMALL,
           MISSING_REFERENCE, MISSING_ANNOTATION)


class Rejected(Exception):
    """A file that cannot go into the dataset; reason is one of REASONS."""

    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


def _open_png(path: Path, role: str) -> Image.Image:
    try:
        image = Image.open(path)
    except FileNotFoundError:
        raise Rejected(MISSING_MASK if role != "image" else MISSING_IMAGE, f"no {role} {path}")
    except Exception as error:  # Pillow raises many types for a broken file
        raise Rejected(UNREADABLE, f"{role} {path.name} cannot be opened ({error})")
    if image.format != "PNG":
        image.close()
        raise Rejected(UNREADABLE, f"{role} {path.name} is {image.format}, not PNG")
    return image


def _check_size(image: Image.Image, path: Path, role: str, expected: tuple[int, int]) -> None:
    if image.size != tuple(expected):
        raise Rejected(WRONG_SHAPE, f"{role} {path.name} is {image.width}x{image.height}, "
                                    f"expected {expected[0]}x{expected[1]}")


def check_image(path: Path, expected: tuple[int, int]) -> None:
    """A whole, valid PNG of the expected (width, height), checked without decoding pixels."""
    with _open_png(path, "image") as image:
        _check_size(image, path, "image", expected)
        try:
            image.verify()
        except Exception as error:
            raise Rejected(UNREADABLE, f"image {path.name} is damaged ({error})")


def read_mask(path: Path, expected: tuple[int, int], role: str) -> np.ndarray:
    """An 8-bit single-channel array of a mask PNG (any mode is converted to L)."""
    with _open_png(path, role) as image:
        _check_size(image, path, role, expected)
        try:
            if image.mode.startswith("I"):   # 16-bit grey: Pillow's convert("L") would clip
                return (np.clip(np.asarray(image), 0, 65535) // 257).astype(np.uint8)
            return np.asarray(image if image.mode == "L" else image.convert("L"))
        except Exception as error:
            raise Rejected(UNREADABLE, f"{role} {path.name} is damaged ({error})")
