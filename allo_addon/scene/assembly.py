"""The render scene: station, Moon, Earth, Sun, the sun lamp, one inspection camera with its
spotlight, and the anomaly of the current job. Built once per batch into a scene named "ALLO",
then changed per day, per camera and per image.
"""

from __future__ import annotations

import math
from pathlib import Path

import bpy
import numpy as np
from mathutils import Euler, Matrix, Vector
from mathutils.bvhtree import BVHTree

from ..core.dataset import annotations as ann
from ..core.dataset.config import COLOURS, Config
from ..core.dataset.mask_classes import ANOMALY, STATION_OR_BODY
from ..core.dataset.plan import DEFAULT_COLOUR, is_surface_kind
from ..core.dataset.poses import CameraPose
from ..core.ephemeris.bodies import BODIES
from ..core.ephemeris.reader import DayGeometry
from ..core.errors import UserError
from . import user_assets
from .anomaly_params import apply_params, principled_nodes
from .builtin import scene_cache
from .builtin import bodies as builtin_bodies
from .builtin import station as builtin_station

SCENE_NAME = "ALLO"
SUN_ANGLE = 0.010472          # rad: the Sun's 0.6° disc, as the original
SPOT_CONE = math.radians(120)  # a wide cone, as the original
CLIP_START, CLIP_END = 0.05, 10_000.0


def station_name(config: Config) -> str | None:
    """The model name of the user's station in cad_models_path, or None for the built-in one."""
    if config.cad_models_path is None:
        return None
    return "ISS" if config.station == "builtin" else Path(config.station).stem


def check_assets(config: Config) -> None:
    """Fail before anything is written (also in --dry-run) when a model the batch needs cannot be
    used: a folder or file missing, a .blend without the object, a file Blender cannot read or
    import. Models in other formats are imported here, once: the render reuses them."""
    where = config.source or "config"
    if config.anomalies_path is not None:
        _check_folder(where, "anomalies_path", config.anomalies_path)
        for name in dict.fromkeys(config.anomalies):
            user_assets.check_model(config.anomalies_path, name)
    station = station_name(config)
    if station:
        _check_folder(where, "cad_models_path", config.cad_models_path)
        for name in (station, *BODIES):
            user_assets.check_model(config.cad_models_path, name)


def _check_folder(where, key: str, folder: Path) -> None:
    if not folder.is_dir():
        problem = "is a file, not a folder" if folder.exists() else "does not exist"
        raise UserError(f"{where}: {key} {folder} {problem}; expected the folder that holds "
                        f"the models")


def _empty_scene() -> bpy.types.Scene:
    scene = bpy.data.scenes.get(SCENE_NAME) or bpy.data.scenes.new(SCENE_NAME)
    for obj in list(scene.collection.all_objects):
        bpy.data.objects.remove(obj, do_unlink=True)
    for child in list(scene.collection.children):
        bpy.data.collections.remove(child)
    return scene


def _collection(scene, name):
    collection = bpy.data.collections.new(name)
    scene.collection.children.link(collection)
    return collection


class StationScene:
    """The scene of one batch. Methods change it; nothing here writes files."""

    def __init__(self, config: Config):
        self.config = config
        self.scene = _empty_scene()
        self._set_world()
        station_collection = _collection(self.scene, "ALLO Station")
        body_collection = _collection(self.scene, "ALLO Bodies")
        if self.config.cad_models_path is None:   # the built-in scene: cached between processes
            self.station, self.bodies = scene_cache.station_and_bodies(station_collection,
                                                                       body_collection)
        else:
            self.station = self._build_station(station_collection)
            self.bodies = self._build_bodies(body_collection)
        for obj in self.station + list(self.bodies.values()):
            obj.pass_index = STATION_OR_BODY
        self.parts = self._number_parts() if ann.PARTS in config.annotations else {}
        self.sun_lamp = self._add_sun_lamp()
        self.camera, self.spot = self._add_camera()
        self.anomaly_collection = _collection(self.scene, "ALLO Anomaly")
        self.anomaly = None
        self._default_colours = []
        self._placed_at = None
        self._sun_fraction = 1.0
        self._sun_radius = 0.0          # rad, set by apply_day
        self.station_bvh = station_bvh(self.station, self.depsgraph())

    # --- building ------------------------------------------------------------------------
    def depsgraph(self):
        layer = self.scene.view_layers[0]
        layer.update()
        return layer.depsgraph

    def _number_parts(self) -> dict[int, str]:
        """The `parts` annotation: each station object (the built-in station's modules, arrays,
        radiators …; a user's station model as one part) and each body gets its own id, carried
        in its pass index (core/dataset/annotations.py). Returns id -> name for the manifest."""
        named = [(obj, obj.name.removeprefix(builtin_station.NAME_PREFIX)) for obj in self.station]
        named += [(obj, name) for name, obj in self.bodies.items()]
        try:
            table = ann.part_table(name for _, name in named)
        except ValueError as error:
            raise UserError(f"{self.config.source or 'config'}: annotations: parts: {error}") \
                from None
        for part_id, (obj, _) in enumerate(named, start=1):
            obj.pass_index = ann.part_pass_index(part_id)
        return table

    def _set_world(self):
        world = self.scene.world or bpy.data.worlds.new("ALLO Space")
        self.scene.world = world
        world.color = (0.0, 0.0, 0.0)
        if world.node_tree:
            for node in world.node_tree.nodes:
                if node.type == "BACKGROUND":
                    node.inputs["Color"].default_value = (0, 0, 0, 1)
                    node.inputs["Strength"].default_value = 0.0

    def _build_station(self, collection):
        name = station_name(self.config)
        if name is None:
            return builtin_station.build_station(collection)
        return [user_assets.load_model(self.config.cad_models_path, name, collection)]

    def _build_bodies(self, collection):
        """Your models' bodies (cad_models_path); the built-in ones come from scene_cache."""
        return {name: user_assets.load_model(self.config.cad_models_path, name, collection)
                for name in BODIES}

    def _add_sun_lamp(self):
        light = bpy.data.lights.new("ALLO Sun", "SUN")
        light.angle = SUN_ANGLE
        lamp = bpy.data.objects.new("ALLO Sun", light)
        self.scene.collection.objects.link(lamp)
        return lamp

    def _add_camera(self):
        data = bpy.data.cameras.new("ALLO Camera")
        data.lens = self.config.lens_mm
        data.clip_start, data.clip_end = CLIP_START, CLIP_END
        camera = bpy.data.objects.new("ALLO Camera", data)
        self.scene.collection.objects.link(camera)
        self.scene.camera = camera
        light = bpy.data.lights.new("ALLO Spot", "SPOT")
        light.energy = self.config.spot_power
        light.spot_size = SPOT_CONE
        light.spot_blend = 0.5
        light.shadow_soft_size = 0.05
        spot = bpy.data.objects.new("ALLO Spot", light)
        self.scene.collection.objects.link(spot)
        spot.parent = camera   # co-located and aimed with the camera
        return camera, spot

    # --- per day, camera, job and image -------------------------------------------------
    def apply_day(self, geometry: DayGeometry) -> None:
        for name, obj in self.bodies.items():
            body = geometry.body(name)
            obj.location = body.position
            obj.scale = (body.radius,) * 3
            rotation = getattr(geometry, f"{name}_rotation", None)
            if rotation is not None:
                obj.rotation_euler = Euler(rotation, "XYZ")
        toward_station = -Vector(geometry.sun.position).normalized()
        self.sun_lamp.location = Vector(geometry.sun.position).normalized() * 100.0
        self.sun_lamp.rotation_euler = toward_station.to_track_quat("-Z", "Y").to_euler()
        self._sun_fraction = geometry.sun_visible_fraction
        self._sun_radius = math.radians(geometry.sun.angular_radius_deg)

    def set_camera(self, pose: CameraPose) -> None:
        self.camera.location = pose.location
        self.camera.rotation_euler = Euler(pose.rotation, "XYZ")
        self.scene.view_layers[0].update()

    def add_anomaly(self, kind: str, seed: int, scale: float):
        self.remove_anomaly()
        if self.config.anomalies_path is None:
            # imported here: a batch of normal images never needs the anomaly kit (~40 ms)
            from .builtin import anomalies as builtin_anomalies
            obj = builtin_anomalies.build_anomaly(kind, self.anomaly_collection, seed)
        else:
            obj = user_assets.load_model(self.config.anomalies_path, kind,
                                         self.anomaly_collection, copy=True)
        apply_params(obj, kind, self.config.params_for(kind), seed,
                     surface=is_surface_kind(self.config, kind))
        obj.pass_index = ANOMALY
        obj.scale = (scale,) * 3
        self.anomaly = obj
        self._default_colours = [
            (node, tuple(node.inputs["Base Color"].default_value))
            for node in _recolourable_nodes(obj)]
        return obj

    def remove_anomaly(self) -> None:
        if self.anomaly is None:
            return
        mesh = self.anomaly.data
        materials = [m for m in mesh.materials if m] if mesh else []
        bpy.data.objects.remove(self.anomaly, do_unlink=True)
        if mesh is not None and mesh.users == 0:
            bpy.data.meshes.remove(mesh)
        for material in materials:
            if material.users == 0:
                bpy.data.materials.remove(material)
        self.anomaly, self._default_colours, self._placed_at = None, [], None

    def show_anomaly(self, shown: bool) -> None:
        """Show or hide the anomaly in renders. A twin hides it rather than removing it: the
        job's pose, placement and everything else stay exactly as its anomalous images saw."""
        if self.anomaly is not None:
            self.anomaly.hide_render = not shown

    def reshape_anomaly(self, local_vertices) -> None:
        """New vertex positions (N×3, the anomaly's own frame): a surface patch bent onto the
        hull. The mesh is this job's own (built or copied in add_anomaly)."""
        mesh = self.anomaly.data
        if len(mesh.vertices) != len(local_vertices):   # modifiers change the count: keep it flat
            return
        mesh.vertices.foreach_set("co", np.asarray(local_vertices, np.float32).ravel())
        mesh.update()

    def set_anomaly_pose(self, location, rotation) -> None:
        self.anomaly.location = location
        self.anomaly.rotation_euler = rotation
        self._placed_at = Vector(location)

    def apply_image(self, sun_strength: float, depth: float = 0.0,
                    colour: str = DEFAULT_COLOUR) -> None:
        self.sun_lamp.data.energy = sun_strength * self._sun_fraction
        self._match_sun_disc(sun_strength)
        if self.anomaly is None:
            return
        forward = self.camera.matrix_world.to_3x3() @ Vector((0.0, 0.0, -1.0))
        self.anomaly.location = self._placed_at + forward.normalized() * depth
        for node, default in self._default_colours:
            rgba = default if colour == DEFAULT_COLOUR else (*COLOURS[colour], 1.0)
            node.inputs["Base Color"].default_value = rgba

    def _match_sun_disc(self, sun_strength: float) -> None:
        """The built-in Sun's disc as bright as the lamp says (the visible part of the disc
        keeps its full radiance in a partial eclipse: the Moon hides the rest)."""
        material = self.bodies["sun"].active_material
        node = material.node_tree.nodes.get(builtin_bodies.SUN_EMISSION) if material else None
        if node is not None and self._sun_radius:
            node.inputs["Strength"].default_value = builtin_bodies.sun_disc_strength(
                sun_strength, self._sun_radius)

    @property
    def sun_energy(self) -> float:
        return self.sun_lamp.data.energy


def _recolourable_nodes(obj):
    """The Principled BSDFs whose Base Color is a plain value the colour mode can set."""
    return [node for node in principled_nodes(obj) if not node.inputs["Base Color"].is_linked]


def mesh_arrays(obj, depsgraph, matrix=None):
    """(vertices N×3 in world space, or under `matrix`, and the polygons) of an evaluated mesh."""
    evaluated = obj.evaluated_get(depsgraph)
    mesh = evaluated.to_mesh()
    try:
        co = np.empty(len(mesh.vertices) * 3, np.float64)
        mesh.vertices.foreach_get("co", co)
        co = co.reshape(-1, 3)
        m = np.array(matrix if matrix is not None else obj.matrix_world)
        world = co @ m[:3, :3].T + m[:3, 3]
        polygons = [tuple(p.vertices) for p in mesh.polygons]
    finally:
        evaluated.to_mesh_clear()
    return world, polygons


def station_bvh(objects, depsgraph) -> BVHTree:
    verts, polys, offset = [], [], 0
    for obj in objects:
        if obj.type != "MESH":
            continue
        world, polygons = mesh_arrays(obj, depsgraph)
        verts.append(world)
        polys.extend(tuple(i + offset for i in p) for p in polygons)
        offset += len(world)
    if not verts:
        raise UserError("the station has no mesh geometry to place anomalies against")
    return BVHTree.FromPolygons(np.concatenate(verts).tolist(), polys)


def object_matrix(location, rotation, scale) -> Matrix:
    return Matrix.LocRotScale(Vector(location), Euler(rotation, "XYZ"), Vector((scale,) * 3))
