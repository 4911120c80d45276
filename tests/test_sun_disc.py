"""The Sun's disc is as bright as the sun lamp: a white plate lit by the disc alone (sampled as a
mesh light) gets the irradiance the lamp gives it, and the batch scene keeps the two matched."""

import math

import numpy as np
import pytest

bpy = pytest.importorskip("bpy")
pytestmark = pytest.mark.blender

from mathutils import Vector  # noqa: E402

from allo_addon.scene import compat  # noqa: E402
from allo_addon.scene.builtin.bodies import SUN_EMISSION, build_body, sun_disc_strength  # noqa: E402

IRRADIANCE = 4.0                      # W/m², a sun lamp strength
ANGULAR_RADIUS = math.radians(0.267)  # the Sun at 1 au


def plate_brightness(tmp_path, by_disc: bool) -> float:
    bpy.ops.wm.read_factory_settings(use_empty=True)
    scene = bpy.context.scene
    plate = bpy.data.meshes.new("plate")
    plate.from_pydata([(-1, -1, 0), (1, -1, 0), (1, 1, 0), (-1, 1, 0)], [], [(0, 1, 2, 3)])
    white = bpy.data.materials.new("white")
    compat.use_nodes(white)
    bsdf = white.node_tree.nodes["Principled BSDF"]
    bsdf.inputs["Base Color"].default_value = (1, 1, 1, 1)
    bsdf.inputs["Roughness"].default_value = 1.0
    bsdf.inputs["Specular IOR Level"].default_value = 0.0
    plate.materials.append(white)
    scene.collection.objects.link(bpy.data.objects.new("plate", plate))
    direction = Vector((0.3, 0.0, 1.0)).normalized()   # towards the Sun
    if by_disc:
        sun = build_body("sun", scene.collection)
        distance = 1000.0
        sun.scale = (distance * math.tan(ANGULAR_RADIUS),) * 3
        sun.location = direction * distance
        material = sun.active_material
        material.node_tree.nodes[SUN_EMISSION].inputs["Strength"].default_value = \
            sun_disc_strength(IRRADIANCE, ANGULAR_RADIUS)
        material.cycles.emission_sampling = "FRONT"          # a light, for this check only
        sun.visible_diffuse = sun.visible_glossy = True
    else:
        lamp = bpy.data.objects.new("lamp", bpy.data.lights.new("lamp", "SUN"))
        lamp.data.energy = IRRADIANCE
        lamp.data.angle = 2 * ANGULAR_RADIUS
        lamp.rotation_euler = (-direction).to_track_quat("-Z", "Y").to_euler()
        scene.collection.objects.link(lamp)
    camera = bpy.data.objects.new("camera", bpy.data.cameras.new("camera"))
    camera.location = (0, 0, 3)
    scene.collection.objects.link(camera)
    scene.camera = camera
    scene.world = bpy.data.worlds.new("black")
    scene.render.engine = "CYCLES"
    scene.cycles.device = "CPU"
    scene.cycles.samples = 64
    scene.cycles.max_bounces = 0
    scene.render.resolution_x = scene.render.resolution_y = 16
    scene.render.image_settings.file_format = "OPEN_EXR"
    scene.render.filepath = str(tmp_path / f"plate_{by_disc}.exr")
    bpy.ops.render.render(write_still=True)
    image = bpy.data.images.load(scene.render.filepath)
    pixels = np.array(image.pixels[:]).reshape(16, 16, 4)
    return float(pixels[4:12, 4:12, :3].mean())


def test_the_disc_lights_a_plate_like_the_lamp(tmp_path):
    lamp = plate_brightness(tmp_path, by_disc=False)
    disc = plate_brightness(tmp_path, by_disc=True)
    # a white Lambertian plate shows radiance E·cos(incidence)/π (max_bounces 0: direct only)
    assert lamp == pytest.approx(IRRADIANCE / math.sqrt(1.09) / math.pi, rel=0.06)
    assert disc == pytest.approx(lamp, rel=0.06)


def test_batch_scene_keeps_disc_and_lamp_matched():
    from allo_addon.core.dataset.batch_request import DEFAULT_EPHEMERIS
    from allo_addon.core.dataset.config import Config
    from allo_addon.core.ephemeris.reader import load_ephemeris
    from allo_addon.scene.assembly import StationScene

    stage = StationScene(Config())
    geometry = load_ephemeris(DEFAULT_EPHEMERIS).day(10)
    stage.apply_day(geometry)
    stage.apply_image(sun_strength=5.0)
    strength = stage.bodies["sun"].active_material.node_tree.nodes[SUN_EMISSION].inputs["Strength"]
    radius = math.radians(geometry.sun.angular_radius_deg)
    assert strength.default_value * math.pi * math.sin(radius) ** 2 == pytest.approx(5.0, rel=1e-5)
    assert stage.bodies["sun"].visible_camera and not stage.bodies["sun"].visible_glossy
