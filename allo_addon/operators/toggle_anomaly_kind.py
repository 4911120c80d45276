"""allo.toggle_anomaly_kind: the anomaly checklist (adds or removes a kind, keeping the order)."""

import bpy

from ..properties import parse_list


class ALLO_OT_toggle_anomaly_kind(bpy.types.Operator):
    bl_idname = "allo.toggle_anomaly_kind"
    bl_label = "Toggle Anomaly Kind"
    bl_description = "Render this anomaly kind or not"
    bl_options = {'REGISTER', 'UNDO', 'INTERNAL'}

    kind: bpy.props.StringProperty()

    def execute(self, context):
        settings = context.scene.allo
        kinds = [str(k) for k in parse_list(settings.anomalies)]
        kinds = [k for k in kinds if k != self.kind] if self.kind in kinds else kinds + [self.kind]
        settings.anomalies = ", ".join(kinds)
        return {'FINISHED'}


classes = (ALLO_OT_toggle_anomaly_kind,)
