"""The one place that knows how Blender versions differ (4.2 LTS … 5.x).

- Compositor: 5.0 removed `scene.node_tree`; a CompositorNodeTree node group is assigned to
  `scene.compositing_node_group`. 4.x uses `scene.use_nodes` and `scene.node_tree`.
- File Output node: 5.0 has `directory`, `file_name`, `file_output_items` and a format whose
  `media_type` must be IMAGE before a single-layer EXR can be chosen; 4.x has `base_path` and
  `file_slots` and appends the frame number to every file name.
- Node trees of materials and worlds: 5.0 always uses nodes and deprecates `use_nodes`; 4.x
  needs it switched on.
- Mix node (ShaderNodeMix): sockets are found by identifier (`A_Color`, …), never by position.
- Exit: the bpy module of 4.2 crashes in its own teardown once Python callbacks were registered.
"""

from __future__ import annotations

import bpy

IS_5 = bpy.app.version >= (5, 0, 0)
# The bpy 4.2 module crashes (SIGSEGV) in its own teardown once Python callbacks (operators,
# property update functions) were registered, even after unregistering; 4.3 fixed it. Callers
# that have written and closed everything skip that teardown (headless.exit_now, conftest).
CRASHES_AT_EXIT = bpy.app.version < (4, 3, 0)


def use_nodes(idblock) -> None:
    """Give a new material or world its node tree (4.x); 5.0 always has one and deprecates
    the `use_nodes` flag (setting it warns)."""
    if not IS_5:
        idblock.use_nodes = True


# Mix node sockets for data_type RGBA, by identifier: the node keeps one socket per data type
# (Float, Vector, Color, Rotation) under the same names "Factor"/"A"/"B"/"Result", so a name
# alone is ambiguous, and positions shift when Blender adds a data type.
MIX_COLOR_SOCKETS = {"factor": "Factor_Float", "a": "A_Color", "b": "B_Color",
                     "result": "Result_Color"}


def socket(sockets, identifier: str):
    """The socket with this identifier (node.inputs / node.outputs); KeyError naming it."""
    for candidate in sockets:
        if candidate.identifier == identifier:
            return candidate
    raise KeyError(f"no socket {identifier!r} among {[s.identifier for s in sockets]}")


def compositor_tree(scene, name="ALLO Compositor"):
    """An empty compositor node tree that runs after each render of `scene`."""
    if IS_5:
        tree = scene.compositing_node_group
        if tree is None:
            tree = bpy.data.node_groups.new(name, "CompositorNodeTree")
            scene.compositing_node_group = tree
    else:
        scene.use_nodes = True
        tree = scene.node_tree
    tree.nodes.clear()
    return tree


def float_exr_output(tree, directory: str, stem: str, socket_name: str, colour: bool = False):
    """A File Output node writing one float input (or, with colour, an RGB one: the linear
    radiance the sensor model reads, the Normal pass) as a 32-bit single-layer EXR.

    Returns (node, input socket). The written file is found with `exr_written(directory, stem)`,
    because 4.x appends a frame number to the name.
    """
    node = tree.nodes.new("CompositorNodeOutputFile")
    fmt = node.format
    if IS_5:
        fmt.media_type = "IMAGE"
        node.directory = directory
        node.file_name = stem
        node.file_output_items.new("RGBA" if colour else "FLOAT", socket_name)
        socket = node.inputs[socket_name]
    else:
        node.base_path = directory
        node.file_slots[0].path = stem + socket_name
        socket = node.inputs[0]
    fmt.file_format = "OPEN_EXR"
    if colour:
        fmt.color_mode = "RGB"
    fmt.color_depth = "32"
    fmt.exr_codec = "ZIP"
    return node, socket


def set_output_directory(node, directory: str) -> None:
    if IS_5:
        node.directory = directory
    else:
        node.base_path = directory


def exr_written(directory, stem: str, socket_name: str):
    """Path of the EXR the node wrote in `directory` (with or without a frame number)."""
    from pathlib import Path
    matches = sorted(Path(directory).glob(f"{stem}{socket_name}*.exr"))
    return matches[0] if matches else None


def render_layers_output(node, name: str):
    """An output socket of a Render Layers node by its name ('Object Index' / 'IndexOB',
    'Depth' / 'Z': the older names)."""
    for candidate in (name, {"Object Index": "IndexOB", "Depth": "Z"}.get(name, name)):
        if candidate in node.outputs:
            return node.outputs[candidate]
    raise KeyError(name)
