"""The anomaly-size threshold of the post-process, per image.

An area in pixels only means something at a resolution: the original's 2000 px is 0.1 % of a
1920×1080 frame but 5.4 % of a 256×144 one, where it rejects every anomaly. So:

- no `--min_pixel`: the threshold the render itself used (its manifest record's `min_pixel`,
  which placement already guaranteed), so the post-process accepts what the render accepted;
  an image whose record lacks it gets the original's 2000 px at 1920×1080, scaled by area to
  the image's resolution;
- `--min_pixel N`: N pixels of the images as rendered;
- `--min_pixel N@WxH`: N pixels at WxH, scaled by area to each image's resolution (so a
  threshold written for 1920×1080 keeps its meaning at 256×144).
A plain N that no anomaly of the batch exceeds is refused before anything is written
(check_reachable), naming the render's own threshold and the @WxH form.
"""

import re
from dataclasses import dataclass

from ..errors import UserError

ORIGINAL_PIXELS, ORIGINAL_AT = 2000, (1920, 1080)   # the original preprocess.py's default
_SPEC = re.compile(r"^\s*(-?\d+)\s*(?:@\s*(\d+)\s*[xX]\s*(\d+)\s*)?$")


@dataclass(frozen=True)
class MinPixel:
    pixels: int | None = None                 # None: the render's own threshold
    at: tuple[int, int] | None = None         # the resolution `pixels` refers to; None: the image's

    def for_image(self, record: dict | None, size: tuple[int, int]) -> int:
        """The threshold for one image of `size` (width, height): an anomaly must cover more."""
        if self.pixels is None:
            rendered = (record or {}).get("min_pixel")
            if isinstance(rendered, int) and not isinstance(rendered, bool) and rendered >= 0:
                return rendered
            return scaled(ORIGINAL_PIXELS, ORIGINAL_AT, size)
        return self.pixels if self.at is None else scaled(self.pixels, self.at, size)

    def describe(self) -> str:
        if self.pixels is None:
            return (f"the render's own min_pixel (else {ORIGINAL_PIXELS} px at "
                    f"{ORIGINAL_AT[0]}x{ORIGINAL_AT[1]}, scaled)")
        if self.at is None:
            return f"{self.pixels} px"
        return f"{self.pixels} px at {self.at[0]}x{self.at[1]}, scaled by area"


def scaled(pixels: int, at: tuple[int, int], size: tuple[int, int]) -> int:
    return round(pixels * size[0] * size[1] / (at[0] * at[1]))


def parse(text: str) -> MinPixel:
    """'N' or 'N@WxH' (command line); a mistake names the value and the expected form."""
    match = _SPEC.match(str(text))
    if not match or (match.group(2) and min(int(match.group(2)), int(match.group(3))) <= 0):
        raise UserError(f"min_pixel {text!r} is not a pixel count N or N@WIDTHxHEIGHT "
                        f"(e.g. 20, or 2000@1920x1080 to scale a 1920×1080 threshold)")
    at = (int(match.group(2)), int(match.group(3))) if match.group(2) else None
    result = MinPixel(int(match.group(1)), at)
    check(result)
    return result


def check(min_pixel: MinPixel) -> None:
    if min_pixel.pixels is not None and min_pixel.pixels < 0:
        raise UserError(f"min_pixel is {min_pixel.pixels}; expected 0 or more pixels")
    if min_pixel.at is not None and min(min_pixel.at) <= 0:
        raise UserError(f"min_pixel's resolution {min_pixel.at} is not a positive "
                        f"WIDTHxHEIGHT")


def check_reachable(min_pixel: MinPixel, records: list[dict]) -> None:
    """Refuse a threshold that the manifest shows no anomaly of the batch exceeds: it would
    leave a test split without anomalous images. records: the anomalous images' render records
    (those with an anomaly_pixels count and a resolution)."""
    counted = [r for r in records if isinstance(r.get("anomaly_pixels"), int)
               and _size(r) is not None]
    if min_pixel.pixels is None or not counted:
        return
    thresholds = [min_pixel.for_image(r, _size(r)) for r in counted]
    if any(r["anomaly_pixels"] > t for r, t in zip(counted, thresholds)):
        return
    areas = sorted(r["anomaly_pixels"] for r in counted)
    sizes = sorted({_size(r) for r in counted})
    size_text = ", ".join(f"{w}x{h}" for w, h in sizes)
    rendered = sorted({r["min_pixel"] for r in counted if isinstance(r.get("min_pixel"), int)})
    used = (f"the render used min_pixel {', '.join(map(str, rendered))}"
            if rendered else "the manifest does not say which min_pixel the render used")
    raise UserError(
        f"min_pixel {min_pixel.describe()} rejects all {len(counted)} anomalous images of "
        f"this batch: at {size_text} their anomalies cover {areas[0]}–{areas[-1]} px ({used}). "
        f"Leave --min_pixel out to keep the render's threshold, give one below {areas[-1]}, "
        f"or write a threshold meant for another resolution as N@WIDTHxHEIGHT (e.g. "
        f"{ORIGINAL_PIXELS}@{ORIGINAL_AT[0]}x{ORIGINAL_AT[1]}), which is scaled by area")


def _size(record: dict) -> tuple[int, int] | None:
    size = record.get("resolution")
    if isinstance(size, (list, tuple)) and len(size) == 2 and all(
            isinstance(v, int) and v > 0 for v in size):
        return (size[0], size[1])
    return None
