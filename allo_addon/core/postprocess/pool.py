"""The post-process's worker processes: how they start, and how they import this package.

- fork on Linux: fast, and it needs no importable `__main__`, which Blender lacks.
- spawn elsewhere: macOS's system libraries are not fork-safe (Python itself defaults to spawn
  there) and Windows has no fork. A spawned worker is a fresh Python that imports the worker
  function by its module's name; inside Blender that name is `bl_ext.<repo>.allo.…`, and
  `bl_ext` exists only in Blender's own process, so each worker first rebuilds the packages
  above ours (spawn_bootstrap.py, run by the standard library's runpy before any job arrives).
"""

import multiprocessing
import runpy
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

BOOTSTRAP = Path(__file__).with_name("spawn_bootstrap.py")
# this package's top-level name as imported here: "allo_addon", or "bl_ext.user_default.allo"
PACKAGE = __name__.rsplit(".core.postprocess.pool", 1)[0]


def start_method(platform: str = sys.platform) -> str:
    return "fork" if platform.startswith("linux") else "spawn"


def process_pool(workers: int) -> ProcessPoolExecutor:
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
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method),
                               initializer=initializer, initargs=initargs)
