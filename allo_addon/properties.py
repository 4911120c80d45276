"""Scene settings of the add-on (`scene.allo`), saved with the .blend."""

import bpy


class ALLO_PG_settings(bpy.types.PropertyGroup):
    config_path: bpy.props.StringProperty(
        name="Config", subtype="FILE_PATH",
        description="render_config.yaml to render from (empty: the built-in demo config)")


classes = (ALLO_PG_settings,)


def attach():
    bpy.types.Scene.allo = bpy.props.PointerProperty(type=ALLO_PG_settings)


def detach():
    del bpy.types.Scene.allo
