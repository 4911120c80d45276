"""The add-on registered for a test module, whatever ran before it.

Test modules run in any order and alone: a module registers ALLO only when no earlier module
left it registered, and then unregisters it after itself, so it never leaves behind more than it
found (a later module that registers single classes would fail on classes already there)."""

import contextlib


@contextlib.contextmanager
def registered_addon():
    import bpy

    import allo_addon
    mine = not hasattr(bpy.types, "ALLO_OT_render_batch")
    if mine:
        allo_addon.register()
    try:
        yield bpy
    finally:
        if mine:
            allo_addon.unregister()
