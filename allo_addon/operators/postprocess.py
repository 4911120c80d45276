"""allo.postprocess: the post-process (verify renders, write the Anomalib layout) as an operator.

Thin: properties -> api.PostprocessRequest -> api.postprocess -> report; user mistakes are
reported, not raised. Callable from scripts:
    bpy.ops.allo.postprocess(input="//renders/exp_2", output="//renders/test", anomaly=True)
"""

from pathlib import Path

import bpy

from .. import api
from ..core.errors import UserError
from .reporting import fail


def _path(text: str) -> Path | None:
    return Path(bpy.path.abspath(text)) if text else None


class ALLO_OT_postprocess(bpy.types.Operator):
    bl_idname = "allo.postprocess"
    bl_label = "Post-process Renders"
    bl_description = ("Verify an exp_<N> render tree and write it in the Anomalib layout "
                      "(images, 3-class masks, ground truth, report, contact sheet)")

    input: bpy.props.StringProperty(
        name="Input", subtype="DIR_PATH", description="The exp_<N> folder written by the renderer")
    output: bpy.props.StringProperty(
        name="Output", subtype="DIR_PATH",
        description="The split folder to write, e.g. renders/train or renders/test")
    log_file: bpy.props.StringProperty(
        name="Log File", subtype="FILE_PATH",
        description="Log of rejected files (empty: postprocess.log in the output folder)")
    seed: bpy.props.IntProperty(
        name="Seed", default=42, description="Seed for choosing held-out normal test images")
    anomaly: bpy.props.BoolProperty(
        name="Anomalous Batch", default=False,
        description="The input holds anomalous renders (anomaly/ and anomaly_mask/ folders)")
    min_pixel: bpy.props.IntProperty(
        name="Min Pixels", default=-1, min=-1,
        description="An anomaly must cover more than this many pixels of the image "
                    "(-1: the min_pixel the render used, from its manifest.jsonl)")
    shape: bpy.props.IntVectorProperty(
        name="Image Size", size=2, default=(1920, 1080), min=1,
        description="Expected width and height of images that manifest.jsonl does not list")
    normal_test_ratio: bpy.props.FloatProperty(
        name="Normal Test Share", default=0.0, min=0.0, max=0.99,
        description="Share of each camera's days held out (whole camera-days) as normal "
                    "test images")
    test_output: bpy.props.StringProperty(
        name="Test Output", subtype="DIR_PATH",
        description="Split folder for held-out normal images (empty: 'test' beside Output)")
    workers: bpy.props.IntProperty(
        name="Workers", default=0, min=0, description="Processes to use (0: one per core)")
    layout: bpy.props.EnumProperty(
        name="Layout", default="anomalib",
        items=[("anomalib", "Anomalib", "Output is a split folder of Camera<K>/images, masks, "
                                        "ground_truth"),
               ("mvtec", "MVTec AD", "Output is an MVTec AD root: <category>/train/good, "
                                     "test/<kind>, ground_truth/<kind>/<name>_mask.png")])
    category: bpy.props.StringProperty(
        name="Category",
        description="MVTec AD layout: all cameras as this one category (empty: one per camera)")

    def execute(self, context):
        request = api.PostprocessRequest(
            input=_path(self.input), output=_path(self.output), log_file=_path(self.log_file),
            seed=self.seed, anomaly=self.anomaly,
            min_pixel=None if self.min_pixel < 0 else self.min_pixel,
            shape=tuple(self.shape),
            normal_test_ratio=self.normal_test_ratio, test_output=_path(self.test_output),
            workers=self.workers, layout=self.layout, category=self.category or None)
        if request.input is None or request.output is None:
            return fail(self, "set both Input (an exp_<N> folder) and Output")
        window_manager = context.window_manager
        window_manager.progress_begin(0, 1)
        try:
            summary = api.postprocess(request, progress=lambda done, total:
                                      window_manager.progress_update(done / total))
        except UserError as error:
            return fail(self, str(error))
        finally:
            window_manager.progress_end()
        for warning in summary.warnings:
            self.report({'WARNING'}, warning)
        self.report({'INFO'}, f"{summary.lines()[-1]}; written to {summary.output}")
        return {'FINISHED'}


classes = (ALLO_OT_postprocess,)
