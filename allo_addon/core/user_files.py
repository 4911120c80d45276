"""Reading the files users hand us, with messages that say which file and what went wrong."""

import os
import stat
from pathlib import Path

from .errors import UserError


def read_user_text(path, what: str, max_bytes: int | None = None) -> str:
    """The text of `path`; UserError 'WHAT not found: PATH' or 'cannot read WHAT PATH: why'.

    Only a regular file is read: /dev/zero or a pipe would never end (stat first: opening a pipe
    waits for a writer). With `max_bytes`, a larger file is refused unread: it is the wrong file."""
    path = Path(path)
    try:
        mode = os.stat(path).st_mode
        if stat.S_ISDIR(mode):
            raise UserError(f"{what} {path} is a folder, expected a file")
        if not stat.S_ISREG(mode):
            raise UserError(f"{what} {path} is not a regular file")
        with open(path, "rb") as handle:
            data = handle.read(-1 if max_bytes is None else max_bytes + 1)
    except FileNotFoundError:
        raise UserError(f"{what} not found: {path}") from None
    except (OSError, ValueError) as error:   # ValueError: a NUL byte in the path
        raise UserError(f"cannot read {what} {path}: "
                        f"{getattr(error, 'strerror', None) or error}") from None
    if max_bytes is not None and len(data) > max_bytes:
        raise UserError(f"{what} {path} is larger than {max_bytes // 1024} KiB: is it the "
                        f"right file?")
    try:
        text = data.decode("utf-8-sig")   # a byte-order mark (Excel's CSVs) is not text
    except UnicodeDecodeError as error:
        raise UserError(f"cannot read {what} {path}: not UTF-8 text ({error.reason} at byte "
                        f"{error.start})") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")   # as Path.read_text gives it
