"""exp_<N>/manifest.jsonl: one JSON record per written image, appended after its files exist.

Reading is the same for every reader (the renderer resuming, the post-process, the gallery):
read_records(). A line ends with its newline, so the bytes after the last newline are a torn
line, left by a writer killed while appending (or being appended right now): they are skipped,
unless they already are a whole record that only lost its newline. Any other line that is not a
JSON object with an "image" path means a damaged file, and the error names the line.

Writing (ManifestWriter, the renderer): a record is one write() of a whole line to the file
opened with O_APPEND, under the exp's lock (core/file_lock.py, held for that write only), so
renders sharing the exp never interleave lines. With the lock held nobody else is appending, so
a last line without its newline is torn for good: the writer removes it (or completes a whole
record) before it appends, and it appends nothing for an image that is already recorded.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .errors import UserError
from .file_lock import locked
from .layout import lock_file, partial_dir

NAME = "manifest.jsonl"
BINARY = getattr(os, "O_BINARY", 0)   # Windows: no newline translation, offsets are bytes


def read_records(exp_dir: Path) -> list[dict]:
    """Every record of exp_dir/manifest.jsonl in file order; [] when there is none."""
    path = Path(exp_dir) / NAME
    data = _read(path, 0)
    records, _, _ = _complete_lines(data, path, 1)
    tail = _whole_tail(data, path)
    return records + ([tail] if tail else [])


def finished_images(exp_dir: Path) -> set[str]:
    """Images (paths relative to exp_dir) that are recorded and whose files are all there."""
    exp_dir = Path(exp_dir)
    return {r["image"] for r in read_records(exp_dir) if files_present(exp_dir, r)}


def files_present(exp_dir: Path, record: dict) -> bool:
    masks = record.get("masks")
    files = [record["image"]] + (list(masks.values()) if isinstance(masks, dict) else [])
    return all(isinstance(f, str) and (exp_dir / f).is_file() for f in files)


class ManifestWriter:
    """A renderer's view of the manifest: what is recorded and finished, kept current by
    reading only what was appended since the last look, and append() for new records."""

    def __init__(self, exp_dir: Path, log=None):
        self.exp = Path(exp_dir)
        self.path = self.exp / NAME
        self.log = log or (lambda line: None)
        self.recorded: set[str] = set()
        self.finished: set[str] = set()   # recorded, with all files present
        self._offset = 0                  # bytes read so far (always at a line's start)
        self._line = 1                    # number of the next line

    def refresh(self) -> set[str]:
        """Take in what other writers appended since; the finished images."""
        data = _read(self.path, self._offset)
        records, used, self._line = _complete_lines(data, self.path, self._line)
        self._offset += used
        tail = _whole_tail(data, self.path)
        for record in records + ([tail] if tail else []):
            self._add(record)
        return self.finished

    def append(self, record: dict) -> bool:
        """Append record unless its image is recorded already; whether it was appended."""
        line = (json.dumps(record, sort_keys=True, allow_nan=False) + "\n").encode()
        partial_dir(self.exp).mkdir(parents=True, exist_ok=True)
        with locked(lock_file(self.exp)):
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT | BINARY, 0o644)
            try:
                self._repair(fd)
                self.refresh()
                if record["image"] in self.recorded:
                    return False
                os.write(fd, line)
            finally:
                os.close(fd)
        self._add(record)
        return True

    def _add(self, record: dict) -> None:
        self.recorded.add(record["image"])
        if files_present(self.exp, record):
            self.finished.add(record["image"])

    def _repair(self, fd: int) -> None:
        """End the file with a newline: complete a whole last record, remove a torn one."""
        size = os.fstat(fd).st_size
        start = _last_line_start(fd, size)
        if start == size:
            return
        os.lseek(fd, start, os.SEEK_SET)
        tail = os.read(fd, size - start)
        if _whole_tail(tail, self.path):
            os.write(fd, b"\n")
            return
        os.ftruncate(fd, start)
        self.log(f"removed a torn last line from {self.path} ({size - start} bytes, left by a "
                 f"render killed while appending); its image is rendered again")


def _read(path: Path, offset: int) -> bytes:
    try:
        with open(path, "rb") as handle:
            handle.seek(offset)
            return handle.read()
    except (FileNotFoundError, NotADirectoryError):   # no manifest (or no exp folder) yet
        return b""
    except OSError as error:
        raise UserError(f"cannot read {path}: {error.strerror or error}") from None


def _complete_lines(data: bytes, path: Path, number: int) -> tuple[list[dict], int, int]:
    """(records of the lines that end with a newline, bytes they take, next line number)."""
    end = data.rfind(b"\n") + 1
    records = []
    for raw in data[:end].split(b"\n")[:-1]:
        if raw.strip():
            records.append(_parse(raw, path, number))
        number += 1
    return records, end, number


def _whole_tail(data: bytes, path: Path) -> dict | None:
    """The bytes after the last newline as a record, if they are a whole one; else None."""
    tail = data[data.rfind(b"\n") + 1:]
    if not tail.strip():
        return None
    try:
        return _parse(tail, path, 0)
    except UserError:
        return None   # torn: its image is not recorded


def _parse(raw: bytes, path: Path, number: int) -> dict:
    try:
        record = json.loads(raw.decode("utf-8"), parse_constant=_not_json)
    except (UnicodeDecodeError, ValueError) as error:
        raise _damaged(path, number, error) from None
    if not isinstance(record, dict):
        raise _damaged(path, number, f"a JSON {type(record).__name__}, not an object")
    if not isinstance(record.get("image"), str) or not record["image"]:
        raise _damaged(path, number, "no 'image' path")
    return record


def _not_json(constant: str):
    raise ValueError(f"{constant} is not a JSON number")


def _damaged(path: Path, number: int, why) -> UserError:
    return UserError(f"{path}: line {number} is not a render record ({why}); expected one JSON "
                     f"object with an 'image' key per line (delete that line and render again: "
                     f"its image is rendered anew)")


def _last_line_start(fd: int, size: int) -> int:
    """Offset just after the last newline of the file (0 if it has none)."""
    position = size
    while position > 0:
        step = min(65536, position)
        position -= step
        os.lseek(fd, position, os.SEEK_SET)
        found = os.read(fd, step).rfind(b"\n")
        if found >= 0:
            return position + found + 1
    return 0
