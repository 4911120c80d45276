"""allo.look_through: put the camera at a row of the pose table and view through it."""

import bpy

from .reporting import reports_user_errors


class ALLO_OT_look_through(bpy.types.Operator):
    bl_idname = "allo.look_through"
    bl_label = "Look Through"
    bl_description = ("Move the inspection camera to the chosen table row (without the per-day "
                      "jitter), make it the active camera and view through it")
    bl_options = {'REGISTER', 'UNDO'}

    @reports_user_errors
    def execute(self, context):
        from ..scene import preview
        pose = preview.look_through(context.scene.allo, context)
        self.report({'INFO'}, f"looking through {context.scene.allo.camera_split} {pose.name}")
        return {'FINISHED'}


classes = (ALLO_OT_look_through,)
