"""Scene building with bpy: built-in and user assets, days, cameras, anomalies, masks."""
