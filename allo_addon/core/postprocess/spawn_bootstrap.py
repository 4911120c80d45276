"""Run (runpy.run_path, by pool.py) in a spawned worker before it unpickles its first job: make
the packages above ours importable, as Blender does for extensions, so that
`bl_ext.user_default.allo.core.postprocess.worker` imports in a plain Python.

Globals given by the caller: PACKAGE ("bl_ext.user_default.allo") and PACKAGE_DIR (its folder).
Only standard-library imports here: this runs before the package itself can be imported.
"""

import sys
import types


def make_importable(package: str, package_dir: str) -> None:
    """Namespace modules for every parent of `package`; the nearest one searches the folder
    that holds `package_dir` (Blender's extension repository folder)."""
    from pathlib import Path
    parents = package.split(".")[:-1]
    for depth in range(1, len(parents) + 1):
        name = ".".join(parents[:depth])
        if name in sys.modules:
            continue
        module = types.ModuleType(name)
        module.__path__ = [str(Path(package_dir).parent)] if depth == len(parents) else []
        sys.modules[name] = module
        if depth > 1:
            setattr(sys.modules[".".join(parents[:depth - 1])], parents[depth - 1], module)


if "PACKAGE" in globals():
    make_importable(globals()["PACKAGE"], globals()["PACKAGE_DIR"])
