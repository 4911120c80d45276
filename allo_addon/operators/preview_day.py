"""allo.preview_day: move Moon, Earth, Sun and the sun lamp to the panel's day."""

import bpy

from .reporting import reports_user_errors


class NeedsEphemeris:
    """Mixin of the buttons that show a day: greyed out, saying why, until one is loaded."""

    @classmethod
    def poll(cls, context):
        from ..scene import preview
        if preview.loaded(context.scene.allo) is None:
            cls.poll_message_set("Load an ephemeris first")
            return False
        return True


class ALLO_OT_preview_day(NeedsEphemeris, bpy.types.Operator):
    bl_idname = "allo.preview_day"
    bl_label = "Preview Day"
    bl_description = ("Place the bodies and the sun lamp (direction, strength) as on this day, "
                      "frame the station with arrows toward the Sun, Earth and Moon, lit as "
                      "rendered")
    bl_options = {'REGISTER', 'UNDO'}

    @reports_user_errors
    def execute(self, context):
        from ..scene import preview
        settings = context.scene.allo
        geometry = preview.preview_day(settings, settings.preview_day)
        from ..scene import day_view, timeline
        timeline.follow_day(settings)
        day_view.frame_station(context, preview.stage())   # the station and the markers
        day_view.set_lit(context.screen, True)             # lit as rendered (Solid: the toggle)
        when = f" ({geometry.epoch})" if geometry.epoch else ""
        self.report({'INFO'}, f"day {geometry.day}{when}: sun visible "
                              f"{geometry.sun_visible_fraction:.0%}")
        return {'FINISHED'}


classes = (ALLO_OT_preview_day,)
