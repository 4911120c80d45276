"""ALLO: photorealistic, pixel-annotated anomaly-detection datasets around a lunar-orbit station.

Importing the package never imports bpy, so the pure parts (post-process, ephemeris generator)
run in any Python. Blender calls register()/unregister().

ALLO is an extension (Blender >= 4.2): its name, version and permissions are in
blender_manifest.toml at the repository's top level, which scripts/build_addon.py puts at the
zip's root. There is no `bl_info`: Blender reads it only for legacy add-ons, and an extension's
manifest replaces it.
"""


def register():
    from . import registration
    registration.register()


def unregister():
    from . import registration
    registration.unregister()
