"""Post-process: verify renders and write the Anomalib layout (pure Python: numpy + Pillow).

Call postprocess(PostprocessRequest(...)) -> Summary. Nothing here imports bpy.

The names below load on first use (PEP 562): the add-on's properties import
core.postprocess.options at registration, and importing run.py there (Pillow,
multiprocessing, concurrent.futures) cost every render process ~0.1 s before its first image.
"""

from importlib import import_module

_HOMES = {"PostprocessRequest": "run", "Summary": "run", "postprocess": "run",
          "combine_masks": "masks", "ground_truth": "masks"}

__all__ = list(_HOMES)


def __getattr__(name):
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{home}", __name__), name)
    globals()[name] = value
    return value
