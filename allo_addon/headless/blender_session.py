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
    """Call bpy.ops.allo.<operator>; its user mistake becomes a UserError (exit status 2).

    The operator hands the mistake over in the window manager's runtime error slot (runtime.py,
    operators/reporting.fail) rather than as a report, so the CLI prints it once and never
    parses Blender's report text. Anything else the call raises (a bug's traceback) propagates.
    """
    from .. import runtime
    _check_ranges(operator, properties)
    state = runtime.get()
    outer = state.collect_errors, state.error   # a call made by an operator called this way
    state.collect_errors, state.error = True, ""
    try:
        result = operator(**properties)
        error = state.error
    finally:
        state.collect_errors, state.error = outer
    if error:
        raise UserError(error)
    if "CANCELLED" in result:
        raise UserError("the operation was cancelled")
    return result


def _check_ranges(operator, properties) -> None:
    """A number outside an operator property's range would be clamped silently (or, past 32
    bits, end in a ValueError traceback): refuse it by the name of its flag instead. The
    commands check their flags first; this catches any number that reaches an operator."""
    import math
    rna = operator.get_rna_type().properties
    for name, value in properties.items():
        prop = rna.get(name)
        if prop is None or prop.type not in ("INT", "FLOAT") or isinstance(value, bool) \
                or not isinstance(value, (int, float)) or getattr(prop, "is_array", False):
            continue
        if not (math.isfinite(value) and prop.hard_min <= value <= prop.hard_max):
            kind, low, high = (("whole number", prop.hard_min, prop.hard_max)
                               if prop.type == "INT" else
                               ("number", f"{prop.hard_min:g}", f"{prop.hard_max:g}"))
            raise UserError(f"--{name} is {value!r}, expected a {kind} from {low} to {high}")
