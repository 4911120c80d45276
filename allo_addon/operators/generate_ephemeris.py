"""allo.generate_ephemeris: write ephemeris CSVs for any dates (same inputs as the CLI command).

Thin: properties -> api.EphemerisRequest -> api.generate_ephemeris -> report."""

import bpy

from .. import api
from .reporting import reports_user_errors


class ALLO_OT_generate_ephemeris(bpy.types.Operator):
    bl_idname = "allo.generate_ephemeris"
    bl_label = "Generate Ephemeris"
    bl_description = ("Write where the Moon, the Earth and the Sun are seen from the station, "
                      "one row per step, as the original 12-column CSV and/or the extended CSV")
    bl_options = {'REGISTER'}

    start: bpy.props.StringProperty(
        name="Start (UTC)", default="2027-01-01",
        description="First epoch, ISO 8601: 2027-01-01 or 2027-01-01T06:30")
    days: bpy.props.FloatProperty(name="Days", default=365.0, min=0.0,
                                  description="Length of the span in days")
    step: bpy.props.StringProperty(name="Step", default="1d",
                                   description="Time step: 1d, 6h, 30min")
    phase: bpy.props.FloatProperty(
        name="Orbit Phase", default=0.0, min=0.0, max=1.0,
        description="Orbit phase at the start, fraction of the 6.56-day period "
                    "(0 = apolune, 0.5 = perilune)")
    filepath: bpy.props.StringProperty(
        name="Original CSV", subtype='FILE_PATH',
        description="12-column CSV to write (the format render configs read); empty: none")
    extended_filepath: bpy.props.StringProperty(
        name="Extended CSV", subtype='FILE_PATH',
        description="Extended CSV to write (epoch, eclipses, rotations); empty: none")

    def invoke(self, context, event):
        return context.window_manager.invoke_props_dialog(self, width=420)

    @reports_user_errors
    def execute(self, context):
        request = api.EphemerisRequest(
            start=self.start, days=self.days, step=self.step, phase=self.phase,
            out=_path(self.filepath), extended_out=_path(self.extended_filepath))
        result = api.generate_ephemeris(request)
        self.report({'INFO'}, f"{len(result.table)} ephemeris rows written to "
                              f"{', '.join(map(str, result.written))}")
        return {'FINISHED'}


def _path(text: str):
    return bpy.path.abspath(text) if text else None


classes = (ALLO_OT_generate_ephemeris,)
