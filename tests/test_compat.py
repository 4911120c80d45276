"""scene/compat.py, the one module that knows how Blender versions differ, checked on the running
bpy (CI runs this file on every supported version: Makefile COMPAT_TESTS)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

bpy = pytest.importorskip("bpy")
pytestmark = pytest.mark.blender

from allo_addon.scene import compat  # noqa: E402
from allo_addon.scene.builtin.shader_graph import ShaderGraph  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def test_use_nodes_gives_new_materials_and_worlds_a_node_tree():
    material = bpy.data.materials.new("compat test material")
    world = bpy.data.worlds.new("compat test world")
    compat.use_nodes(material)
    compat.use_nodes(world)
    assert any(n.type == "BSDF_PRINCIPLED" for n in material.node_tree.nodes)
    assert any(n.type == "BACKGROUND" for n in world.node_tree.nodes)


def test_mix_color_links_the_colour_sockets_blender_evaluates():
    graph = ShaderGraph("compat test mix")
    factor = graph.math("ADD", 0.25, 0.0)
    colour = graph.node("ShaderNodeRGB").outputs[0]
    result = graph.mix_color(factor, colour, (0.1, 0.2, 0.3, 1.0))
    node = result.node
    links = {link.to_socket.identifier: link.from_socket for link in graph.tree.links
             if link.to_node == node}
    assert links == {"Factor_Float": factor, "A_Color": colour}
    # the sockets used are the ones a Mix node of data type RGBA shows (the others are hidden
    # and ignored by the evaluation)
    for socket in (*[compat.socket(node.inputs, i) for i in links], result):
        assert socket.enabled and not getattr(socket, "is_unavailable", False)
    assert result.type == "RGBA"
    b = compat.socket(node.inputs, "B_Color")
    assert b.enabled and tuple(b.default_value) == pytest.approx((0.1, 0.2, 0.3, 1.0))


def test_socket_names_the_missing_identifier():
    node = ShaderGraph("compat test missing").bsdf
    with pytest.raises(KeyError, match="no socket 'No_Such'"):
        compat.socket(node.inputs, "No_Such")


def test_crashes_at_exit_says_what_this_bpy_does_when_python_exits_normally():
    """Register and unregister the add-on, then exit through Python's normal teardown: the
    process dies by a signal exactly where compat says it does (exit_now skips that teardown)."""
    script = ("import sys, bpy, allo_addon; allo_addon.register(); allo_addon.unregister(); "
              "print('registered', flush=True); sys.exit(0)")
    proc = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True,
                          text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert "registered" in proc.stdout, proc.stderr[-2000:]
    assert (proc.returncode < 0) == compat.CRASHES_AT_EXIT, (proc.returncode, proc.stderr[-2000:])
