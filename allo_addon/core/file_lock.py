"""An exclusive lock on a file, held for a few file operations and released by the system if
the holder dies (a crashed process never leaves it locked).

Writers of one exp_<N> take it only while they change a claim or append a manifest line, never
while rendering, so shards running at once do not wait for each other. Network file systems
lock across hosts (NFS; Lustre mounted with `-o flock`); one that cannot lock gets a clear error.
"""

from __future__ import annotations

import errno
import os
import sys
from contextlib import contextmanager
from pathlib import Path

from .errors import UserError


@contextmanager
def locked(path: Path):
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            _lock(fd)
        except OSError as error:
            raise UserError(
                f"cannot lock {path} ({error.strerror or error}): renders sharing an exp "
                f"folder coordinate through file locks; use a file system that supports them "
                f"(a local disk, NFS with locking, Lustre mounted with -o flock)") from None
        yield
    finally:
        os.close(fd)   # closing releases the lock


if sys.platform == "win32":
    import msvcrt

    def _lock(fd: int) -> None:
        while True:   # LK_LOCK gives up after 10 s of retries; a writer only holds it briefly
            try:
                msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
                return
            except OSError as error:
                if error.errno != errno.EDEADLOCK:
                    raise
else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX)
