"""Running the add-on's operators from the command line (bpy wheel or `blender -b`)."""

from ..core.errors import UserError


def ensure_registered():
    """Register the add-on unless an installed copy already did."""
    try:
        import bpy
    except ImportError:
        raise UserError("this command needs Blender's Python module: run it with the bpy "
                        "wheel (`make demo` sets one up in .venv) or inside Blender") from None
    if not hasattr(bpy.types, "ALLO_OT_render_batch"):
        import atexit
        from .. import register, unregister
        register()
        # bpy 4.5 hangs at exit while the add-on is registered (4.2: see headless.exit_now)
        atexit.register(unregister)
    return bpy


def call_operator(operator, **properties):
    """Call bpy.ops.allo.<operator>; an ERROR report becomes a UserError (exit status 2)."""
    from ..operators.reporting import captured_errors
    with captured_errors() as messages:   # printed once, by the CLI (not by Blender as well)
        try:
            result = operator(**properties)
        except RuntimeError as error:
            message = str(error).strip()
            if "Traceback" in message:
                raise
            raise UserError(message.removeprefix("Error: ").strip()) from None
    if messages:
        raise UserError(messages[0])
    if "CANCELLED" in result:
        raise UserError("the operation was cancelled")
    return result
