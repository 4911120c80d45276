"""exp_<N>/manifest.jsonl: one JSON record per written image, appended after its files exist.

Reading is the same for every reader (the renderer resuming, the post-process, the gallery,
the dataset browser) and for both kinds of manifest.jsonl: an exp folder's, read_records(), and
a post-processed split folder's, read_file(path, SAMPLES) (core/postprocess/output_manifest.py).
A line ends with its newline, so the bytes after the last newline are a torn line, left by a
writer killed while appending (or being appended right now): they are skipped, unless they
already are a whole record that only lost its newline. Any other line that is not a
JSON object with an "image" path means a damaged file, and the error names the line.

Writing (ManifestWriter, the renderer): a record is one write() of a whole line to the file
opened with O_APPEND, under the exp's lock (core/file_lock.py, held for that write only), so
renders sharing the exp never interleave lines. With the lock held nobody else is appending, so
a last line without its newline is torn for good: the writer removes it (or completes a whole
record) before it appends, and it appends nothing for an image that is already recorded.

Sharded runs (the cluster case: many hosts, one shared folder, where O_APPEND is not atomic on
NFS) never append to a shared file: each process records into its own part,
exp_<N>/manifest.d/<process token>.jsonl, and at the end of its run folds every part into
manifest.jsonl (merge(); also `python -m allo_addon.headless merge`). Readers see the parts
before they are folded: read_records() gives manifest.jsonl and the parts as one list, one
record per image, ordered by image path, which is exactly what manifest.jsonl holds once they
are folded; so the same images give the same list however the shards were timed. Without
parts (an unsharded run) nothing changes: manifest.jsonl, appended in render order.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..atomic_files import write_atomic, write_text
from ..errors import UserError
from ..file_lock import locked
from .layout import MANIFEST, MANIFEST_PARTS, lock_file, partial_dir

NAME = MANIFEST        # the file names, from core/dataset/layout.py
PARTS = MANIFEST_PARTS  # one <writer>.jsonl per sharded process, until merge() folds them
BINARY = getattr(os, "O_BINARY", 0)   # Windows: no newline translation, offsets are bytes
# what a line of each kind of manifest is, and what a user does about a damaged one
RENDERS = ("render record", "delete that line and render again: its image is rendered anew")
SAMPLES = ("sample record", "delete that line and post-process its exp again: its samples "
                            "are written anew")


def read_records(exp_dir: Path) -> list[dict]:
    """Every record of exp_dir: manifest.jsonl in file order, or, while parts are there, its
    records and theirs by image path (what merge() will write); [] when there is none."""
    exp_dir = Path(exp_dir)
    parts = part_files(exp_dir)   # first: merge() writes manifest.jsonl before it deletes them
    from_parts = [record for path in parts for record in _records(path)]
    records = _records(exp_dir / NAME)
    return _merged(records + from_parts) if parts else records


def read_file(path: Path, kind=RENDERS) -> list[dict]:
    """The records of one manifest file, in file order, read by the rules above; [] when there
    is none. kind: RENDERS (exp_<N>/manifest.jsonl) or SAMPLES (a split folder's)."""
    return _records(Path(path), kind=kind)


def part_files(exp_dir: Path) -> list[Path]:
    """The manifest parts of exp_dir, by name."""
    try:
        return sorted((Path(exp_dir) / PARTS).glob("*.jsonl"))
    except OSError:
        return []


def merge(exp_dir: Path, log=None) -> int:
    """Fold the parts into manifest.jsonl (replaced in one rename, ordered by image path) and
    delete them; the number of records it then holds, 0 when there were no parts (and
    manifest.jsonl is left as it is). Under the exp's lock, so no writer appends meanwhile;
    a writer still running recreates its part at its next record."""
    exp_dir = Path(exp_dir)
    log = log or (lambda line: None)
    if not part_files(exp_dir):
        return 0
    partial_dir(exp_dir).mkdir(parents=True, exist_ok=True)
    with locked(lock_file(exp_dir)):
        parts = part_files(exp_dir)
        if not parts:
            return 0   # another writer folded them while we waited for the lock
        records = _records(exp_dir / NAME, log)
        for path in parts:
            records += _records(path, log)
        merged = _merged(records)
        data = b"".join(_line(record) for record in merged)   # bytes: no newline translation
        write_atomic(exp_dir / NAME, lambda temporary: Path(temporary).write_bytes(data))
        write_text(_generation_file(exp_dir), f"{_generation(exp_dir) + 1}\n")
        for path in parts:
            path.unlink(missing_ok=True)
        try:
            (exp_dir / PARTS).rmdir()
        except OSError:
            pass   # not empty: something else is in there; keep it
    log(f"merged {len(parts)} manifest part(s) into {exp_dir / NAME}: {len(merged)} records")
    return len(merged)


def _generation_file(exp_dir: Path) -> Path:
    return partial_dir(exp_dir) / "merges"   # how many merges replaced manifest.jsonl


def _generation(exp_dir: Path) -> int:
    try:
        return int(_generation_file(exp_dir).read_text())
    except (OSError, ValueError):
        return 0


def _records(path: Path, log=None, kind=RENDERS) -> list[dict]:
    """The records of one file; a torn last line is skipped (and logged, if log is given)."""
    data = _read(path, 0)
    records, used, _ = _complete_lines(data, path, 1, kind)
    tail = _whole_tail(data, path, kind)
    if log and used < len(data) and not tail and data[used:].strip():
        log(f"dropped a torn last line of {path} ({len(data) - used} bytes, left by a render "
            f"killed while appending); its image is rendered again")
    return records + ([tail] if tail else [])


def _merged(records: list[dict]) -> list[dict]:
    """One record per image (the last one read, as the post-process keeps), by image path."""
    by_image = {record["image"]: record for record in records}
    return [by_image[image] for image in sorted(by_image)]


def _line(record: dict) -> bytes:
    return (json.dumps(record, sort_keys=True, allow_nan=False) + "\n").encode()


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

    def __init__(self, exp_dir: Path, log=None, part: str | None = None):
        """part: this writer's own part, manifest.d/<part>.jsonl (sharded runs); None: append
        to manifest.jsonl."""
        self.exp = Path(exp_dir)
        self.path = self.exp / NAME if part is None else self.exp / PARTS / f"{part}.jsonl"
        self.log = log or (lambda line: None)
        self.recorded: set[str] = set()
        self.finished: set[str] = set()   # recorded, with all files present
        # per file read: (bytes read so far (always at a line's start), next line number)
        self._read_to: dict[Path, tuple[int, int]] = {}
        self._generation: int | None = None   # merges seen (None: nothing read yet)

    def refresh(self) -> set[str]:
        """Take in what other writers recorded since; the finished images. The first look
        reads every file from its start (and writes nothing: the manifest may be damaged);
        later ones read what was added, under the exp's lock so that no merge() runs meanwhile."""
        if self._generation is None:
            self._take_in_all()
            return self.finished
        partial_dir(self.exp).mkdir(parents=True, exist_ok=True)
        with locked(lock_file(self.exp)):
            self._take_in_all()
        return self.finished

    def _take_in_all(self) -> None:
        generation = _generation(self.exp)
        if generation != self._generation:
            # files were replaced (a fresh part may even reuse a deleted part's inode): read
            # them again from the start; records only add to the sets, so twice is harmless
            self._read_to = {}
            self._generation = generation
        for path in part_files(self.exp) + [self.exp / NAME]:   # parts first, as read_records
            self._take_in(path)

    def _take_in(self, path: Path) -> None:
        offset, number = self._read_to.get(path, (0, 1))
        data = _read(path, offset)
        records, used, number = _complete_lines(data, path, number)
        self._read_to[path] = (offset + used, number)
        tail = _whole_tail(data, path)
        for record in records + ([tail] if tail else []):
            self._add(record)

    def append(self, record: dict) -> bool:
        """Append record unless its image is recorded already; whether it was appended."""
        line = _line(record)
        partial_dir(self.exp).mkdir(parents=True, exist_ok=True)
        with locked(lock_file(self.exp)):
            self.path.parent.mkdir(exist_ok=True)   # under the lock: merge() removes manifest.d/
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT | BINARY, 0o644)
            try:
                self._repair(fd)
                self._take_in_all()
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


def _complete_lines(data: bytes, path: Path, number: int,
                    kind=RENDERS) -> tuple[list[dict], int, int]:
    """(records of the lines that end with a newline, bytes they take, next line number)."""
    end = data.rfind(b"\n") + 1
    records = []
    for raw in data[:end].split(b"\n")[:-1]:
        if raw.strip():
            records.append(_parse(raw, path, number, kind))
        number += 1
    return records, end, number


def _whole_tail(data: bytes, path: Path, kind=RENDERS) -> dict | None:
    """The bytes after the last newline as a record, if they are a whole one; else None."""
    tail = data[data.rfind(b"\n") + 1:]
    if not tail.strip():
        return None
    try:
        return _parse(tail, path, 0, kind)
    except UserError:
        return None   # torn: its image is not recorded


def _parse(raw: bytes, path: Path, number: int, kind=RENDERS) -> dict:
    try:
        record = json.loads(raw.decode("utf-8"), parse_constant=_not_json)
    except (UnicodeDecodeError, ValueError) as error:
        raise _damaged(path, number, error, kind) from None
    if not isinstance(record, dict):
        raise _damaged(path, number, f"a JSON {type(record).__name__}, not an object", kind)
    if not isinstance(record.get("image"), str) or not record["image"]:
        raise _damaged(path, number, "no 'image' path", kind)
    return record


def _not_json(constant: str):
    raise ValueError(f"{constant} is not a JSON number")


def _damaged(path: Path, number: int, why, kind=RENDERS) -> UserError:
    what, remedy = kind
    return UserError(f"{path}: line {number} is not a {what} ({why}); expected one JSON "
                     f"object with an 'image' key per line ({remedy})")


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
