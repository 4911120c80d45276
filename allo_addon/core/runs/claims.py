"""Claims: which process renders which job of an exp_<N>, so that renders sharing one exp (an
unsharded run beside a shard run, a second terminal, a requeued cluster job) never render or
record an image twice, and need no lock while they render.

Before it renders a job a writer creates exp_<N>/.partial/claims/<job>.claim with
O_CREAT|O_EXCL (atomic, also on NFS), holding its host, pid, start mark, PID namespace and the
time, and it removes the file once the job's last record is in the manifest. A writer that
finds a claim
- skips the job while its holder runs (same host and PID namespace, live process);
- takes it over when the holder is dead there (a crash, kill -9), so resuming works;
- skips the job when the holder is on another host or in another PID namespace (a container,
  `unshare --pid`), whose pids mean nothing here: the caller logs which file to delete once
  that run is known to be gone.
Claims are created, taken over and released under the exp's lock, held for a few file
operations: two writers never both take over one dead claim, and nobody reads half a claim.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from ..dataset.layout import claims_dir, lock_file
from ..file_lock import locked
from .processes import ProcessId, checkable, current, gone, same_process

SUFFIX = ".claim"
_HELD: set[Path] = set()   # claims this process holds now (a GUI run and a script run may share it)


@dataclass(frozen=True)
class Holder:
    """Someone else's claim on a job."""

    process: ProcessId
    since: str
    path: Path

    @property
    def elsewhere(self) -> bool:
        return not checkable(self.process)

    def describe(self) -> str:
        return self.process.describe()


@dataclass(frozen=True)
class Claim:
    """Our claim on a job; release() once its images are recorded (or the run stops)."""

    exp: Path
    path: Path
    process: ProcessId

    def release(self) -> None:
        with locked(lock_file(self.exp)):
            holder = _read(self.path)
            if holder is not None and same_process(holder.process, self.process):
                self.path.unlink()
        _HELD.discard(self.path)


def claim(exp: Path, job_id: str) -> Claim | Holder:
    """Our Claim on job_id, or the Holder of a live (or unverifiable) claim to respect."""
    folder = claims_dir(exp)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{job_id}{SUFFIX}"
    me = current()
    with locked(lock_file(exp)):
        holder = _read(path) if path.exists() else None
        if holder is not None and _respected(holder, me):
            return holder
        path.unlink(missing_ok=True)   # a dead holder's claim (or half of one): taken over
        _create(path, me)
    _HELD.add(path)
    return Claim(exp, path, me)


def _respected(holder: Holder, me: ProcessId) -> bool:
    process = holder.process
    if same_process(process, me):   # ours: held now by another run in this process, or left
        return holder.path in _HELD  # by one that ended
    return not gone(process)


def _create(path: Path, me: ProcessId) -> None:
    text = json.dumps({"host": me.host, "pid": me.pid, "started": me.started, "space": me.space,
                       "since": time.strftime("%Y-%m-%d %H:%M:%S %z")})
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                 0o644)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def _read(path: Path) -> Holder | None:
    """The holder named in path; None when it is gone or unreadable (a writer killed between
    creating and filling it: claims are only written under the lock, so no one is filling it)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        space = data.get("space")   # absent in claims of older versions: counts as ours
        process = ProcessId(str(data["host"]), int(data["pid"]), data.get("started"),
                            None if space is None else str(space))
        return Holder(process, str(data.get("since", "")), path)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def holders(exp: Path) -> list[Holder]:
    """Every claim in exp_<N> now, by job (for `status`: a camera-day that stays missing may be
    held by a render on another host that is gone)."""
    found = (_read(path) for path in sorted(claims_dir(exp).glob(f"*{SUFFIX}")))
    return [holder for holder in found if holder is not None]
