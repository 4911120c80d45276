"""Building and rendering the scene (imports bpy)."""
