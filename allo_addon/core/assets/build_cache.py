"""Where built things are kept between processes, and the key that says they are current.

The built-in station and bodies take ~1.3 s to build from Python and depend on nothing but the
add-on's code and data files and the Blender version; a shard on a cluster built them again at
every start. scene/builtin/scene_cache.py keeps them as a .blend named by `code_key()`, so any
change to the add-on's files (or another Blender) builds afresh; a stale file is never read.

Folder: $ALLO_CACHE_DIR, else $XDG_CACHE_HOME/allo, else ~/.cache/allo. ALLO_CACHE_DIR=off
(or an empty value) turns the cache off. Files are written under a temporary name and renamed,
so shards that start together on a shared folder never read half a file.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]
# what a built scene can depend on: the code and the data files it reads
KEYED_SUFFIXES = (".py", ".png", ".csv", ".npz", ".toml")


def cache_folder(environ=None) -> Path | None:
    environ = os.environ if environ is None else environ
    chosen = environ.get("ALLO_CACHE_DIR")
    if chosen is not None:
        return None if chosen.strip().lower() in ("", "off", "0", "no") else Path(chosen)
    base = environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "allo"


def code_key(*extra: str, package: Path = PACKAGE) -> str:
    """A digest of every code and data file of the package (names and bytes), its location
    (built scenes refer to data files by path) and `extra` (e.g. Blender's version)."""
    digest = hashlib.sha256(str(package).encode())
    for path in sorted(p for p in package.rglob("*") if p.suffix in KEYED_SUFFIXES
                       and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(package)).encode() + b"\0")
        digest.update(path.read_bytes())
    for part in extra:
        digest.update(b"\0" + part.encode())
    return digest.hexdigest()[:20]
