"""The post-process's worker processes: how they start, and how they import this package.

- fork on Linux: fast, and it needs no importable `__main__`, which Blender lacks.
- spawn elsewhere: macOS's system libraries are not fork-safe (Python itself defaults to spawn
  there) and Windows has no fork. A spawned worker is a fresh Python that imports the worker
  function by its module's name; inside Blender that name is `bl_ext.<repo>.allo.…`, and
  `bl_ext` exists only in Blender's own process, so each worker first rebuilds the packages
  above ours (spawn_bootstrap.py, run by the standard library's runpy before any job arrives).
  A spawned worker would also run the parent's main script again (multiprocessing does that
  for a `__main__` with a file): in Blender that is a `--python` script or the add-on's caller,
  which imports bpy, and bpy cannot be imported in a plain Python. The workers need nothing
  from it, so while they start the parent shows them a `__main__` without a file.
"""

import contextlib
import multiprocessing
import runpy
import sys
import types
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

BOOTSTRAP = Path(__file__).with_name("spawn_bootstrap.py")
# this package's top-level name as imported here: "allo_addon", or "bl_ext.user_default.allo"
PACKAGE = __name__.rsplit(".core.postprocess.pool", 1)[0]


def start_method(platform: str = sys.platform) -> str:
    return "fork" if platform.startswith("linux") else "spawn"


@contextlib.contextmanager
def process_pool(workers: int):
    """A ProcessPoolExecutor of `workers` processes, for a with-block."""
    method = start_method()
    initializer, initargs = None, ()
    if method == "fork":
        # flush first, or a child would write the parent's pending output a second time
        sys.stdout.flush()
        sys.stderr.flush()
    elif "." in PACKAGE:
        directory = Path(sys.modules[PACKAGE].__file__).parent
        initializer = runpy.run_path
        initargs = (str(BOOTSTRAP), {"PACKAGE": PACKAGE, "PACKAGE_DIR": str(directory)})
    # workers start at the first submit, inside the with-block: hide __main__ until it ends
    with _main_without_file() if method != "fork" else contextlib.nullcontext(), \
            ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method),
                                initializer=initializer, initargs=initargs) as executor:
        yield executor


@contextlib.contextmanager
def _main_without_file():
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")   # no __file__, no __spec__
    try:
        yield
    finally:
        sys.modules["__main__"] = main
