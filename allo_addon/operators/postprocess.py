"""allo.postprocess: the post-process (verify renders, write the Anomalib layout) as an operator.

Thin: properties -> api.PostprocessRequest -> api.postprocess -> report; user mistakes are
reported, not raised. Callable from scripts:
    bpy.ops.allo.postprocess(input="//renders/exp_2", output="//renders/test", anomaly=True)
"""

from pathlib import Path

import bpy

from .. import api
from ..core.postprocess.options import OPTIONS
from ..properties import add_properties, option_property
from .reporting import fail, reports_user_errors


def _path(text: str) -> Path | None:
    return Path(bpy.path.abspath(text)) if text else None


def _request_value(option, value):
    """An operator property's value as PostprocessRequest takes it."""
    if option.kind == "path":
        return _path(value)
    if option.kind == "text":
        return value or None
    if option.kind == "shape":
        return tuple(value)
    if option.kind == "min_pixel":   # -1: the render's own
        return None if value < 0 else value
    return value


class ALLO_OT_postprocess(bpy.types.Operator):
    bl_idname = "allo.postprocess"
    bl_label = "Post-process Renders"
    bl_description = ("Verify an exp_<N> render tree and write it in the Anomalib layout "
                      "(images, 3-class masks, ground truth, report, contact sheet)")

    # its properties: one per option of core/postprocess/options.py, added below the class

    @reports_user_errors
    def execute(self, context):
        request = api.PostprocessRequest(**{
            option.name: _request_value(option, getattr(self, option.name)) for option in OPTIONS})
        if request.input is None or request.output is None:
            return fail(self, "set both Input (an exp_<N> folder) and Output")
        window_manager = context.window_manager
        window_manager.progress_begin(0, 1)
        try:
            summary = api.postprocess(request, progress=lambda done, total:
                                      window_manager.progress_update(done / total))
        finally:
            window_manager.progress_end()
        for warning in summary.warnings:
            self.report({'WARNING'}, warning)
        self.report({'INFO'}, f"{summary.lines()[-1]}; written to {summary.output}")
        return {'FINISHED'}


add_properties(ALLO_OT_postprocess, {option.name: option_property(option) for option in OPTIONS})

classes = (ALLO_OT_postprocess,)
