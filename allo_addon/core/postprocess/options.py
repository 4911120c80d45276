"""Every post-process option, declared once: the table OPTIONS.

From it come PostprocessRequest's fields and defaults (run.py), the command line's flags
(headless/postprocess.py, `--<name>`), the allo.postprocess operator's properties and the
panel's pp_<name> fields (operators/postprocess.py, properties.py: `option_property`), and the
request each of them hands to postprocess().

Adding an option: add an `Option` below, then use `request.<name>` in the post-process (check
its value there: the operator and a script calling postprocess() pass no argparse). Kinds:
path, int, float, bool, text, choice, shape (WIDTHxHEIGHT), min_pixel (the one N[@WxH]).

Pure: no bpy, no argparse.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass
from typing import Any

from .output_layout import ANOMALIB, MVTEC

DEFAULT_SHAPE = (1920, 1080)

# kind -> PostprocessRequest's field type
KINDS = {"path": "Path | None", "int": "int", "float": "float", "bool": "bool",
         "text": "str | None", "choice": "str", "shape": "tuple[int, int]",
         "min_pixel": "int | None"}


@dataclass(frozen=True)
class Option:
    name: str                      # the request field, the flag (--name), the operator property
    kind: str                      # one of KINDS
    default: Any                   # the request's default (a required option has none)
    label: str                     # the operator's and panel's name
    help: str                      # the flag's help and the property's tooltip
    required: bool = False         # a flag that must be given (input, output)
    default_text: str | None = None   # "(default …)" in the flag's help
    gui_help: str | None = None    # the tooltip, when the operator's value differs (min_pixel)
    minimum: float | None = None   # the operator's bound (the core check words the message)
    maximum: float | None = None
    file: bool = False             # path: a file, not a folder
    choices: tuple = ()            # choice: (value, name, description) per choice
    metavar: str | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"option {self.name}: unknown kind {self.kind!r}")

    @property
    def flag_help(self) -> str:
        return self.help + (f" (default {self.default_text})" if self.default_text else "")

    @property
    def tooltip(self) -> str:
        text = self.gui_help or self.help
        return text[:1].upper() + text[1:]


OPTIONS: tuple[Option, ...] = (
    Option("input", "path", None, "Input", "the exp_<N> folder written by the renderer",
           required=True),
    Option("output", "path", None, "Output",
           "the split folder to write, e.g. renders/train or renders/test", required=True),
    Option("log_file", "path", None, "Log File",
           "log of rejected files (its folder must exist)", file=True,
           default_text="<output>/postprocess.log",
           gui_help="log of rejected files (empty: postprocess.log in the output folder)"),
    Option("seed", "int", 42, "Seed", "seed for choosing held-out normal test images",
           default_text="42"),
    Option("anomaly", "bool", False, "Anomalous Batch",
           "the input is an anomalous batch (default: normal)",
           gui_help="the input holds anomalous renders (anomaly/ and anomaly_mask/ folders)"),
    Option("min_pixel", "min_pixel", None, "Min Pixels",
           "an anomaly must cover more than N pixels of the image; N@WxH: N pixels at WxH, "
           "scaled by area to the images' resolution (e.g. 2000@1920x1080). Default: the "
           "min_pixel the render used (from its manifest.jsonl), else 2000@1920x1080",
           gui_help="an anomaly must cover more than this many pixels of the image (-1: the "
                    "min_pixel the render used, from its manifest.jsonl)",
           minimum=-1, metavar="N[@WxH]"),
    Option("shape", "shape", DEFAULT_SHAPE, "Image Size",
           "expected WIDTHxHEIGHT of images without a manifest.jsonl record",
           default_text="1920x1080", minimum=1,
           gui_help="expected width and height of images that manifest.jsonl does not list"),
    Option("normal_test_ratio", "float", 0.0, "Normal Test Share",
           "share of each camera's days held out (whole camera-days, not in train) as normal "
           "test images under <test_output>/Camera<K>/normal/", default_text="0",
           minimum=0.0, maximum=0.99),
    Option("test_output", "path", None, "Test Output",
           "split folder for held-out normal images", default_text="'test' beside --output",
           gui_help="split folder for held-out normal images (empty: 'test' beside Output)"),
    Option("workers", "int", 0, "Workers", "processes to use",
           default_text="0: one per core", minimum=0,
           gui_help="processes to use (0: one per core)"),
    Option("layout", "choice", ANOMALIB, "Layout",
           "anomalib (default): --output is a split folder of Camera<K>/images|masks|"
           "ground_truth; mvtec: --output is the MVTec AD root, <output>/<category>/train/good, "
           "test/good, test/<anomaly kind>, ground_truth/<anomaly kind>/<name>_mask.png, one "
           "category per camera (3-class masks under <output>/masks/)",
           gui_help="how the output is laid out: Anomalib split folder or MVTec AD root",
           choices=((ANOMALIB, "Anomalib", "Output is a split folder of Camera<K>/images, "
                                           "masks, ground_truth"),
                    (MVTEC, "MVTec AD", "Output is an MVTec AD root: <category>/train/good, "
                                        "test/<kind>, ground_truth/<kind>/<name>_mask.png"))),
    Option("category", "text", None, "Category",
           "with --layout mvtec: all cameras as this one category (file names prefixed with "
           "Camera<K>_)",
           gui_help="MVTec AD layout: all cameras as this one category (empty: one per camera)"),
)

BY_NAME = {option.name: option for option in OPTIONS}
assert len(BY_NAME) == len(OPTIONS), "an option is declared twice"


def request_fields() -> dict:
    """{name: (annotation, default)} for PostprocessRequest, in table order; a required
    option has no default (so it comes first in the table)."""
    return {o.name: ("Path", MISSING) if o.required else (KINDS[o.kind], o.default)
            for o in OPTIONS}
