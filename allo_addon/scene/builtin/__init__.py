"""Procedural built-in assets: the station, the Moon/Earth/Sun and the anomaly models.

Everything is generated from code (bmesh + shader nodes), in metres, with no image files, so a
user without the original .blend files still gets a complete scene.
"""
