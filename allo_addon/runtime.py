"""State that lives while Blender runs, not in the .blend: WindowManager.allo_runtime.

Window-manager properties are the place Blender gives such state (they are not saved with the
file). Two things live here, so no module holds them as Python globals:
- the panel's batch progress (the modal render writes it, the sidebar and the timeline read it);
- the error slot of a headless operator call: while `collect_errors` is on (headless/
  blender_session.call_operator sets it), an operator stores its user mistake in `error`
  instead of reporting it, and the caller raises it as a UserError: the message travels as a
  value, printed once by the CLI, never parsed back out of Blender's report text.
"""

import bpy


class ALLO_Runtime(bpy.types.PropertyGroup):
    # the modal batch's progress (operators/render_batch.py); rendering False: none runs
    rendering: bpy.props.BoolProperty(default=False)
    done: bpy.props.IntProperty(default=0)
    total: bpy.props.IntProperty(default=0)
    line: bpy.props.StringProperty(default="")
    eta: bpy.props.FloatProperty(default=0.0)
    # a headless call's user mistake (operators/reporting.fail)
    collect_errors: bpy.props.BoolProperty(default=False)
    error: bpy.props.StringProperty(default="")


classes = (ALLO_Runtime,)


def get(context=None):
    """The runtime properties (None where there is no window manager)."""
    window_manager = getattr(context or bpy.context, "window_manager", None)
    return getattr(window_manager, "allo_runtime", None)


def attach() -> None:
    bpy.types.WindowManager.allo_runtime = bpy.props.PointerProperty(type=ALLO_Runtime)


def detach() -> None:
    del bpy.types.WindowManager.allo_runtime
