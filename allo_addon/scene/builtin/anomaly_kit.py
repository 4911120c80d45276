"""Shared pieces of the anomaly builders: materials, sheets with thickness, finishing.

Everything here creates geometry in a fixed order (plain lists, never sets, no bmesh.ops that
reorder their output), because the same seed must give the same mesh vertex for vertex in every
process: renders and masks are compared across runs.
"""

from __future__ import annotations

import math

import bpy
from mathutils import Matrix, Vector

from .shader_graph import ShaderGraph


def material(name: str, base_color, metallic: float, roughness: float, bump_scale: float = 0.0,
             bump_strength: float = 0.0, **principled):
    """A fresh material per anomaly (the colour mode edits it); base colour stays unlinked."""
    g = ShaderGraph(name)
    g.set(base_color=(*base_color, 1.0), metallic=metallic, roughness=roughness, **principled)
    if bump_strength:
        crinkle = g.noise(g.coords("Object"), bump_scale, detail=6.0, roughness=0.65)
        g.set(normal=g.bump(crinkle, bump_strength, 0.005))
    return g.material


def polar_sheet(bm, outline, height, rings: int, segments: int, inner=None) -> list[list]:
    """An open sheet over a star-shaped outline, as rings of vertices around the local origin.

    outline(angle) -> outer radius; height(x, y, t) -> z, with t = 0 at the inner edge and 1 at
    the outline; inner(angle) -> radius of a hole (None: the sheet is closed by a centre fan).
    Returns the rings (outer last) so callers can pick edge vertices.
    """
    angles = [2 * math.pi * k / segments for k in range(segments)]
    out = []
    first = 0 if inner else 1
    centre = None if inner else bm.verts.new((0.0, 0.0, height(0.0, 0.0, 0.0)))
    for i in range(first, rings + 1):
        t = i / rings
        ring = []
        for a in angles:
            r0 = inner(a) if inner else 0.0
            r = r0 + (outline(a) - r0) * t
            x, y = r * math.cos(a), r * math.sin(a)
            ring.append(bm.verts.new((x, y, height(x, y, t))))
        out.append(ring)
    for k in range(segments):
        k1 = (k + 1) % segments
        if centre is not None:
            bm.faces.new((centre, out[0][k], out[0][k1]))
        for r0, r1 in zip(out, out[1:]):
            bm.faces.new((r0[k], r1[k], r1[k1], r0[k1]))
    return out


def thicken(bm, thickness: float) -> list:
    """Give an open sheet thickness: a back copy along the vertex normals and side walls.
    Returns the new back faces.

    Written out instead of bmesh.ops.solidify, whose output order varies from run to run:
    the same seed must give the same mesh, vertex for vertex, or renders differ.
    """
    bm.verts.index_update()
    bm.normal_update()
    front = list(bm.verts)
    back = [bm.verts.new(v.co - v.normal * thickness) for v in front]
    faces = list(bm.faces)
    backs = []
    for face in faces:
        backs.append(bm.faces.new([back[v.index] for v in reversed(face.verts)]))
        for loop in face.loops:
            edge = loop.edge
            if len(edge.link_faces) == 1:
                a, b = loop.vert, loop.link_loop_next.vert
                bm.faces.new([b, a, back[a.index], back[b.index]])
    return backs  # the back faces, in the order of the front ones


def finish_bmesh(bm, materials, collection, name, slot=None):
    """Link a smooth-shaded object; `slot(face) -> material index` when there are several."""
    for face in bm.faces:
        face.smooth = True
        face.material_index = slot(face) if slot else 0
    mesh = bpy.data.meshes.new(name)
    bm.to_mesh(mesh)
    bm.free()
    for mat in materials:
        mesh.materials.append(mat)
    obj = bpy.data.objects.new(name, mesh)
    collection.objects.link(obj)
    return obj


def rename(obj, name):
    obj.name = name
    obj.data.name = name
    return obj


def origin_to_bbox_centre(obj) -> None:
    coords = [v.co for v in obj.data.vertices]
    lo = Vector([min(c[i] for c in coords) for i in range(3)])
    hi = Vector([max(c[i] for c in coords) for i in range(3)])
    obj.data.transform(Matrix.Translation(-(lo + hi) / 2))
    obj.data.update()
