"""How an operator reports a user mistake, once.

In Blender's window an ERROR report shows in the status bar; from a script it becomes the
RuntimeError of the bpy.ops call, and Blender also prints it. The headless CLI prints its own
`error: …` line on stderr: while it calls an operator (headless/blender_session.call_operator)
the window manager's runtime properties have `collect_errors` on, and the message is stored in
their `error` slot for it instead of reported (runtime.py): one line, not the same line twice,
and nothing to parse out of Blender's report text.
"""

from __future__ import annotations

import functools

from .. import runtime
from ..core.errors import UserError

classes = ()   # no Blender classes here (registration.py looks for this name)


def fail(operator, message) -> set:
    """Report `message` (a str or a UserError) as the operator's error; {'CANCELLED'}."""
    message = str(message)
    state = runtime.get()
    if state is not None and state.collect_errors:
        state.error = message
    else:
        operator.report({'ERROR'}, message)
    return {'CANCELLED'}


def reports_user_errors(execute):
    """For an operator's execute(self, context): a UserError raised in it is reported by fail()
    and ends the operator {'CANCELLED'}, so execute needs no try/except of its own. (Two
    arguments exactly: Blender checks the count of a registered operator's execute.)"""
    @functools.wraps(execute)
    def checked(operator, context):
        try:
            return execute(operator, context)
        except UserError as error:
            return fail(operator, error)
    return checked
