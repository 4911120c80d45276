"""Scene settings of the add-on (`scene.allo`, saved with the .blend) and its Preferences.

The settings that are render_config.yaml keys carry the key's name; `to_config()` validates
them through core.dataset.config (same messages as the command line) and `from_config()` fills them
from a Config. The rest (modes, exp number, preview and post-process fields) are per run, as
the command line's flags are.
"""

from pathlib import Path

import bpy
import yaml

from .core.dataset.config import Config, config_from_dict, parse_yaml
from .core.dataset.settings import BY_KEY, SETTINGS
from .core.postprocess.options import BY_NAME as OPTION
from .dataset_properties import ALLO_PG_dataset, classes as DATASET_CLASSES

# The settings of render_config.yaml keys are made from core/dataset/settings.py's table, one property
# per key of the name of the key; a key of kind "mapping" has its fields written by hand below.
PLAIN_KINDS = ("int", "float", "bool", "choice", "text")
LIST_KEYS = tuple(s.key for s in SETTINGS if s.kind in ("numbers", "names"))
PATH_KEYS = tuple(s.key for s in SETTINGS if s.kind == "path")
PLAIN_KEYS = tuple(s.key for s in SETTINGS if s.kind in PLAIN_KINDS)
PAIR_KEYS = tuple(s.key for s in SETTINGS if s.kind == "pair")
# the hand-written fields of each "mapping" key
MAPPING_PROPERTIES = {"pose_jitter": ("jitter_position", "jitter_rotation", "jitter_share_auto",
                                      "jitter_min_share"),
                      "anomaly_params": ("anomaly_params",), "sensor": ("sensor",)}
# Every settings property that is (part of) a render_config.yaml key.
CONFIG_PROPERTIES = (LIST_KEYS + PATH_KEYS + PLAIN_KEYS + PAIR_KEYS
                     + sum(MAPPING_PROPERTIES.values(), ()))
# the post-process options the panel shows (pp_<name>); the Run button passes them on
PANEL_OPTIONS = ("input", "output", "min_pixel", "anomaly")
MODES = ("illumination", "depth", "scale", "colour")


def _list_text(values) -> str:
    return ", ".join(repr(v) if isinstance(v, float) else str(v) for v in values)


def parse_list(text: str) -> list:
    """'1, 5.5, red' -> [1, 5.5, 'red']; core.dataset.config checks the types and names the key."""
    items = []
    for token in (t.strip() for t in text.split(",")):
        if not token:
            continue
        for kind in (int, float):
            try:
                items.append(kind(token))
                break
            except ValueError:
                continue
        else:
            items.append(token)
    return items


def _value(value):
    """A float property holds 32 bits: 0.2 reads 0.20000000298. Give back what was typed."""
    return float(f"{value:.7g}") if isinstance(value, float) else value


def _update_preview(self, context):
    from .scene import preview, timeline  # only when the slider moves: scrubbing previews live
    preview.follow_slider(self)
    timeline.follow_day(self)


def _update_quick_masks(self, context):
    from .scene import quick_render
    quick_render.show(context, self.quick_masks)


def _path_property(name, description, subtype="DIR_PATH"):
    return bpy.props.StringProperty(name=name, subtype=subtype, description=description)


def _apply_quality_preset(self, context):
    """Choosing a quality preset in the panel fills Samples and Denoise with the preset's
    values (the panel always sends both, and a key that is sent wins over the preset)."""
    from .core.dataset.quality import preset
    chosen = preset(self.quality)
    self.samples, self.denoise = chosen.samples, chosen.denoise


# keys whose panel field does more than hold its value
UPDATES = {"quality": _apply_quality_preset}


def config_property(setting):
    """The panel's property for a render_config.yaml key, from its kind, default and bounds.

    Integers stop at the key's minimum; floats only at 0, so that a value under a finer bound
    (lens_mm ≥ 1) gets the config's message instead of being clamped without a word. No
    maximum: a value past one is refused with its message too, not clamped."""
    kind, default = setting.kind, setting.default
    named = {"name": setting.label, "description": setting.help}
    if setting.key in UPDATES:
        named["update"] = UPDATES[setting.key]
    if kind == "int":
        low = {} if setting.minimum is None else {"min": setting.minimum}
        return bpy.props.IntProperty(default=default, **low, **named)
    if kind == "float":
        low = {"min": 0.0} if setting.minimum is not None or setting.positive else {}
        return bpy.props.FloatProperty(default=default, **low, **named)
    if kind == "bool":
        return bpy.props.BoolProperty(default=default, **named)
    if kind == "choice":
        names = setting.choice_names or setting.choices
        return bpy.props.EnumProperty(items=[(c, n, "") for c, n in zip(setting.choices, names)],
                                      default=default, **named)
    if kind == "text":
        return bpy.props.StringProperty(default=str(default), **named)
    if kind in ("numbers", "names"):
        return bpy.props.StringProperty(default=_list_text(default), **named)
    if kind == "path":
        return _path_property(setting.label, setting.help,
                              "FILE_PATH" if setting.file else "DIR_PATH")
    if kind == "pair":
        return bpy.props.IntVectorProperty(size=2, default=default, min=setting.minimum, **named)
    raise ValueError(f"{setting.key}: a {kind} key has its panel fields written by hand "
                     f"(MAPPING_PROPERTIES)")


def option_property(option):
    """The allo.postprocess operator's property for a post-process option (and the panel's
    pp_<name>), from core/postprocess/options.py."""
    kind = option.kind
    named = {"name": option.label, "description": option.tooltip}
    bounds = {bound: value for bound, value in (("min", option.minimum), ("max", option.maximum))
              if value is not None}
    if kind == "path":
        return _path_property(option.label, option.tooltip,
                              "FILE_PATH" if option.file else "DIR_PATH")
    if kind == "int":
        return bpy.props.IntProperty(default=option.default, **bounds, **named)
    if kind == "min_pixel":   # -1: the min_pixel the render used
        return bpy.props.IntProperty(default=-1, **bounds, **named)
    if kind == "float":
        return bpy.props.FloatProperty(default=option.default, **bounds, **named)
    if kind == "bool":
        return bpy.props.BoolProperty(default=option.default, **named)
    if kind == "choice":
        return bpy.props.EnumProperty(items=list(option.choices), default=option.default, **named)
    if kind == "shape":
        return bpy.props.IntVectorProperty(size=2, default=option.default, **bounds, **named)
    return bpy.props.StringProperty(**named)   # text


def add_properties(cls, properties: dict) -> None:
    """Properties made from a table, added to a class's own (bpy reads them at register)."""
    cls.__annotations__ = {**cls.__dict__.get("__annotations__", {}), **properties}


class ALLO_PG_settings(bpy.types.PropertyGroup):
    config_path: bpy.props.StringProperty(
        name="Config", subtype="FILE_PATH",
        description="render_config.yaml to import from or export to")
    # --- ephemeris ---------------------------------------------------------------------
    preview_day: bpy.props.IntProperty(
        name="Day", default=1, min=0, update=_update_preview,
        description="Ephemeris row (day) to preview; moves the bodies live once the scene is built")
    # --- the day view (scene/day_view.py, scene/timeline.py, scene/quick_render.py) -----
    day_frame_offset: bpy.props.IntProperty(
        name="Frame Offset", default=0, update=_update_preview,
        description="Timeline frame of day 0: frame = day + offset; scrubbing the timeline "
                    "moves the bodies, the sun lamp and its strength through the days")
    station_view_body: bpy.props.EnumProperty(
        name="Look At", items=[("earth", "Earth", ""), ("moon", "Moon", ""), ("sun", "Sun", "")],
        description="The body the view from the station looks at")
    quick_anomaly: bpy.props.BoolProperty(
        name="Anomaly", default=False,
        description="Quick Render the day as an anomalous batch would (test table, an anomaly)")
    quick_masks: bpy.props.BoolProperty(
        name="Masks", default=False, update=_update_quick_masks,
        description="Show the quick render with its masks as an overlay (station and bodies "
                    "blue, anomaly red)")
    # --- scene -------------------------------------------------------------------------
    station_source: bpy.props.EnumProperty(
        name="Station", items=[("BUILTIN", "Built-in", "the built-in station, Moon and Earth"),
                               ("FILE", "File", "ISS.blend, moon.blend … from a folder")],
        description="Where the station and the bodies come from")
    camera_split: bpy.props.EnumProperty(
        name="Table", items=[("train", "Train", "cameras of normal batches"),
                             ("test", "Test", "cameras of anomalous batches")])
    camera_index: bpy.props.IntProperty(name="Camera", default=1, min=0,
                                        description="Row of the camera table to look through")
    # --- variation -----------------------------------------------------------------------
    use_illumination: bpy.props.BoolProperty(name="Illumination", default=True)
    use_depth: bpy.props.BoolProperty(name="Depth")
    use_scale: bpy.props.BoolProperty(name="Scale")
    use_colour: bpy.props.BoolProperty(name="Colour")
    # --- output and render ---------------------------------------------------------------
    # (the render_config.yaml keys are added below the class, from core/dataset/settings.py)
    exp_num: bpy.props.IntProperty(name="Experiment", default=1, min=0)
    # --- the fields of the keys of kind "mapping" (MAPPING_PROPERTIES) --------------------
    jitter_position: bpy.props.FloatProperty(name="Jitter Position", default=1.0, min=0.0)
    jitter_rotation: bpy.props.FloatProperty(name="Jitter Rotation", default=0.2, min=0.0)
    jitter_share_auto: bpy.props.BoolProperty(
        name="Auto Station Share", default=True,
        description="Redraw a jittered view that sees less than 10% station with the built-in "
                    "station; keep every view with your own model (the original)")
    anomaly_params: bpy.props.StringProperty(
        name=BY_KEY["anomaly_params"].label, default="", description=BY_KEY["anomaly_params"].help)
    sensor: bpy.props.StringProperty(
        name=BY_KEY["sensor"].label, default="", description=BY_KEY["sensor"].help)
    jitter_min_share: bpy.props.FloatProperty(
        name="Min Station Share", default=0.1, min=0.0, max=1.0, subtype="FACTOR",
        description="Share of the view that must see the station, else the day's jitter is drawn again")
    # --- post-process: pp_<name> per PANEL_OPTIONS, added below the class -------------------

    # --- conversion ----------------------------------------------------------------------
    @property
    def modes(self) -> set:
        return {m for m in MODES if getattr(self, f"use_{m}")}

    def to_config(self) -> Config:
        """The settings as a validated Config; UserError as the command line words it."""
        base = Path(bpy.path.abspath("//")) if bpy.data.filepath else Path.cwd()
        raw = {key: _value(getattr(self, key)) for key in PLAIN_KEYS}
        raw.update({key: parse_list(getattr(self, key)) for key in LIST_KEYS})
        raw.update({key: bpy.path.abspath(getattr(self, key)) or None for key in PATH_KEYS})
        raw.update({key: list(getattr(self, key)) for key in PAIR_KEYS})
        if self.station_source == "BUILTIN":   # the Station File field belongs to File
            raw["cad_models_path"] = None
            del raw["station"]
        raw["output_dir"] = raw["output_dir"] or "renders"
        raw["pose_jitter"] = {"position": _value(self.jitter_position),
                              "rotation": _value(self.jitter_rotation),
                              "min_station_share": "auto" if self.jitter_share_auto
                              else _value(self.jitter_min_share)}
        raw["anomaly_params"] = _yaml_mapping("Anomaly Parameters", self.anomaly_params)
        raw["sensor"] = _yaml_mapping("Sensor", self.sensor)
        return config_from_dict(raw, base_dir=base)

    def from_config(self, config: Config) -> None:
        for key in PLAIN_KEYS:   # camera_poses: a Path when it names a CSV
            value = getattr(config, key)
            setattr(self, key, str(value) if BY_KEY[key].kind == "text" else value)
        for key in LIST_KEYS:
            setattr(self, key, _list_text(getattr(config, key)))
        for key in PATH_KEYS:
            value = getattr(config, key)
            setattr(self, key, "" if value is None else str(value))
        for key in PAIR_KEYS:
            setattr(self, key, getattr(config, key))
        self.station_source = "BUILTIN" if config.cad_models_path is None else "FILE"
        self.jitter_position = config.pose_jitter.position
        self.jitter_rotation = config.pose_jitter.rotation
        self.anomaly_params = _yaml_text({k: p.as_yaml() for k, p in config.anomaly_params.items()})
        sensor = config.sensor.as_config() if config.sensor else ""
        self.sensor = sensor if isinstance(sensor, str) else _yaml_text(sensor)
        self.jitter_share_auto = config.pose_jitter.min_station_share is None
        if config.pose_jitter.min_station_share is not None:
            self.jitter_min_share = config.pose_jitter.min_station_share

    def copy_to(self, other) -> None:
        for key in self.bl_rna.properties.keys():
            if key != "rna_type" and not self.bl_rna.properties[key].is_readonly:
                setattr(other, key, getattr(self, key))


add_properties(ALLO_PG_settings, {s.key: config_property(s) for s in SETTINGS
                                  if s.kind != "mapping"})
add_properties(ALLO_PG_settings, {f"pp_{name}": option_property(OPTION[name])
                                  for name in PANEL_OPTIONS})


class ALLO_AP_preferences(bpy.types.AddonPreferences):
    """Defaults a new scene's settings start from (Import from Preferences in the panel)."""
    bl_idname = __package__

    cad_models_path: _path_property("CAD Models", "Default folder of station and body models")
    anomalies_path: _path_property("Anomaly Models", "Default folder of anomaly models")
    device: config_property(BY_KEY["device"])

    def draw(self, context):
        layout = self.layout
        layout.prop(self, "cad_models_path")
        layout.prop(self, "anomalies_path")
        layout.prop(self, "device")


def preferences(context):
    addon = context.preferences.addons.get(__package__)
    return addon.preferences if addon else None


classes = (ALLO_PG_settings, *DATASET_CLASSES)
# Only when Blender enables the package as an add-on (it lists it in preferences.addons before
# calling register()): the command line registers the operators directly, and the bpy 4.2
# module crashes at exit once an AddonPreferences class has been registered that way.
ADDON_CLASSES = (ALLO_AP_preferences,)


def attach():
    bpy.types.Scene.allo = bpy.props.PointerProperty(type=ALLO_PG_settings)
    bpy.types.WindowManager.allo_dataset = bpy.props.PointerProperty(type=ALLO_PG_dataset)


def detach():
    del bpy.types.Scene.allo
    del bpy.types.WindowManager.allo_dataset


def _yaml_mapping(label: str, text: str):
    """The panel's one-line YAML mapping, or None when empty; a UserError names the field."""
    return parse_yaml(text, label) if text.strip() else None


def _yaml_text(value: dict) -> str:
    return yaml.safe_dump(value, default_flow_style=True).strip() if value else ""
