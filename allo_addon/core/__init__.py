"""Pure logic of ALLO: never imports bpy, so it runs and is tested with plain Python."""
