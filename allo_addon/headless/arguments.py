"""Flag types shared by the commands: a value the renderer cannot use is refused while the flags
are parsed, naming the flag (`error: argument --seed: …`), before anything is loaded or written.

The limits are Blender's (core/dataset/config.py states them): an operator property would otherwise
clamp the value silently or end in a ValueError traceback.
"""

from __future__ import annotations

import argparse
import math

from ..core.dataset.config import INT_MAX, INT_MIN
from ..core.dataset.settings import BY_KEY

INT_BITS = "Blender holds whole numbers in 32 bits"


def whole(low: int = INT_MIN, high: int = INT_MAX, why: str = INT_BITS):
    """A whole number from `low` to `high`."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is outside {low} to {high} ({why})")
        return value
    return parse


def positive_number(text: str) -> float:
    """A finite number > 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text} is not a finite number > 0")
    return value


def config_flag(parser, key: str) -> None:
    """--<key>: a flag that overrides a render_config.yaml key, its type, bounds and help from
    core/dataset/settings.py. Not given: None, the config's own value."""
    setting = BY_KEY[key]
    if setting.kind == "int":
        low = INT_MIN if setting.minimum is None else setting.minimum
        high = INT_MAX if setting.maximum is None else setting.maximum
        kind = {"type": whole(low, high, setting.why or INT_BITS)}
    elif setting.kind == "choice":
        kind = {"choices": setting.choices}
    else:   # a flag for a key of another kind: give its type here first
        raise ValueError(f"no flag for a key of kind {setting.kind}: {key}")
    parser.add_argument(f"--{key}", default=None, **kind,
                        help=f"{setting.help} (default: the config's {key}, "
                             f"{setting.shown_default})")
