"""How an operator reports a user mistake, once.

In Blender's window an ERROR report shows in the status bar; from a script it becomes the
RuntimeError of the bpy.ops call, and Blender also prints it. The headless CLI prints its own
`error: …` line on stderr, so while it calls an operator (`captured_errors`) the message is
handed to it instead of reported: one line, not the same line twice.
"""

from __future__ import annotations

from contextlib import contextmanager

_captured: list[list[str]] = []     # one list per captured_errors() in progress

classes = ()   # no Blender classes here (registration.py looks for this name)


def fail(operator, message: str) -> set:
    """Report `message` as the operator's error and return {'CANCELLED'}."""
    if _captured:
        _captured[-1].append(message)
    else:
        operator.report({'ERROR'}, message)
    return {'CANCELLED'}


@contextmanager
def captured_errors():
    """Collect the messages fail() is given inside the block instead of reporting them."""
    messages: list[str] = []
    _captured.append(messages)
    try:
        yield messages
    finally:
        _captured.remove(messages)
