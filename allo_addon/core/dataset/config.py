"""render_config.yaml: the original keys (docs/formats.md §2) plus ours, validated into a Config.

Every original key keeps its meaning; every key we add has a default that reproduces the
original pipeline. Unknown keys are an error that names the closest known key. Paths are
resolved relative to the config file's folder.

The keys themselves (kind, default, bounds, help) are declared once, in core/dataset/settings.py: its
docstring says how to add one. Here: Config made from that table, reading the YAML, the check
of each kind (_Checker) and the rules between keys.
"""

from __future__ import annotations

import math
import os
import reprlib
from dataclasses import replace
from pathlib import Path

import yaml

from ..assets.catalog import ANOMALY_KINDS
from ..errors import UserError, did_you_mean
from .annotations import KINDS as ANNOTATION_KINDS
from .anomaly_params import DEFAULT as DEFAULT_PARAMS
from .anomaly_params import AnomalyParams
from .names import number_label
from ..sensor.spec import SensorSpec  # noqa: F401  (Config.sensor's type, for readers of config.py)
from ..user_files import read_user_text

# The keys, their defaults and bounds are declared once, in core/dataset/settings.py; the constants
# are re-exported here for the modules that import them from config.
from .quality import PRESETS
from .settings import (  # noqa: F401
    BUILTIN, COLOURS, DEVICES, FLOAT_MAX, INT_MAX, INT_MIN, LENS_MM_MIN, POSE_PRESETS, PROTOCOLS,
    RESOLUTION_MAX, SAMPLES_MAX, SETTINGS, PoseJitter, Setting, config_fields, with_fields)

AUTO_STATION_SHARE = 0.1

# A cams range is expanded into a list of indices, one pose-table row each; the shipped tables
# have 60 rows. A range longer than this is a typo, and expanding it would exhaust memory.
MAX_CAMERAS = 10_000
MAX_CONFIG_BYTES = 1 << 20             # a config is a few hundred bytes; 1 MiB is the wrong file


@with_fields(config_fields(), frozen=True)
class Config:
    """A validated render_config.yaml: a field per key of core/dataset/settings.py's SETTINGS."""
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


_KNOWN = {setting.key for setting in SETTINGS}


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
            raise UserError(f"{where}: unknown key '{key}'{did_you_mean(key, sorted(_KNOWN))}; "
                            f"known keys: {', '.join(sorted(_KNOWN))}")
    values = {}
    for setting in SETTINGS:   # each key on its own, in table order; a key left out: its default
        value = raw[setting.key] if setting.key in raw else setting.yaml_default
        values[setting.key] = check_setting(setting, checker, value, base_dir, values)
    # rules between keys
    preset = PRESETS[values["quality"]]   # fills samples and denoise; a key the config sets wins
    values.update({key: getattr(preset, key) for key in ("samples", "denoise") if key not in raw})
    if values["end_day"] < values["start_day"]:
        raise UserError(f"{where}: end_day ({values['end_day']}) is before start_day "
                        f"({values['start_day']}); end_day is the last day rendered, inclusive")
    if values["anomalies_path"] is None:
        checker.builtin_kinds(values["anomalies"])
    if "station" in raw and values["station"] != BUILTIN and values["cad_models_path"] is None:
        raise UserError(f"{where}: key 'station' is {_SHORT.repr(raw['station'])}, but "
                        f"cad_models_path is not set: the station file is looked up there; set "
                        f"cad_models_path to the folder that holds it, or leave station out for "
                        f"the built-in station")
    return Config(**values, source=source)


def check_setting(setting: Setting, checker: "_Checker", value, base_dir: Path, values: dict):
    """One key's value as Config holds it: its own `parse`, else the check of its kind."""
    if setting.parse is not None:
        return setting.parse(checker, value, base_dir, values)
    key, kind = setting.key, setting.kind
    if kind == "int":
        maximum = INT_MAX if setting.maximum is None else setting.maximum
        return checker.integer(key, value, setting.minimum, maximum, setting.why)
    if kind == "float":
        return checker.number(key, value, setting.minimum, setting.positive, setting.why)
    if kind == "numbers":
        numbers = checker.numbers(key, value, setting.minimum, setting.positive)
        return checker.labels(key, numbers) if setting.unique else numbers
    if kind == "names":
        return checker.names(key, value, *([setting.example] if setting.example else []))
    if kind == "pair":
        maximum = INT_MAX if setting.maximum is None else setting.maximum
        return checker.pair(key, value, setting.minimum, maximum, setting.why, setting.example)
    if kind == "path":
        return checker.path(key, value, base_dir)
    if kind == "choice":
        return checker.choice(key, value, setting.choices)
    if kind == "bool":
        return checker.boolean(key, value)
    return checker.string(key, value)   # text


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

    def known_keys(self, where, mapping: dict, keys, what: str) -> None:
        """Refuse the first key of `mapping` (in sorted order) that is not one of `keys`,
        naming the closest; `what` says what the keys are ("the sensor parameters")."""
        unknown = sorted(set(mapping) - set(keys), key=str)
        if unknown:
            self.fail(f"{where}.{unknown[0]}", mapping[unknown[0]],
                      f"one of {what} {', '.join(keys)}{did_you_mean(unknown[0], keys)}")

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

    def annotations(self, value):
        """A list drawn from core/dataset/annotations.KINDS, each at most once, kept in KINDS order."""
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, (list, tuple)):
            self.fail("annotations", value,
                      f"a list drawn from {', '.join(ANNOTATION_KINDS)}, e.g. [depth, normals]")
        for i, kind in enumerate(value):
            if kind not in ANNOTATION_KINDS:
                self.fail(f"annotations[{i}]", kind, f"one of {', '.join(ANNOTATION_KINDS)}")
        return tuple(k for k in ANNOTATION_KINDS if k in value)

    def builtin_kinds(self, names):
        unknown = [n for n in names if n not in ANOMALY_KINDS]
        if unknown:
            hint = did_you_mean(unknown[0].lower(), ANOMALY_KINDS)
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

    def pair(self, key, value, minimum, maximum, why, expected):
        """Two whole numbers, e.g. resolution's [width, height]."""
        if (not isinstance(value, (list, tuple)) or len(value) != 2):
            self.fail(key, value, expected)
        first, second = (self.integer(f"{key}[{i}]", v, minimum=minimum, maximum=maximum,
                                      why=why) for i, v in enumerate(value))
        return (first, second)

    def poses(self, value, base_dir):
        if value in ("auto",) + POSE_PRESETS:
            return value
        expected = "auto, builtin, original or a CSV path"
        if not isinstance(value, str):
            self.fail("camera_poses", value, expected)
        path = self.path("camera_poses", value, base_dir)
        hint = did_you_mean(value.strip().lower(), ("auto",) + POSE_PRESETS)
        if hint and not path.exists():   # a misspelt preset, not a CSV
            self.fail("camera_poses", value, expected + hint)
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
