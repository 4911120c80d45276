"""ALLO: photorealistic, pixel-annotated anomaly-detection datasets around a lunar-orbit station.

Importing the package never imports bpy, so the pure parts (post-process, ephemeris generator)
run in any Python. Blender calls register()/unregister().
"""

bl_info = {  # legacy add-on metadata, for Blender < 4.2 installs from a zip
    "name": "ALLO",
    "author": "ALLO team",
    "version": (0, 1, 0),
    "blender": (4, 2, 0),
    "location": "View3D > Sidebar > ALLO",
    "description": "Anomaly-detection datasets for a space station in lunar orbit",
    "category": "Render",
}


def register():
    from . import registration
    registration.register()


def unregister():
    from . import registration
    registration.unregister()
