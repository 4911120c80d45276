"""allo.load_ephemeris: read the panel's ephemeris file so that days can be previewed."""

import bpy

from .reporting import reports_user_errors


class ALLO_OT_load_ephemeris(bpy.types.Operator):
    bl_idname = "allo.load_ephemeris"
    bl_label = "Load Ephemeris"
    bl_description = "Read the ephemeris file (empty path: the default one) for the day preview"

    @reports_user_errors
    def execute(self, context):
        from ..scene import preview
        settings = context.scene.allo
        ephemeris = preview.load(settings)
        if ephemeris.days and settings.preview_day not in ephemeris.days:
            settings.preview_day = min(ephemeris.days)
        bad = f", {len(ephemeris.bad_rows)} corrupt rows refused" if ephemeris.bad_rows else ""
        self.report({'INFO'}, f"{ephemeris.path.name}: {len(ephemeris)} rows{bad}")
        return {'FINISHED'}


classes = (ALLO_OT_load_ephemeris,)
