"""Accumulate primitives into one bmesh, each with its material and metre-scaled UVs.

Station parts and anomalies are built from many small primitives; joining them per part keeps
the object count low (one BVH per part) while every face keeps its own material slot. UVs are in
metres (cylinders: arc length × axial position; boxes: planar on the dominant axis), so the
procedural materials can draw seams and cells at real-world sizes.
"""

from __future__ import annotations

import math

import bmesh
import bpy
from mathutils import Matrix, Vector

SHARP_ANGLE = math.radians(35.0)


class MeshBuilder:
    def __init__(self, name: str):
        self.name = name
        self.bm = bmesh.new()
        self.uv = self.bm.loops.layers.uv.new("UVMap")
        self.materials: list[bpy.types.Material] = []

    # ---- primitives (all centred on the local origin, then moved by `matrix`) ----
    def box(self, size, matrix: Matrix, material) -> None:
        result = bmesh.ops.create_cube(self.bm, size=1.0, matrix=matrix @ Matrix.Diagonal((*size, 1.0)))
        self._finish(result["verts"], matrix, material, _box_uv)

    def cylinder(self, radius: float, depth: float, matrix: Matrix, material,
                 segments: int = 32, radius_top: float | None = None, caps: bool = True) -> None:
        """A cylinder (or frustum when radius_top differs) along local Z, centred on the origin."""
        top = radius if radius_top is None else radius_top
        result = bmesh.ops.create_cone(self.bm, cap_ends=caps, cap_tris=False, segments=segments,
                                       radius1=radius, radius2=top, depth=depth, matrix=matrix)
        self._finish(result["verts"], matrix, material, _cylinder_uv)

    def disc(self, radius: float, matrix: Matrix, material, segments: int = 32) -> None:
        """A flat round lid facing local +Z (closes an open end so the volume has no hole)."""
        result = bmesh.ops.create_circle(self.bm, cap_ends=True, segments=segments, radius=radius,
                                         matrix=matrix)
        faces = {f for v in result["verts"] for f in v.link_faces}
        facing = matrix.to_3x3() @ Vector((0, 0, 1))
        for face in faces:
            face.normal_update()
            if face.normal.dot(facing) < 0:
                face.normal_flip()
        self._finish(result["verts"], matrix, material, _cylinder_uv)

    def sphere(self, radius: float, matrix: Matrix, material, segments: int = 16, rings: int = 8) -> None:
        """A UV sphere written out: bmesh.ops.create_uvsphere orders its faces' loops
        differently from process to process, and the same seed must give the same mesh."""
        bm = self.bm
        top = bm.verts.new(matrix @ Vector((0, 0, radius)))
        bottom = bm.verts.new(matrix @ Vector((0, 0, -radius)))
        bands = []
        for i in range(1, rings):
            polar = math.pi * i / rings
            z, r = radius * math.cos(polar), radius * math.sin(polar)
            bands.append([bm.verts.new(matrix @ Vector((r * math.cos(a), r * math.sin(a), z)))
                          for a in (2 * math.pi * k / segments for k in range(segments))])
        for k in range(segments):
            k1 = (k + 1) % segments
            bm.faces.new((top, bands[0][k], bands[0][k1]))
            for upper, lower in zip(bands, bands[1:]):
                bm.faces.new((upper[k], lower[k], lower[k1], upper[k1]))
            bm.faces.new((bottom, bands[-1][k1], bands[-1][k]))
        self._finish([top, bottom] + [v for band in bands for v in band], matrix, material, _cylinder_uv)

    def tube(self, points, radius: float, material, segments: int = 8, closed: bool = False,
             caps: bool = True) -> None:
        """Sweep a circle along a polyline (handrails, cables); parallel-transport frames avoid twists."""
        pts = [Vector(p) for p in points]
        frames = _transport_frames(pts, closed)
        rings = []
        for p, (n, b) in zip(pts, frames):
            ring = [self.bm.verts.new(p + radius * (math.cos(a) * n + math.sin(a) * b))
                    for a in (2 * math.pi * k / segments for k in range(segments))]
            rings.append(ring)
        new_faces = []
        pairs = list(zip(rings, rings[1:])) + ([(rings[-1], rings[0])] if closed else [])
        for r0, r1 in pairs:
            for k in range(segments):
                k1 = (k + 1) % segments
                new_faces.append(self.bm.faces.new((r0[k], r0[k1], r1[k1], r1[k])))
        if caps and not closed:
            new_faces.append(self.bm.faces.new(list(reversed(rings[0]))))
            new_faces.append(self.bm.faces.new(rings[-1]))
        # UV: u around the tube, v along its length (metres)
        lengths = [0.0]
        for a, b in zip(pts, pts[1:]):
            lengths.append(lengths[-1] + (b - a).length)
        index = {v: (i, k) for i, ring in enumerate(rings) for k, v in enumerate(ring)}
        slot = self._slot(material)
        for f in new_faces:
            f.material_index = slot
            for loop in f.loops:
                i, k = index[loop.vert]
                loop[self.uv].uv = (k / segments * 2 * math.pi * radius, lengths[i])

    def lathe(self, profile, matrix: Matrix, materials, segments: int = 48) -> None:
        """Revolve a closed (radius, z) outline around local Z: nozzle bells, capsule shells.

        The outline runs counter-clockwise in the (radius, z) plane (up the outside), so face
        normals point out. `materials` is one material or one per outline edge (edge i runs from point i to i+1,
        the last edge closes the outline). Points on the axis (radius 0) become one pole vertex,
        so a closed outline gives a closed volume. UVs: arc length × distance along the outline.
        """
        pts = [(float(r), float(z)) for r, z in profile]
        mats = list(materials) if isinstance(materials, (list, tuple)) else [materials] * len(pts)
        angles = [2 * math.pi * k / segments for k in range(segments)]
        rings = []  # one vertex list per outline point
        for r, z in pts:
            if r < 1e-9:
                pole = self.bm.verts.new(matrix @ Vector((0.0, 0.0, z)))
                rings.append([pole] * segments)
            else:
                rings.append([self.bm.verts.new(matrix @ Vector((r * math.cos(a), r * math.sin(a), z)))
                              for a in angles])
        along = [0.0]
        for (r0, z0), (r1, z1) in zip(pts, pts[1:] + pts[:1]):
            along.append(along[-1] + math.hypot(r1 - r0, z1 - z0))
        for i in range(len(pts)):
            j = (i + 1) % len(pts)
            slot = self._slot(mats[i])
            for k in range(segments):
                k1 = (k + 1) % segments
                quad = [(rings[i][k], i, k), (rings[i][k1], i, k + 1), (rings[j][k1], j, k + 1),
                        (rings[j][k], j, k)]
                unique = []
                for item in quad:  # drop the repeated pole of a triangle
                    if all(item[0] is not u[0] for u in unique):
                        unique.append(item)
                if len(unique) < 3:
                    continue
                face = self.bm.faces.new([v for v, _, _ in unique])
                face.material_index = slot
                r_mid = (pts[i][0] + pts[j][0]) / 2   # one width per ring: straight seams on cones
                for loop, (_, p, kk) in zip(face.loops, unique):
                    v = along[i] if p == i else along[i + 1]
                    loop[self.uv].uv = (2 * math.pi * kk / segments * r_mid, v)

    # ---- bookkeeping ----
    def _slot(self, material) -> int:
        if material not in self.materials:
            self.materials.append(material)
        return self.materials.index(material)

    def _finish(self, verts, matrix: Matrix, material, uv_function) -> None:
        slot = self._slot(material)
        inverse = matrix.inverted()
        faces = {f for v in verts for f in v.link_faces}
        for f in faces:
            f.material_index = slot
            uv_function(f, inverse, self.uv)

    def to_object(self, collection, name: str | None = None) -> bpy.types.Object:
        """Finish the mesh (normals out, smooth with sharp creases) and link a new object."""
        bm = self.bm
        bm.normal_update()
        for face in bm.faces:
            face.smooth = True
        for edge in bm.edges:
            if len(edge.link_faces) == 2:
                f0, f1 = edge.link_faces
                edge.smooth = f0.normal.angle(f1.normal, 0.0) < SHARP_ANGLE
            else:
                edge.smooth = False
        mesh = bpy.data.meshes.new(name or self.name)
        bm.to_mesh(mesh)
        bm.free()
        for material in self.materials:
            mesh.materials.append(material)
        obj = bpy.data.objects.new(name or self.name, mesh)
        collection.objects.link(obj)
        return obj


def _box_uv(face, inverse: Matrix, uv_layer) -> None:
    n = (inverse.to_3x3() @ face.normal)
    axis = max(range(3), key=lambda i: abs(n[i]))
    u_axis, v_axis = [(1, 2), (0, 2), (0, 1)][axis]
    for loop in face.loops:
        local = inverse @ loop.vert.co
        loop[uv_layer].uv = (local[u_axis], local[v_axis])


def _cylinder_uv(face, inverse: Matrix, uv_layer) -> None:
    locals_ = [inverse @ loop.vert.co for loop in face.loops]
    centre = sum(locals_, Vector()) / len(locals_)
    if abs(face.normal.normalized().dot(Vector((0, 0, 1)))) > 0.99 and len(locals_) > 4:
        for loop, local in zip(face.loops, locals_):  # flat cap: planar
            loop[uv_layer].uv = (local.x, local.y)
        return
    ref = math.atan2(centre.y, centre.x)
    radius = max(sum(math.hypot(p.x, p.y) for p in locals_) / len(locals_), 1e-3)  # straight seams on cones
    for loop, local in zip(face.loops, locals_):
        angle = math.atan2(local.y, local.x)
        angle = ref + (angle - ref + math.pi) % (2 * math.pi) - math.pi  # unwrap across the seam
        loop[uv_layer].uv = (angle * radius, local.z)


def _transport_frames(pts, closed):
    tangents = []
    for i, p in enumerate(pts):
        prev_p = pts[i - 1] if (i > 0 or closed) else p
        next_p = pts[(i + 1) % len(pts)] if (i < len(pts) - 1 or closed) else p
        tangents.append((next_p - prev_p).normalized())
    t0 = tangents[0]
    helper = Vector((0, 0, 1)) if abs(t0.z) < 0.9 else Vector((1, 0, 0))
    n = t0.cross(helper).normalized()
    frames = []
    for t in tangents:
        n = (n - n.dot(t) * t).normalized()
        frames.append((n, t.cross(n)))
    return frames


def placed(location=(0, 0, 0), direction=(0, 0, 1), roll: float = 0.0) -> Matrix:
    """A matrix moving local +Z onto `direction` at `location` (primitives are built along Z)."""
    d = Vector(direction).normalized()
    rotation = Vector((0, 0, 1)).rotation_difference(d).to_matrix().to_4x4()
    return Matrix.Translation(location) @ rotation @ Matrix.Rotation(roll, 4, "Z")
