"""Every render_config.yaml key, declared once: the table SETTINGS.

One `Setting` per key: its name, kind, default, bounds or choices, panel label and help. The
rest is derived from it:

- `Config`'s fields and their defaults (core/dataset/config.py, `config_fields`);
- the check of each key's YAML value (config_from_dict: the kind's check of `_Checker`, or
  the entry's own `parse`), with the same error messages for every key of a kind;
- the written config (core/dataset/config_yaml.py: `Setting.to_yaml`, every key in table order);
- the panel's properties (properties.py builds ALLO_PG_settings' fields from kind, default,
  bounds, label and help);
- command-line flags that set a key (headless/arguments.py, `config_flag`);
- README's render_config.yaml table: tests/test_settings_table.py checks that it lists
  exactly these keys with `shown_default` as their default.

Adding a key
------------
1. Add a `Setting` to SETTINGS below, where it belongs in a written config, e.g.
       Setting("exposure", "float", 0.0, "Exposure", "film exposure in stops", minimum=-10),
   Kinds: int, float, bool, choice, text, numbers, names, path (all checked, written and shown
   in the panel without more code), pair (two whole numbers) and mapping (give `parse`; a
   mapping's panel fields are written by hand in properties.py, and
   tests/test_settings_table.py says so when they are missing).
2. Use it: `config.exposure` where the renderer needs it; show its field in the panel
   (panels/sidebar.py: `layout.prop(settings, "exposure")`).
3. Add its row to README's render_config.yaml table (the test names it until you do), and a
   value other than the default to CHANGED in tests/test_gui_panel.py (its round trip of
   every panel setting asks for one).
A rule between keys (end_day ≥ start_day) goes in config_from_dict after the per-key pass.

Pure: no bpy. Blender's limits (INT_MAX, SAMPLES_MAX …) are stated here because the bounds
use them; core/dataset/config.py re-exports them for the modules that import them from there.
"""

from __future__ import annotations

import copy
from dataclasses import MISSING, dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..sensor.spec import parse_sensor
from .anomaly_params import parse_anomaly_params
from .quality import DEFAULT_QUALITY, QUALITY_NAMES

# Anomaly colours of the original pipeline (RGB, linear), plus the aliases users type.
COLOURS = {
    "red": (1.0, 0.0, 0.0),
    "green": (0.0, 1.0, 0.0),
    "blue": (0.0, 0.0, 1.0),
    "yellow": (1.0, 1.0, 0.0),
    "purple": (1.0, 0.0, 1.0),
    "magenta": (1.0, 0.0, 1.0),
    "cyan": (0.0, 1.0, 1.0),
    "white": (1.0, 1.0, 1.0),
}
DEVICES = ("auto", "cpu", "gpu")
# which poses an anomalous batch's Camera<K> takes (README, "Which views the test images come from")
PROTOCOLS = ("novel-view", "same-view")
BUILTIN = "builtin"
POSE_PRESETS = ("builtin", "original")

# Blender's own limits. Past them Blender clamps a value silently (a 70000-pixel-wide render
# comes out 65536 wide), overflows it to inf (float properties are 32-bit) or raises a
# ValueError from deep inside an operator; so a config is held to them up front. core/ has no
# bpy: tests/test_hostile_inputs.py checks each constant against bl_rna's hard limits.
INT_MIN, INT_MAX = -2**31, 2**31 - 1   # every integer property (the panel holds each integer key)
FLOAT_MAX = 3.4028234663852886e38      # FLT_MAX: a larger float property value becomes inf
RESOLUTION_MAX = 65536                 # RenderSettings.resolution_x / resolution_y hard_max
SAMPLES_MAX = 16_777_216               # CyclesRenderSettings.samples hard_max
LENS_MM_MIN = 1.0                      # Camera.lens hard_min


@dataclass(frozen=True)
class PoseJitter:
    position: float = 1.0   # metres, σ of a normal draw per axis, per day
    rotation: float = 0.2   # radians, σ per Euler angle, per day
    # share of the view that must see the station, else the jitter is drawn again (seeded);
    # None = auto: 0.1 with the built-in station, 0 (the original: any view) with your model
    min_station_share: float | None = None


# kind -> the Config field's type; the kinds without `parse` are checked by _Checker's method
# of that name (config.py, Setting.check)
KINDS = {
    "int": "int", "float": "float", "bool": "bool", "choice": "str", "text": "str",
    "numbers": "tuple[float, ...]", "names": "tuple[str, ...]", "path": "Path | None",
    "pair": "tuple[int, int]", "mapping": "dict",
}


@dataclass(frozen=True)
class Setting:
    key: str
    kind: str                          # one of KINDS
    default: Any                       # the Config value when the key is left out
    label: str                         # the panel's name for it
    help: str = ""                     # one line: the panel's tooltip, a flag's help
    minimum: float | None = None       # int, float, numbers, pair: smallest value allowed
    maximum: float | None = None       # int, pair: largest (default: Blender's 32-bit limit)
    positive: bool = False             # float, numbers: > 0
    why: str | None = None             # why the bound, said in the message
    choices: tuple = ()                # choice: the values allowed
    choice_names: tuple = ()           # choice: the panel's names for them (default: the value)
    unique: bool = False               # numbers: each value once, as file names write it
    file: bool = False                 # path: a file, not a folder (the panel's file browser)
    example: str | None = None         # names, pair: what the message says is expected
    # (checker, value, base_dir, values so far) -> the Config value, instead of the kind's check
    parse: Callable | None = None
    write: Callable | None = None      # Config value -> YAML value, instead of the plain one
    shown: str | None = None           # README's default column, when not the written default
    annotation: str | None = None      # the Config field's type, when not the kind's

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"setting {self.key}: unknown kind {self.kind!r}")
        if self.kind == "mapping" and self.parse is None:
            raise ValueError(f"setting {self.key}: a {self.kind} needs its own parse")

    def to_yaml(self, value):
        """The value as render_config.yaml writes it (plain YAML: lists, str, numbers)."""
        return self.write(value) if self.write else _plain(value)

    @property
    def yaml_default(self):
        """What a config that leaves the key out is read as (checked like a written value)."""
        return self.to_yaml(self.default)

    @property
    def shown_default(self) -> str:
        """The default as README's table writes it."""
        return self.shown if self.shown is not None else _shown(self.yaml_default)


def _plain(value):
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value


def _shown(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_shown(v)}" for k, v in value.items()) + "}"
    return "none" if value is None else str(value)


def _jitter_yaml(jitter: PoseJitter) -> dict:
    share = jitter.min_station_share
    return {"position": jitter.position, "rotation": jitter.rotation,
            "min_station_share": "auto" if share is None else share}


# In the order a written config lists them (Config's field order).
SETTINGS: tuple[Setting, ...] = (
    # --- the original keys (docs/formats.md §2) ----------------------------------------------------
    Setting("start_day", "int", 1, "Start Day", "first ephemeris row (day) rendered", minimum=0),
    Setting("end_day", "int", 3, "End Day", "Last day rendered, inclusive", minimum=0),
    Setting("day_interval", "int", 1, "Every", "render every N-th day", minimum=1),
    Setting("sun_strength", "numbers", (1.0, 5.0, 10.0), "Sun Strengths",
            "illumination mode: sun lamp strengths, each once", minimum=0, unique=True),
    Setting("depths", "numbers", (0.0, -1.0, 1.0), "Depths",
            "metres along the camera's forward axis", unique=True),
    Setting("scales", "numbers", (0.3, 0.5, 0.7), "Scales",
            "scale mode: one drawn per camera and day", positive=True),
    Setting("colours", "names", ("red", "blue", "yellow"), "Colours",
            "colour mode: " + " ".join(COLOURS), example="[red, blue, yellow]",
            parse=lambda check, value, base_dir, values: check.colours(value)),
    Setting("cams", "numbers", (1, 2, 3), "Cameras", "Camera indices, comma separated",
            annotation="tuple[int, ...]", shown="{start: 1, end: 3}",
            parse=lambda check, value, base_dir, values: check.cams(value)),
    Setting("anomalies", "names", ("blanket", "drill", "cable"), "Anomalies",
            "Anomaly kinds, in order", example="[blanket, drill, cable]"),
    Setting("min_pixel", "int", 2000, "Min Pixels",
            "an anomaly must cover more pixels than this", minimum=0),
    # None: the default ephemeris shipped in the package
    Setting("ephemeris_path", "path", None, "Ephemeris",
            "Ephemeris CSV (original 12 columns or extended); empty: the default one",
            file=True, shown="shipped default"),
    # None: the built-in station and bodies
    Setting("cad_models_path", "path", None, "CAD Models",
            "Folder with <station>.blend, moon.blend, sun.blend, earth.blend",
            shown="none: built-in"),
    # None: the built-in anomaly kinds
    Setting("anomalies_path", "path", None, "Anomaly Models",
            "Folder with <kind>.blend per anomaly; empty: the built-in kinds",
            shown="none: built-in"),
    Setting("output_dir", "path", Path("renders"), "Output", "Folder that receives exp_<N>/"),
    # --- ours, defaults = the original's behaviour -------------------------------------------
    Setting("resolution", "pair", (1920, 1080), "Resolution", "image width and height",
            minimum=8, maximum=RESOLUTION_MAX, why="Blender's largest image side",
            example="[width, height], e.g. [1920, 1080]"),
    # a preset of measured Cycles settings (core/dataset/quality.py); it fills samples and
    # denoise when the config leaves them out (config_from_dict), so it comes before them
    Setting("quality", "choice", DEFAULT_QUALITY, "Quality",
            "Measured Cycles settings (README, Render quality): original = the original's 256 "
            "samples, denoised; samples and denoise written in the config win",
            choices=QUALITY_NAMES),
    Setting("samples", "int", 256, "Samples", "Cycles samples per pixel", minimum=1,
            maximum=SAMPLES_MAX, why="Cycles' largest sample count"),
    Setting("denoise", "bool", True, "Denoise", "denoise the renders (OpenImageDenoise)"),
    Setting("references", "bool", True, "Normal Twins",
            "Anomalous batches also render each camera-day's anomaly-free twin per "
            "illumination (Camera<K>/reference/)"),
    Setting("device", "choice", "auto", "Device", "auto (GPU if Cycles finds one), cpu or gpu",
            choices=DEVICES, choice_names=("Auto", "CPU", "GPU")),
    Setting("seed", "int", 42, "Seed", "experiment seed, any 32-bit whole number"),
    # "builtin" or an "ISS.blend"-style file name in cad_models_path
    Setting("station", "text", BUILTIN, "Station File",
            "builtin, or the station's file name in the CAD models folder (ISS.blend)"),
    Setting("camera_poses", "text", "auto", "Camera Poses",
            "auto, builtin, original or the path of a pose CSV", annotation="str | Path",
            parse=lambda check, value, base_dir, values: check.poses(value, base_dir)),
    Setting("protocol", "choice", "novel-view", "Views",
            "Which pose table anomalous batches take: novel-view, the test table (the "
            "original); same-view, the train table", choices=PROTOCOLS),
    Setting("pose_jitter", "mapping", PoseJitter(), "Pose Jitter",
            "σ of the per-day pose jitter (m, rad) and the share of the view that must see "
            "the station", annotation="PoseJitter", write=_jitter_yaml,
            parse=lambda check, value, base_dir, values: check.jitter(value)),
    Setting("default_sun_strength", "float", 10.0, "Sun Strength",
            "Sun strength when illumination is not varied (and in the preview)", minimum=0),
    Setting("lens_mm", "float", 25.0, "Lens (mm)", "camera lens focal length",
            minimum=LENS_MM_MIN, why="Blender's shortest lens"),
    Setting("spot_power", "float", 500.0, "Spotlight (W)", "W, the spotlight at each camera",
            minimum=0),
    # 0 m would put the anomaly inside the camera
    Setting("anomaly_distance", "float", 4.0, "Anomaly Distance",
            "metres ahead of the camera the anomaly is placed", positive=True),
    Setting("anomaly_box", "float", 1.2, "Anomaly Box", "± metres around that point",
            minimum=0),
    Setting("placement_attempts", "int", 11, "Placement Attempts",
            "placements tried before a camera-day is skipped", minimum=1),
    # kind -> AnomalyParams (anomaly_params.py); checked against the anomalies read before it
    Setting("anomaly_params", "mapping", {}, "Anomaly Parameters",
            "Per-kind parameters as in render_config.yaml, e.g. "
            "{drill: {size: [0.3, 0.45], colour: red}, frost: {weight: 3}}", shown="none",
            write=lambda params: {kind: p.as_yaml() for kind, p in params.items()},
            parse=lambda check, value, base_dir, values: parse_anomaly_params(
                check, value, values["anomalies"], COLOURS)),
    # camera sensor model (core/sensor/model.py, README "Camera sensor model"); None: off
    Setting("sensor", "mapping", None, "Sensor",
            "Camera sensor model as in render_config.yaml: gateway_inspection, cmv4000, "
            "or {preset: cmv4000, shutter_s: 0.0005}; empty: none (Blender's PNG)", shown="none",
            annotation="SensorSpec | None",
            write=lambda sensor: sensor.as_yaml() if sensor else None,
            parse=lambda check, value, base_dir, values: parse_sensor(check, value)),
    # opt-in files from the same render (core/dataset/annotations.py); none: nothing changes at all
    Setting("annotations", "names", (), "Annotations",
            "Extra files from the same render: depth, normals, parts (comma separated)",
            example="[depth, normals]", shown="none",
            parse=lambda check, value, base_dir, values: check.annotations(value)),
)

BY_KEY = {setting.key: setting for setting in SETTINGS}
assert len(BY_KEY) == len(SETTINGS), "a key is declared twice"


def config_fields() -> dict:
    """{key: (annotation, default)} for Config, in table order."""
    return {s.key: (s.annotation or KINDS[s.kind], s.default) for s in SETTINGS}


def with_fields(table_fields: dict, frozen: bool = False):
    """Class decorator: a dataclass with `table_fields` ({name: (annotation, default)}, in
    order; default dataclasses.MISSING: required) first, then the class's own fields."""
    def decorate(cls):
        own = dict(cls.__dict__.get("__annotations__", {}))
        for name, (annotation, default) in table_fields.items():
            if default is MISSING:
                continue
            try:
                hash(default)
            except TypeError:   # a dict: each instance gets its own copy
                default = field(default_factory=lambda d=default: copy.deepcopy(d))
            setattr(cls, name, default)
        cls.__annotations__ = {**{n: a for n, (a, _) in table_fields.items()}, **own}
        return dataclass(frozen=frozen)(cls)
    return decorate
