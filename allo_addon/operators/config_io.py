"""allo.import_config / allo.export_config: render_config.yaml to and from the panel."""

from pathlib import Path

import bpy
from bpy_extras.io_utils import ExportHelper, ImportHelper

from ..core.dataset.config import load_config
from ..core.dataset.config_yaml import write_config
from .reporting import reports_user_errors


class ALLO_OT_import_config(bpy.types.Operator, ImportHelper):
    bl_idname = "allo.import_config"
    bl_label = "Import Config"
    bl_description = "Fill the panel's settings from a render_config.yaml"
    bl_options = {'REGISTER', 'UNDO'}

    filename_ext = ".yaml"
    filter_glob: bpy.props.StringProperty(default="*.yaml;*.yml", options={'HIDDEN'})

    @reports_user_errors
    def execute(self, context):
        config = load_config(Path(bpy.path.abspath(self.filepath)))
        settings = context.scene.allo
        settings.from_config(config)
        settings.config_path = self.filepath
        self.report({'INFO'}, f"settings read from {config.source}")
        return {'FINISHED'}


class ALLO_OT_export_config(bpy.types.Operator, ExportHelper):
    bl_idname = "allo.export_config"
    bl_label = "Export Config"
    bl_description = "Write the panel's settings as a render_config.yaml (every key)"

    filename_ext = ".yaml"
    filter_glob: bpy.props.StringProperty(default="*.yaml;*.yml", options={'HIDDEN'})

    @reports_user_errors
    def execute(self, context):
        settings = context.scene.allo
        path = write_config(settings.to_config(), bpy.path.abspath(self.filepath))
        settings.config_path = self.filepath
        self.report({'INFO'}, f"settings written to {path}")
        return {'FINISHED'}


classes = (ALLO_OT_import_config, ALLO_OT_export_config)
