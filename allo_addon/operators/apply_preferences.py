"""allo.apply_preferences: copy the add-on Preferences' defaults into the scene's settings."""

import bpy

from .reporting import fail


class ALLO_OT_apply_preferences(bpy.types.Operator):
    bl_idname = "allo.apply_preferences"
    bl_label = "Defaults from Preferences"
    bl_description = "Set asset folders and device from the add-on's Preferences"
    bl_options = {'REGISTER', 'UNDO'}

    def execute(self, context):
        from ..properties import preferences
        prefs, settings = preferences(context), context.scene.allo
        if prefs is None:
            return fail(self, "the add-on's preferences are not available")
        settings.cad_models_path = prefs.cad_models_path
        settings.station_source = "FILE" if prefs.cad_models_path else "BUILTIN"
        settings.anomalies_path = prefs.anomalies_path
        settings.device = prefs.device
        self.report({'INFO'}, "asset folders and device set from Preferences")
        return {'FINISHED'}


classes = (ALLO_OT_apply_preferences,)
