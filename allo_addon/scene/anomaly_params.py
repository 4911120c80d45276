"""Apply a kind's config parameters (core/dataset/anomaly_params.py) to a freshly built or copied anomaly."""

from __future__ import annotations

from mathutils import Matrix

from ..core.dataset.anomaly_params import AnomalyParams
from ..core.dataset.seeds import keyed_rng


def drawn_size(params: AnomalyParams, kind: str, seed: int) -> float | None:
    """The job's size in metres, from the kind's [min, max] and the job's anomaly seed."""
    if params.size is None:
        return None
    low, high = params.size
    return keyed_rng("size", kind, seed).uniform(low, high)


def apply_params(obj, kind: str, params: AnomalyParams, seed: int, surface: bool) -> None:
    """Resize the mesh (surface kinds only across the hull: their thickness stays) and set the
    material overrides. The mesh and materials are this job's own (add_anomaly builds or copies)."""
    size = drawn_size(params, kind, seed)
    if size is not None:
        dims = obj.dimensions
        current = max(dims.x, dims.y) if surface else max(dims)
        if current > 0:
            f = size / current
            obj.data.transform(Matrix.Diagonal((f, f, 1.0 if surface else f, 1.0)))
            obj.data.update()
    for node in principled_nodes(obj):
        if params.colour is not None:
            node.inputs["Base Color"].default_value = (*params.colour, 1.0)
        if params.roughness is not None:
            node.inputs["Roughness"].default_value = params.roughness
        if params.metallic is not None:
            node.inputs["Metallic"].default_value = params.metallic


def principled_nodes(obj):
    """Every Principled BSDF in the object's materials."""
    for slot in obj.material_slots:
        material = slot.material
        if material and material.node_tree:
            for node in material.node_tree.nodes:
                if node.type == "BSDF_PRINCIPLED":
                    yield node
