"""Scratch folders: exp_<N>/.partial/run-<process token>/, where one process renders its files
before they are renamed into place (scene/batch.py).

The name says which process owns the folder (processes.ProcessId.token(): pid, host, PID
namespace, start mark). A new run removes the folders of processes that are gone (a crash,
kill -9) but only where it can tell (processes.gone): this host rebooted since, or same host
and PID namespace and the pid not running (or running as another process, by its start
mark). Folders of another host, or of another PID
namespace on this host (a container, `unshare --pid`), are left alone: their pids mean
nothing here, and one of them may be rendering right now into a shared output folder.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from ..dataset.layout import PARTIAL
from .processes import ProcessId, current, gone, is_running, this_host

PREFIX = "run-"


def scratch_dir(exp: Path) -> Path:
    """This process's scratch folder (not created); dead ones we can check are removed."""
    root = Path(exp) / PARTIAL
    for old in root.glob(f"{PREFIX}*"):
        if _abandoned(old.name[len(PREFIX):]):
            shutil.rmtree(old, ignore_errors=True)
    return root / f"{PREFIX}{current().token()}"


def _abandoned(name: str) -> bool:
    owner = ProcessId.from_token(name)
    if owner is not None:
        return gone(owner)
    # run-<pid>@<host> (or run-<pid>): named by an older version, which checked only the pid
    pid, _, host = name.partition("@")
    return host in (this_host(), "") and pid.isdigit() and not is_running(int(pid))
