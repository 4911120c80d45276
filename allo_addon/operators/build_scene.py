"""allo.build_scene: build the "ALLO" scene (station, bodies, sun lamp, camera) to look at."""

import bpy

from .reporting import reports_user_errors


class ALLO_OT_build_scene(bpy.types.Operator):
    bl_idname = "allo.build_scene"
    bl_label = "Build Scene"
    bl_description = "Build the render scene from the panel's settings and show it"
    bl_options = {'REGISTER', 'UNDO'}

    @reports_user_errors
    def execute(self, context):
        from ..scene import preview
        settings = context.scene.allo
        station_scene = preview.build(settings)
        if station_scene.scene != context.scene:
            settings.copy_to(station_scene.scene.allo)   # the panel follows the window's scene
            if context.window is not None:
                context.window.scene = station_scene.scene
        self.report({'INFO'}, f"built scene '{station_scene.scene.name}'")
        return {'FINISHED'}


classes = (ALLO_OT_build_scene,)
