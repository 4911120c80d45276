"""The day view's buttons: lit/solid toggle, view from the station, days on the timeline and
Quick Render (scene/day_view.py, scene/timeline.py, scene/quick_render.py do the work)."""

import bpy

from .preview_day import NeedsEphemeris
from .reporting import reports_user_errors


class ALLO_OT_toggle_lit_view(bpy.types.Operator):
    bl_idname = "allo.toggle_lit_view"
    bl_label = "Lit / Solid"
    bl_description = ("Switch the 3D views between Material Preview lit by the scene's sun "
                      "lamp (as rendered) and Solid")

    def execute(self, context):
        from ..scene import day_view
        day_view.set_lit(context.screen, not day_view.is_lit(context.screen))
        return {"FINISHED"}


class ALLO_OT_view_from_station(NeedsEphemeris, bpy.types.Operator):
    bl_idname = "allo.view_from_station"
    bl_label = "View from Station"
    bl_description = ("Look from the station at the chosen body through a camera whose field "
                      "of view is three times the body's apparent size (true size and phase)")
    bl_options = {"REGISTER", "UNDO"}

    @reports_user_errors
    def execute(self, context):
        from ..core.views.day_view import field_of_view_deg
        from ..scene import day_view, preview
        settings = context.scene.allo
        geometry = preview.preview_day(settings, settings.preview_day)
        camera = day_view.view_from_station(preview.stage(), geometry,
                                            settings.station_view_body, context.screen)
        day_view.set_lit(context.screen, True)
        self.report({"INFO"}, f"{settings.station_view_body} from the station: field of view "
                              f"{field_of_view_deg(camera.data.lens):.2f}°")
        return {"FINISHED"}


class ALLO_OT_timeline_days(NeedsEphemeris, bpy.types.Operator):
    bl_idname = "allo.timeline_days"
    bl_label = "Days on Timeline"
    bl_description = "Make the timeline's frame range the ephemeris' days (frame = day + offset)"
    bl_options = {"REGISTER", "UNDO"}

    def execute(self, context):
        from ..scene import preview, timeline
        settings = context.scene.allo
        start, end = timeline.span_days(settings, preview.loaded(settings))
        offset = settings.day_frame_offset
        self.report({"INFO"}, f"timeline: frames {start}–{end} are days "
                              f"{start - offset}–{end - offset}")
        return {"FINISHED"}


class ALLO_OT_quick_render(NeedsEphemeris, bpy.types.Operator):
    bl_idname = "allo.quick_render"
    bl_label = "Quick Render"
    bl_description = ("Render the day and camera once, small and fast, as a batch would "
                      "(with an anomaly when Anomaly is on) and show it in an image editor; "
                      "writes nothing to the output folder")

    @reports_user_errors
    def execute(self, context):
        from ..scene import quick_render
        settings = context.scene.allo
        result = quick_render.quick_render(settings, settings.quick_anomaly)
        from ..scene import preview
        preview.preview_day(settings, settings.preview_day)   # the markers again, the panel's light
        if quick_render.show(context, settings.quick_masks):   # the 3D view may be split:
            from ..scene import day_view                          # frame the station again
            day_view.frame_station(context, preview.stage())
        record = result.record
        what = f", {record['anomaly']['name']} {record['anomaly_pixels']} px" \
            if record.get("anomaly") else ""
        self.report({"INFO"}, f"quick render: day {record['day']} {record['camera']}"
                              f"{what}, {record['render_seconds']:.1f} s")
        return {"FINISHED"}


classes = (ALLO_OT_toggle_lit_view, ALLO_OT_view_from_station, ALLO_OT_timeline_days,
           ALLO_OT_quick_render)
