"""The original pipeline's asset folders: ISS.blend, moon/earth/sun.blend and <anomaly>.blend."""

import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from conftest import run_cli

pytestmark = pytest.mark.blender

MAKE_MODELS = """
import bpy, sys
folder = sys.argv[-1]
def save(name, make):
    bpy.ops.wm.read_factory_settings(use_empty=True)
    make()
    bpy.context.object.name = name
    bpy.ops.wm.save_as_mainfile(filepath=f"{folder}/{name}.blend")
save("ISS", lambda: bpy.ops.mesh.primitive_cube_add(size=1, scale=(10, 4, 4)))
for body in ("moon", "earth", "sun"):
    save(body, lambda: bpy.ops.mesh.primitive_uv_sphere_add(radius=1))
save("toolbox", lambda: bpy.ops.mesh.primitive_cube_add(size=0.5))
"""


def render_models(make_models, write_config, tmp_path):
    """Make the models with `make_models` (a bpy script), render one anomalous image of them from
    a camera 20 m from the station, looking along +Y at it; return (exp folder, record)."""
    models = tmp_path / "models"
    models.mkdir()
    result = subprocess.run([sys.executable, "-c", make_models, str(models)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    (tmp_path / "poses.csv").write_text("split,index,x,y,z,rx,ry,rz\n"
                                        "test,0,0,-20,0,1.5708,0,0\n")
    config = write_config(cad_models_path="models", anomalies_path="models",
                          anomalies=["toolbox"], camera_poses="poses.csv", cams=[0],
                          start_day=1, end_day=1, pose_jitter={"position": 0, "rotation": 0})
    result = run_cli("render", "--config", config, "--exp_num", 1, "--anomaly")
    assert result.returncode == 0, result.stdout + result.stderr
    exp = tmp_path / "renders" / "exp_1"
    return exp, json.loads((exp / "manifest.jsonl").read_text().splitlines()[0])


def test_original_asset_folders_render(write_config, tmp_path):
    exp, record = render_models(MAKE_MODELS, write_config, tmp_path)
    assert record["anomaly"]["name"] == "toolbox"
    assert record["image"] == "Camera0/anomaly/1_toolbox_10_-1_0_default.png"
    fb = np.asarray(Image.open(exp / record["masks"]["fb_mask"])) > 0
    anomaly = np.asarray(Image.open(exp / record["masks"]["anomaly_mask"])) > 0
    # the 10 m box fills the middle of the view; the 0.5 m toolbox floats 4 m ahead of it
    assert fb[30:42, 50:78].all()
    assert record["anomaly_pixels"] == anomaly.sum() > 10
    assert not (fb & anomaly).any()


MAKE_OTHER_FORMATS = """
import bpy, sys
folder = sys.argv[-1]
def export(name, make, exporter, **options):
    bpy.ops.wm.read_factory_settings(use_empty=True)
    make()
    bpy.context.object.name = name
    exporter(filepath=f"{folder}/{name}", **options)
# the station as glTF in two parts, the bodies as FBX, the anomaly as OBJ
bpy.ops.wm.read_factory_settings(use_empty=True)
bpy.ops.mesh.primitive_cube_add(size=1, scale=(10, 4, 4))
bpy.ops.mesh.primitive_cylinder_add(radius=0.5, depth=8, location=(0, 0, 4))
bpy.ops.export_scene.gltf(filepath=f"{folder}/ISS.glb")
for body in ("moon", "earth", "sun"):
    export(body + ".fbx", lambda: bpy.ops.mesh.primitive_uv_sphere_add(radius=1),
           bpy.ops.export_scene.fbx, use_selection=True)
export("toolbox.obj", lambda: bpy.ops.mesh.primitive_cube_add(size=0.5), bpy.ops.wm.obj_export)
import os
os._exit(0)   # the files are written; bpy 4.2 can crash in its teardown after the glTF add-on
"""


def test_gltf_fbx_and_obj_models_render(write_config, tmp_path):
    exp, record = render_models(MAKE_OTHER_FORMATS, write_config, tmp_path)
    fb = np.asarray(Image.open(exp / record["masks"]["fb_mask"])) > 0
    assert fb[30:42, 50:78].all()          # the glTF box, joined with its mast
    assert fb[5:20, 62:66].any()           # the mast above it, in metres as exported
    assert record["anomaly_pixels"] > 10   # the OBJ toolbox
