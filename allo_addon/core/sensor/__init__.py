"""The camera sensor model (README "Camera sensor model") — no bpy.

spec.py (the `sensor:` key: presets and parameters), model.py (exposure, noise, optics applied
to linear radiance), png_output.py (8- and 16-bit RGB PNG files).
"""
