"""Write files so that a reader never sees half of one.

Every output goes to a hidden temporary name in the destination folder and is renamed into
place with os.replace (atomic on one file system). The temporary name ends in `.tmp`, so tools
that glob for `*.png` (Anomalib's Folder among them) never pick one up, even after a crash.
"""

import os
import shutil
from pathlib import Path


def _temporary_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def write_atomic(path, write) -> None:
    """Call write(temporary_path), then rename the result to path."""
    path = Path(path)
    temporary = _temporary_name(path)
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()


def write_text(path, text: str) -> None:
    write_atomic(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


def copy_file(source, destination) -> None:
    write_atomic(destination, lambda tmp: shutil.copyfile(source, tmp))


def save_png(image, path, compress_level: int = 6, **options) -> None:
    """Save a Pillow image as PNG (format given explicitly: the temporary name ends in .tmp)."""
    write_atomic(path, lambda tmp: image.save(tmp, format="PNG", compress_level=compress_level,
                                              **options))
