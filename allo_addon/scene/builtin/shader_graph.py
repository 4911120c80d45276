"""A thin helper for writing node materials as short, readable code.

Sockets are addressed by index where Blender renamed them between 4.2 and 5.0 (texture
"Fac" became "Factor"), by identifier on the Mix node (scene/compat.py), and by name elsewhere.
"""

from __future__ import annotations

import math

import bpy

from .. import compat

BUILTIN_TAG = "allo_builtin"


class ShaderGraph:
    def __init__(self, name: str):
        self.material = bpy.data.materials.new(name)
        compat.use_nodes(self.material)
        self.material[BUILTIN_TAG] = name
        self.tree = self.material.node_tree
        self.bsdf = next(n for n in self.tree.nodes if n.type == "BSDF_PRINCIPLED")
        self.output = next(n for n in self.tree.nodes if n.type == "OUTPUT_MATERIAL")

    def node(self, type_name: str, inputs: dict | None = None, **props):
        node = self.tree.nodes.new(type_name)
        for key, value in props.items():
            setattr(node, key, value)
        for key, value in (inputs or {}).items():
            socket = node.inputs[key]
            if isinstance(value, bpy.types.NodeSocket):
                self.tree.links.new(value, socket)
            else:
                socket.default_value = value
        return node

    def link(self, from_socket, to_socket) -> None:
        self.tree.links.new(from_socket, to_socket)

    def set(self, **values) -> None:
        """Principled BSDF inputs by name with spaces as underscores: base_color=(…), roughness=…"""
        for key, value in values.items():
            socket = self.bsdf.inputs[key.replace("_", " ").title().replace("Ior", "IOR")]
            if isinstance(value, bpy.types.NodeSocket):
                self.link(value, socket)
            else:
                socket.default_value = value

    # ---- common building blocks ----
    def coords(self, kind: str = "UV"):
        return self.node("ShaderNodeTexCoord").outputs[kind]

    def noise(self, vector, scale: float, detail: float = 2.0, roughness: float = 0.5):
        return self.node("ShaderNodeTexNoise", {"Vector": vector, "Scale": scale,
                                                "Detail": detail, "Roughness": roughness}).outputs[0]

    def ramp(self, factor, stops):
        """Colour ramp: stops = [(position, (r, g, b)), …] (2 or more)."""
        node = self.node("ShaderNodeValToRGB", {0: factor})
        elements = node.color_ramp.elements
        while len(elements) < len(stops):
            elements.new(0.5)
        for element, (position, rgb) in zip(elements, stops):
            element.position = position
            element.color = (*rgb, 1.0)
        return node.outputs[0]

    def mix_color(self, factor, a, b):
        """Linear blend of two colours (sockets or RGBA tuples)."""
        node = self.node("ShaderNodeMix", data_type="RGBA", clamp_factor=True)
        for key, value in (("factor", factor), ("a", a), ("b", b)):
            socket = compat.socket(node.inputs, compat.MIX_COLOR_SOCKETS[key])
            if isinstance(value, bpy.types.NodeSocket):
                self.link(value, socket)
            else:
                socket.default_value = value
        return compat.socket(node.outputs, compat.MIX_COLOR_SOCKETS["result"])

    def scalar_ramp(self, factor, low: float, high: float, from_min=0.0, from_max=1.0):
        return self.node("ShaderNodeMapRange", {0: factor, 1: from_min, 2: from_max, 3: low,
                                                4: high}).outputs[0]

    def math(self, operation: str, a, b=0.0):
        return self.node("ShaderNodeMath", {0: a, 1: b}, operation=operation).outputs[0]

    def bump(self, height, strength: float, distance: float = 0.01, normal=None):
        inputs = {"Height": height, "Strength": strength, "Distance": distance}
        if normal is not None:
            inputs["Normal"] = normal
        return self.node("ShaderNodeBump", inputs).outputs[0]

    def seams(self, vector, width: float, height: float, line: float):
        """1 on the lines of a rectangular grid of cells (width × height metres), else 0."""
        return self.tiles(vector, width, height, line)[0]

    def tiles(self, vector, width: float, height: float, line: float, smooth: float = 0.3):
        """(lines, tone) of a grid of cells: lines as in seams(); tone a random 0..1 per cell,
        for tiles or blanket panels that differ slightly from their neighbours. A wide `line`
        with smooth=1 ramps from the cell's middle to its edge: quilted pillows."""
        brick = self.node("ShaderNodeTexBrick", {"Vector": vector, "Scale": 1.0, "Mortar Size": line,
                                                 "Mortar Smooth": smooth, "Brick Width": width,
                                                 "Row Height": height, "Color1": (0, 0, 0, 1),
                                                 "Color2": (1, 1, 1, 1), "Bias": 0.0},
                          offset=0.0, squash=1.0)
        return brick.outputs[1], brick.outputs[0]

    def facets(self, vector, scale: float, tilt: float):
        """A normal made of randomly tilted flat facets (Voronoi cells, `scale` per unit): the
        crumpled look of foil, each facet catching the sun on its own."""
        cells = self.node("ShaderNodeTexVoronoi", {"Vector": vector, "Scale": scale}).outputs["Color"]
        offset = self._vector_math("SUBTRACT", cells, (0.5, 0.5, 0.5))
        normal = self.node("ShaderNodeNewGeometry").outputs["Normal"]
        tilted = self._vector_math("ADD", normal, self._vector_math("SCALE", offset, scale=tilt))
        return self._vector_math("NORMALIZE", tilted)

    def _vector_math(self, operation: str, a, b=(0.0, 0.0, 0.0), scale: float = 1.0):
        return self.node("ShaderNodeVectorMath", {0: a, 1: b, 3: scale}, operation=operation).outputs[0]

    # ---- maps on the unit spheres (Moon, Earth): +X = longitude 0, +Y = 90°E, +Z = north ----
    def lon_lat(self, vector):
        """(u, latitude, 0): u = 0 at 180°W … 1 at 180°E; latitude -1 (south pole) … 1 (north)."""
        unit = self.node("ShaderNodeVectorMath", {0: vector}, operation="NORMALIZE").outputs[0]
        xyz = self.node("ShaderNodeSeparateXYZ", {"Vector": unit}).outputs
        longitude = self.math("ARCTAN2", xyz["Y"], xyz["X"])
        latitude = self.math("ARCSINE", self.node("ShaderNodeClamp", {"Value": xyz["Z"], "Min": -1.0,
                                                                      "Max": 1.0}).outputs[0])
        u = self.math("ADD", self.math("DIVIDE", longitude, 2.0 * math.pi), 0.5)
        v = self.math("DIVIDE", latitude, math.pi / 2.0)
        return self.node("ShaderNodeCombineXYZ", {"X": u, "Y": v}).outputs[0]

    def equirect_texture(self, lon_lat, image):
        """Image Texture of an equirectangular map (first row = south) at lon_lat's point:
        u wraps, v is clamped half a pixel inside the poles (no bleed from the other pole)."""
        half_pixel = 0.5 / image.size[1]
        xyz = self.node("ShaderNodeSeparateXYZ", {"Vector": lon_lat}).outputs
        v = self.node("ShaderNodeMapRange", {0: xyz["Y"], 1: -1.0, 2: 1.0, 3: half_pixel,
                                             4: 1.0 - half_pixel}).outputs[0]
        uv = self.node("ShaderNodeCombineXYZ", {"X": xyz["X"], "Y": v}).outputs[0]
        return self.node("ShaderNodeTexImage", {"Vector": uv}, image=image, interpolation="Linear",
                         extension="REPEAT")
