"""render_config.yaml: the original keys (FORMATS §2) plus ours, validated into a Config.

Every original key keeps its meaning; every key we add has a default that reproduces the
original pipeline. Unknown keys are an error that names the closest known key. Paths are
resolved relative to the config file's folder.
"""

from __future__ import annotations

import difflib
import math
import os
import reprlib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import yaml

from .anomaly_params import DEFAULT as DEFAULT_PARAMS
from .anomaly_params import AnomalyParams, parse_anomaly_params
from .builtin_catalog import ANOMALY_KINDS
from .errors import UserError
from .quality import DEFAULT_QUALITY, PRESETS, QUALITY_NAMES
from .render_names import number_label
from .user_files import read_user_text

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


AUTO_STATION_SHARE = 0.1

# Blender's own limits. Past them Blender clamps a value silently (a 70000-pixel-wide render
# comes out 65536 wide), overflows it to inf (float properties are 32-bit) or raises a
# ValueError from deep inside an operator; so a config is held to them up front. core/ has no
# bpy: tests/test_hostile_inputs.py checks each constant against bl_rna's hard limits.
INT_MIN, INT_MAX = -2**31, 2**31 - 1   # every integer property (the panel holds each integer key)
FLOAT_MAX = 3.4028234663852886e38      # FLT_MAX: a larger float property value becomes inf
RESOLUTION_MAX = 65536                 # RenderSettings.resolution_x / resolution_y hard_max
SAMPLES_MAX = 16_777_216               # CyclesRenderSettings.samples hard_max
LENS_MM_MIN = 1.0                      # Camera.lens hard_min
# A cams range is expanded into a list of indices, one pose-table row each; the shipped tables
# have 60 rows. A range longer than this is a typo, and expanding it would exhaust memory.
MAX_CAMERAS = 10_000
MAX_CONFIG_BYTES = 1 << 20             # a config is a few hundred bytes; 1 MiB is the wrong file


@dataclass(frozen=True)
class PoseJitter:
    position: float = 1.0   # metres, σ of a normal draw per axis, per day
    rotation: float = 0.2   # radians, σ per Euler angle, per day
    # share of the view that must see the station, else the jitter is drawn again (seeded);
    # None = auto: 0.1 with the built-in station, 0 (the original: any view) with your model
    min_station_share: float | None = None


@dataclass(frozen=True)
class Config:
    # --- the original keys -------------------------------------------------------------
    start_day: int = 1
    end_day: int = 3
    day_interval: int = 1
    sun_strength: tuple[float, ...] = (1.0, 5.0, 10.0)
    depths: tuple[float, ...] = (0.0, -1.0, 1.0)
    scales: tuple[float, ...] = (0.3, 0.5, 0.7)
    colours: tuple[str, ...] = ("red", "blue", "yellow")
    cams: tuple[int, ...] = (1, 2, 3)
    anomalies: tuple[str, ...] = ("blanket", "drill", "cable")
    min_pixel: int = 2000
    ephemeris_path: Path | None = None        # None: the default ephemeris shipped in the package
    cad_models_path: Path | None = None       # None: the built-in station and bodies
    anomalies_path: Path | None = None        # None: the built-in anomaly kinds
    output_dir: Path = Path("renders")
    # --- ours, defaults = the original's behaviour -------------------------------------
    resolution: tuple[int, int] = (1920, 1080)
    quality: str = DEFAULT_QUALITY            # preset (core/quality.py): samples, denoise, Cycles
    samples: int = 256
    denoise: bool = True
    references: bool = True                   # anomalous batches also render anomaly-free twins
    device: str = "auto"
    seed: int = 42
    station: str = BUILTIN                    # "builtin" or "ISS.blend"-style file name
    camera_poses: str | Path = "auto"         # auto | builtin | original | path to a CSV
    protocol: str = "novel-view"              # anomalous batches: test table; same-view: train
    pose_jitter: PoseJitter = field(default_factory=PoseJitter)
    default_sun_strength: float = 10.0        # illumination when the mode is off
    lens_mm: float = 25.0
    spot_power: float = 500.0                 # W, the spotlight at each camera
    anomaly_distance: float = 4.0             # m ahead of the camera
    anomaly_box: float = 1.2                  # ± m around that point
    placement_attempts: int = 11
    anomaly_params: dict = field(default_factory=dict)   # kind -> AnomalyParams (anomaly_params.py)
    source: Path | None = None                # the YAML file this came from

    @property
    def days(self) -> list[int]:
        return list(range(self.start_day, self.end_day + 1, self.day_interval))

    @property
    def pose_table(self) -> str | Path:
        """Which camera pose table: the original's goes with the original's ISS model."""
        if self.camera_poses != "auto":
            return self.camera_poses
        return "original" if self.cad_models_path else "builtin"

    def params_for(self, kind: str) -> AnomalyParams:
        return self.anomaly_params.get(kind, DEFAULT_PARAMS)

    @property
    def min_station_share(self) -> float:
        share = self.pose_jitter.min_station_share
        if share is not None:
            return share
        return AUTO_STATION_SHARE if self.cad_models_path is None else 0.0

    def with_overrides(self, **changes) -> "Config":
        return replace(self, **changes)


_KNOWN = {f.name for f in fields(Config)} - {"source"}


def parse_yaml(text: str, source: str):
    """YAML text (safe loader); a UserError names `source`, the line and column, and the problem.

    A key written twice in one mapping is an error naming both lines: YAML itself would keep
    the last value without a word, and the user meant one of them."""
    loader = None
    try:
        loader = yaml.SafeLoader(text)   # refuses unprintable characters already
        node = loader.get_single_node()
        if node is None:
            return None
        _refuse_repeated_keys(node, source)
        return loader.construct_document(node)
    except yaml.YAMLError as error:
        where = ""
        mark = getattr(error, "problem_mark", None)
        if mark is not None:
            where = f" at line {mark.line + 1}, column {mark.column + 1}"
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise UserError(f"{source}: not valid YAML{where}: {problem}") from None
    finally:
        if loader is not None:
            loader.dispose()


def _refuse_repeated_keys(root, source: str) -> None:
    """Walk the composed YAML nodes (each once: aliases may share or nest them)."""
    stack, seen_nodes = [(root, "")], set()
    while stack:
        node, path = stack.pop()
        if id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack += [(item, f"{path}[{i}]") for i, item in enumerate(node.value)]
        elif isinstance(node, yaml.MappingNode):
            first: dict = {}
            for key_node, value_node in node.value:
                name = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
                full = f"{path}.{name}" if path else str(name)
                if name is not None and key_node.tag != "tag:yaml.org,2002:merge":
                    here = key_node.start_mark
                    there = first.setdefault((key_node.tag, name), here)
                    if there is not here:
                        raise UserError(f"{source}: key '{full}' is written twice, at "
                                        f"{_place(there, here)} and {_place(here, there)}; "
                                        f"keep one (YAML would silently use the last)")
                stack.append((value_node, full))


def _place(mark, other) -> str:
    line = f"line {mark.line + 1}"
    return f"{line}, column {mark.column + 1}" if mark.line == other.line else line


def load_config(path) -> Config:
    """Read and validate a render_config.yaml; UserError names the file and key on mistakes."""
    path = Path(path)
    raw = parse_yaml(read_user_text(path, "config file", max_bytes=MAX_CONFIG_BYTES), str(path))
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise UserError(f"{path}: expected a mapping of keys (start_day: 1, …), "
                        f"got {type(raw).__name__}")
    return config_from_dict(raw, base_dir=path.resolve().parent, source=path)


def config_from_dict(raw: dict, base_dir: Path = Path("."), source: Path | None = None) -> Config:
    where = str(source) if source else "config"
    checker = _Checker(where)
    for key in raw:
        if key not in _KNOWN:
            close = difflib.get_close_matches(str(key), sorted(_KNOWN), n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise UserError(f"{where}: unknown key '{key}'{hint}; known keys: "
                            f"{', '.join(sorted(_KNOWN))}")
    d = Config()
    values = {}
    get = raw.get
    values["start_day"] = checker.integer("start_day", get("start_day", d.start_day), minimum=0)
    values["end_day"] = checker.integer("end_day", get("end_day", d.end_day), minimum=0)
    values["day_interval"] = checker.integer("day_interval", get("day_interval", d.day_interval),
                                             minimum=1)
    if values["end_day"] < values["start_day"]:
        raise UserError(f"{where}: end_day ({values['end_day']}) is before start_day "
                        f"({values['start_day']}); end_day is the last day rendered, inclusive")
    values["sun_strength"] = checker.labels("sun_strength", checker.numbers(
        "sun_strength", get("sun_strength", d.sun_strength), minimum=0))
    values["depths"] = checker.labels("depths", checker.numbers("depths", get("depths", d.depths)))
    values["scales"] = checker.numbers("scales", get("scales", d.scales), positive=True)
    values["colours"] = checker.colours(get("colours", d.colours))
    values["cams"] = checker.cams(get("cams", {"start": 1, "end": 3}))
    values["anomalies"] = checker.names("anomalies", get("anomalies", d.anomalies))
    for key in ("ephemeris_path", "cad_models_path", "anomalies_path"):
        values[key] = checker.path(key, get(key), base_dir)
    if values["anomalies_path"] is None:
        checker.builtin_kinds(values["anomalies"])
    values["output_dir"] = checker.path("output_dir", get("output_dir", "renders"), base_dir)
    values["resolution"] = checker.resolution(get("resolution", list(d.resolution)))
    values["min_pixel"] = checker.integer("min_pixel", get("min_pixel", d.min_pixel), minimum=0)
    values["quality"] = checker.choice("quality", get("quality", d.quality), QUALITY_NAMES)
    preset = PRESETS[values["quality"]]   # fills samples and denoise; a key the YAML sets wins
    values["samples"] = checker.integer("samples", get("samples", preset.samples), minimum=1,
                                        maximum=SAMPLES_MAX, why="Cycles' largest sample count")
    values["denoise"] = checker.boolean("denoise", get("denoise", preset.denoise))
    values["references"] = checker.boolean("references", get("references", d.references))
    values["device"] = checker.choice("device", get("device", d.device), DEVICES)
    values["seed"] = checker.integer("seed", get("seed", d.seed))
    values["station"] = checker.string("station", get("station", d.station))
    if "station" in raw and values["station"] != BUILTIN and values["cad_models_path"] is None:
        raise UserError(f"{where}: key 'station' is {_SHORT.repr(raw['station'])}, but "
                        f"cad_models_path is not set: the station file is looked up there; set "
                        f"cad_models_path to the folder that holds it, or leave station out for "
                        f"the built-in station")
    values["camera_poses"] = checker.poses(get("camera_poses", "auto"), base_dir)
    values["protocol"] = checker.choice("protocol", get("protocol", d.protocol), PROTOCOLS)
    values["pose_jitter"] = checker.jitter(get("pose_jitter", {}))
    for key in ("default_sun_strength", "spot_power", "anomaly_box"):
        values[key] = checker.number(key, get(key, getattr(d, key)), minimum=0)
    values["lens_mm"] = checker.number("lens_mm", get("lens_mm", d.lens_mm), minimum=LENS_MM_MIN,
                                       why="Blender's shortest lens")
    # 0 m would put the anomaly inside the camera
    values["anomaly_distance"] = checker.number(
        "anomaly_distance", get("anomaly_distance", d.anomaly_distance), positive=True)
    values["placement_attempts"] = checker.integer(
        "placement_attempts", get("placement_attempts", d.placement_attempts), minimum=1)
    values["anomaly_params"] = parse_anomaly_params(checker, get("anomaly_params"),
                                                    values["anomalies"], COLOURS)
    return Config(**values, source=source)


# A value in a message: YAML aliases can nest a list nine deep and nine wide (9**9 items) in a
# few lines, and a full repr would never end.
_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxlist, _SHORT.maxdict, _SHORT.maxtuple = 2, 6, 6, 6
_SHORT.maxstring, _SHORT.maxother, _SHORT.maxlong = 200, 200, 60


class _Checker:
    """Type checks with messages that name the file and key and say what was expected."""

    def __init__(self, where: str):
        self.where = where

    def fail(self, key, value, expected):
        raise UserError(f"{self.where}: key '{key}' is {_SHORT.repr(value)}, expected {expected}")

    def integer(self, key, value, minimum=None, maximum=INT_MAX, why=None):
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                self.fail(key, value, "a whole number")
        minimum = INT_MIN if minimum is None else minimum
        if value < minimum and maximum == INT_MAX:
            self.fail(key, value, f"a whole number ≥ {minimum}")
        if not minimum <= value <= maximum:
            why = why or "Blender holds whole numbers in 32 bits"
            self.fail(key, value, f"a whole number from {minimum} to {maximum} ({why})")
        return value

    def number(self, key, value, minimum=None, positive=False, why=None):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(key, value, "a number")
        if not math.isfinite(value):
            self.fail(key, value, "a finite number")
        if abs(value) > FLOAT_MAX:
            self.fail(key, value, f"a number of at most {FLOAT_MAX:.3g} (Blender's 32-bit "
                                  f"floats hold no more)")
        if minimum is not None and value < minimum:
            self.fail(key, value, f"a number ≥ {minimum:g}" + (f" ({why})" if why else ""))
        if positive and value <= 0:
            self.fail(key, value, "a number > 0")
        return float(value)

    def numbers(self, key, value, minimum=None, positive=False):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = [value]
        if not isinstance(value, (list, tuple)) or not value:
            self.fail(key, value, "a non-empty list of numbers, e.g. [1, 5, 10]")
        return tuple(self.number(f"{key}[{i}]", v, minimum, positive) for i, v in enumerate(value))

    def labels(self, key, values):
        """Each value once, as its file name writes it (two images would share one name)."""
        seen = {}
        for value in values:
            label = number_label(value)
            if label in seen:
                same = "is listed twice" if seen[label] == value else \
                    f"and {seen[label]!r} both write '{label}' in file names"
                self.fail(key, list(values), f"each value once: {value!r} {same}")
            seen[label] = value
        return values

    def boolean(self, key, value):
        if not isinstance(value, bool):
            self.fail(key, value, "true or false")
        return value

    def string(self, key, value):
        if not isinstance(value, str) or not value.strip():
            self.fail(key, value, "a non-empty string")
        self.text(key, value)
        return value.strip()

    def text(self, key, value):
        """YAML's escapes can make a string no file system or terminal takes (a lone
        surrogate, "\\ud800"): refuse it here, not in a traceback where it is printed."""
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            self.fail(key, value, "text without lone surrogates (\\ud800-\\udfff)")

    def choice(self, key, value, choices):
        if value not in choices:
            self.fail(key, value, f"one of {', '.join(choices)}")
        return value

    def names(self, key, value, example="[blanket, drill, cable]"):
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, (list, tuple)) or not value:
            self.fail(key, value, f"a non-empty list of names, e.g. {example}")
        return tuple(self.string(f"{key}[{i}]", v) for i, v in enumerate(value))

    def builtin_kinds(self, names):
        unknown = [n for n in names if n not in ANOMALY_KINDS]
        if unknown:
            close = difflib.get_close_matches(unknown[0].lower(), ANOMALY_KINDS, n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise UserError(f"{self.where}: anomalies: unknown built-in kind(s) "
                            f"{', '.join(unknown)}{hint}; available: {', '.join(ANOMALY_KINDS)} "
                            f"(or set anomalies_path to a folder of your own models)")

    def colours(self, value):
        names = self.names("colours", value, example="[red, blue, yellow]")
        for i, name in enumerate(names):
            if name.lower() not in COLOURS:
                self.fail(f"colours[{i}]", name, f"one of {', '.join(COLOURS)}")
        return tuple(n.lower() for n in names)

    def cams(self, value):
        if isinstance(value, dict):
            unknown = set(value) - {"start", "end"}
            if unknown or "start" not in value or "end" not in value:
                self.fail("cams", value, "{start: 1, end: 3} or a list of camera indices")
            start = self.integer("cams.start", value["start"], minimum=0)
            end = self.integer("cams.end", value["end"], minimum=0)
            if end < start:
                self.fail("cams", value, "end ≥ start (both inclusive)")
            if end - start >= MAX_CAMERAS:
                self.fail("cams", value, f"at most {MAX_CAMERAS} cameras (one pose-table row "
                                         f"each)")
            return tuple(range(start, end + 1))
        if isinstance(value, int) and not isinstance(value, bool):
            value = [value]
        if not isinstance(value, (list, tuple)) or not value:
            self.fail("cams", value, "{start: 1, end: 3} or a non-empty list of camera indices")
        cams = tuple(self.integer(f"cams[{i}]", v, minimum=0) for i, v in enumerate(value))
        if len(set(cams)) != len(cams):
            self.fail("cams", value, "each camera index once")
        return cams

    def path(self, key, value, base_dir):
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip() or "\0" in value:
            self.fail(key, value, "a path (relative to the config file's folder)")
        self.text(key, value)
        path = Path(value).expanduser()
        return Path(os.path.normpath(path if path.is_absolute() else base_dir / path))

    def resolution(self, value):
        if (not isinstance(value, (list, tuple)) or len(value) != 2):
            self.fail("resolution", value, "[width, height], e.g. [1920, 1080]")
        w, h = (self.integer(f"resolution[{i}]", v, minimum=8, maximum=RESOLUTION_MAX,
                             why="Blender's largest image side") for i, v in enumerate(value))
        return (w, h)

    def poses(self, value, base_dir):
        if value in ("auto",) + POSE_PRESETS:
            return value
        expected = "auto, builtin, original or a CSV path"
        if not isinstance(value, str):
            self.fail("camera_poses", value, expected)
        path = self.path("camera_poses", value, base_dir)
        close = difflib.get_close_matches(value.strip().lower(), ("auto",) + POSE_PRESETS, n=1)
        if close and not path.exists():   # a misspelt preset, not a CSV
            self.fail("camera_poses", value, f"{expected} (did you mean '{close[0]}'?)")
        return path

    def jitter(self, value):
        if not isinstance(value, dict) or set(value) - {"position", "rotation", "min_station_share"}:
            self.fail("pose_jitter", value, "{position: metres, rotation: radians, "
                                            "min_station_share: 0..1 or auto}")
        d = PoseJitter()
        share = value.get("min_station_share", "auto")
        if share in ("auto", None):
            share = None
        else:
            share = self.number("pose_jitter.min_station_share", share, 0)
            if share > 1:
                self.fail("pose_jitter.min_station_share", share, "a share of the view from 0 to 1, or auto")
        return PoseJitter(
            position=self.number("pose_jitter.position", value.get("position", d.position), 0),
            rotation=self.number("pose_jitter.rotation", value.get("rotation", d.rotation), 0),
            min_station_share=share)
