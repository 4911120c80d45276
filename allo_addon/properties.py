"""Scene settings of the add-on (`scene.allo`, saved with the .blend) and its Preferences.

The settings that are render_config.yaml keys carry the key's name; `to_config()` validates
them through core.config (same messages as the command line) and `from_config()` fills them
from a Config. The rest (modes, exp number, preview and post-process fields) are per run, as
the command line's flags are.
"""

from pathlib import Path

import bpy
import yaml

from .core.config import DEVICES, PROTOCOLS, Config, config_from_dict, parse_yaml
from .dataset_properties import ALLO_PG_dataset, classes as DATASET_CLASSES

LIST_KEYS = ("sun_strength", "depths", "scales", "colours", "cams", "anomalies")
PATH_KEYS = ("ephemeris_path", "cad_models_path", "anomalies_path", "output_dir")
PLAIN_KEYS = ("start_day", "end_day", "day_interval", "min_pixel", "samples", "denoise",
              "references", "protocol", "device", "seed", "station", "camera_poses", "default_sun_strength", "lens_mm",
              "spot_power", "anomaly_distance", "anomaly_box", "placement_attempts")
# Every settings property that is (part of) a render_config.yaml key.
CONFIG_PROPERTIES = (LIST_KEYS + PATH_KEYS + PLAIN_KEYS
                     + ("resolution", "jitter_position", "jitter_rotation", "jitter_share_auto",
                        "jitter_min_share", "anomaly_params", "sensor"))
MODES = ("illumination", "depth", "scale", "colour")


def _list_text(values) -> str:
    return ", ".join(repr(v) if isinstance(v, float) else str(v) for v in values)


def parse_list(text: str) -> list:
    """'1, 5.5, red' -> [1, 5.5, 'red']; core.config checks the types and names the key."""
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


class ALLO_PG_settings(bpy.types.PropertyGroup):
    config_path: bpy.props.StringProperty(
        name="Config", subtype="FILE_PATH",
        description="render_config.yaml to import from or export to")
    # --- ephemeris ---------------------------------------------------------------------
    ephemeris_path: _path_property(
        "Ephemeris", "Ephemeris CSV (original 12 columns or extended); empty: the default one",
        "FILE_PATH")
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
    cad_models_path: _path_property(
        "CAD Models", "Folder with <station>.blend, moon.blend, sun.blend, earth.blend")
    station: bpy.props.StringProperty(
        name="Station File", default="builtin",
        description="builtin, or the station's file name in the CAD models folder (ISS.blend)")
    anomalies_path: _path_property(
        "Anomaly Models", "Folder with <kind>.blend per anomaly; empty: the built-in kinds")
    camera_poses: bpy.props.StringProperty(
        name="Camera Poses", default="auto",
        description="auto, builtin, original or the path of a pose CSV")
    camera_split: bpy.props.EnumProperty(
        name="Table", items=[("train", "Train", "cameras of normal batches"),
                             ("test", "Test", "cameras of anomalous batches")])
    camera_index: bpy.props.IntProperty(name="Camera", default=1, min=0,
                                        description="Row of the camera table to look through")
    # --- days and cameras ----------------------------------------------------------------
    start_day: bpy.props.IntProperty(name="Start Day", default=1, min=0)
    end_day: bpy.props.IntProperty(name="End Day", default=3, min=0,
                                   description="Last day rendered, inclusive")
    day_interval: bpy.props.IntProperty(name="Every", default=1, min=1)
    cams: bpy.props.StringProperty(name="Cameras", default="1, 2, 3",
                                   description="Camera indices, comma separated")
    # --- variation -----------------------------------------------------------------------
    use_illumination: bpy.props.BoolProperty(name="Illumination", default=True)
    use_depth: bpy.props.BoolProperty(name="Depth")
    use_scale: bpy.props.BoolProperty(name="Scale")
    use_colour: bpy.props.BoolProperty(name="Colour")
    sun_strength: bpy.props.StringProperty(name="Sun Strengths", default="1.0, 5.0, 10.0")
    depths: bpy.props.StringProperty(name="Depths", default="0.0, -1.0, 1.0",
                                     description="metres along the camera's forward axis")
    scales: bpy.props.StringProperty(name="Scales", default="0.3, 0.5, 0.7")
    colours: bpy.props.StringProperty(name="Colours", default="red, blue, yellow")
    anomalies: bpy.props.StringProperty(name="Anomalies", default="blanket, drill, cable",
                                        description="Anomaly kinds, in order")
    min_pixel: bpy.props.IntProperty(name="Min Pixels", default=2000, min=0)
    default_sun_strength: bpy.props.FloatProperty(
        name="Sun Strength", default=10.0, min=0.0,
        description="Sun strength when illumination is not varied (and in the preview)")
    # --- output and render ---------------------------------------------------------------
    output_dir: _path_property("Output", "Folder that receives exp_<N>/")
    exp_num: bpy.props.IntProperty(name="Experiment", default=1, min=0)
    seed: bpy.props.IntProperty(name="Seed", default=42)
    resolution: bpy.props.IntVectorProperty(name="Resolution", size=2, default=(1920, 1080),
                                            min=8)
    samples: bpy.props.IntProperty(name="Samples", default=256, min=1)
    denoise: bpy.props.BoolProperty(name="Denoise", default=True)
    references: bpy.props.BoolProperty(
        name="Normal Twins", default=True,
        description="Anomalous batches also render each camera-day's anomaly-free twin per "
                    "illumination (Camera<K>/reference/)")
    protocol: bpy.props.EnumProperty(
        name="Views", items=[(p, p, "") for p in PROTOCOLS],
        description="Which pose table anomalous batches take: novel-view, the test table (the "
                    "original); same-view, the train table")
    device: bpy.props.EnumProperty(name="Device",
                                   items=[(d, d.upper() if d != "auto" else "Auto", "") for d in DEVICES])
    # --- advanced (render_config.yaml keys the original did not have) --------------------
    lens_mm: bpy.props.FloatProperty(name="Lens (mm)", default=25.0, min=0.0)
    spot_power: bpy.props.FloatProperty(name="Spotlight (W)", default=500.0, min=0.0)
    anomaly_distance: bpy.props.FloatProperty(name="Anomaly Distance", default=4.0, min=0.0)
    anomaly_box: bpy.props.FloatProperty(name="Anomaly Box", default=1.2, min=0.0)
    placement_attempts: bpy.props.IntProperty(name="Placement Attempts", default=11, min=1)
    jitter_position: bpy.props.FloatProperty(name="Jitter Position", default=1.0, min=0.0)
    jitter_rotation: bpy.props.FloatProperty(name="Jitter Rotation", default=0.2, min=0.0)
    jitter_share_auto: bpy.props.BoolProperty(
        name="Auto Station Share", default=True,
        description="Redraw a jittered view that sees less than 10% station with the built-in "
                    "station; keep every view with your own model (the original)")
    anomaly_params: bpy.props.StringProperty(
        name="Anomaly Parameters", default="",
        description="Per-kind parameters as in render_config.yaml, e.g. "
                    "{drill: {size: [0.3, 0.45], colour: red}, frost: {weight: 3}}")
    sensor: bpy.props.StringProperty(
        name="Sensor", default="",
        description="Camera sensor model as in render_config.yaml: gateway_inspection, cmv4000, "
                    "or {preset: cmv4000, shutter_s: 0.0005}; empty: none (Blender's PNG)")
    jitter_min_share: bpy.props.FloatProperty(
        name="Min Station Share", default=0.1, min=0.0, max=1.0, subtype="FACTOR",
        description="Share of the view that must see the station, else the day's jitter is drawn again")
    # --- post-process --------------------------------------------------------------------
    pp_input: _path_property("Input", "The exp_<N> folder to post-process")
    pp_output: _path_property("Output", "The split folder to write (renders/train, renders/test)")
    pp_min_pixel: bpy.props.IntProperty(
        name="Min Pixels", default=-1, min=-1,
        description="An anomaly must cover more than this many pixels (-1: what the render used)")
    pp_anomaly: bpy.props.BoolProperty(name="Anomalous Batch", default=False)

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
        if self.station_source == "BUILTIN":   # the Station File field belongs to File
            raw["cad_models_path"] = None
            del raw["station"]
        raw["output_dir"] = raw["output_dir"] or "renders"
        raw["resolution"] = list(self.resolution)
        raw["pose_jitter"] = {"position": _value(self.jitter_position),
                              "rotation": _value(self.jitter_rotation),
                              "min_station_share": "auto" if self.jitter_share_auto
                              else _value(self.jitter_min_share)}
        raw["anomaly_params"] = _yaml_mapping("Anomaly Parameters", self.anomaly_params)
        raw["sensor"] = _yaml_mapping("Sensor", self.sensor)
        return config_from_dict(raw, base_dir=base)

    def from_config(self, config: Config) -> None:
        for key in PLAIN_KEYS:
            setattr(self, key, str(getattr(config, key)) if key == "camera_poses"
                    else getattr(config, key))
        for key in LIST_KEYS:
            setattr(self, key, _list_text(getattr(config, key)))
        for key in PATH_KEYS:
            value = getattr(config, key)
            setattr(self, key, "" if value is None else str(value))
        self.station_source = "BUILTIN" if config.cad_models_path is None else "FILE"
        self.resolution = config.resolution
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


class ALLO_AP_preferences(bpy.types.AddonPreferences):
    """Defaults a new scene's settings start from (Import from Preferences in the panel)."""
    bl_idname = __package__

    cad_models_path: _path_property("CAD Models", "Default folder of station and body models")
    anomalies_path: _path_property("Anomaly Models", "Default folder of anomaly models")
    device: bpy.props.EnumProperty(name="Device",
                                   items=[(d, d.upper() if d != "auto" else "Auto", "") for d in DEVICES])

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
