"""Which process made something, and whether that process still runs.

Claims and scratch folders name the process that made them (host, pid, start mark). On the
same host a dead pid means its owner crashed or was killed, so its leftovers can be taken over.
The start mark (Linux: boot id and the process's start time) tells a reused pid from the
original owner, which matters where pids are small and reused quickly (containers, clusters).
A pid only means something in its PID namespace: the "space" of a process (Linux: the inode of
its PID namespace) tells a shard in another container or under `unshare --pid` on this same
host from one of ours. A process on another host, or in another PID namespace, cannot be
checked from here: callers must leave its things alone (checkable() says which ones can be).
Hosts that share an output folder must have distinct host names (every cluster's nodes do).
"""

from __future__ import annotations

import os
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")


@dataclass(frozen=True)
class ProcessId:
    host: str
    pid: int
    started: str | None = None   # start mark; None where the system does not tell
    space: str | None = None     # PID namespace; None where unknown (no /proc, older records)

    def describe(self) -> str:
        where = f"pid {self.pid} on host {self.host}"
        if self.space is not None and self.space != pid_space():
            where += f" in another PID namespace ({self.space})"
        return where

    def token(self) -> str:
        """A file-name-safe string naming this process (scratch folders, manifest parts)."""
        started = (self.started or "-").replace(":", "+")   # ':' is not allowed on Windows
        return f"{self.pid}@{self.host}@{self.space or '-'}@{started}"

    @staticmethod
    def from_token(text: str) -> "ProcessId | None":
        """The process a token() names; None when text is not one."""
        parts = text.split("@")
        if len(parts) < 4 or not parts[0].isdigit():
            return None
        space, started = parts[-2], parts[-1]
        return ProcessId("@".join(parts[1:-2]), int(parts[0]),
                         None if started == "-" else started.replace("+", ":"),
                         None if space == "-" else space)


def this_host() -> str:
    return socket.gethostname()


def current() -> ProcessId:
    stat = _proc_stat("self")   # not os.getpid(): /proc may be another PID namespace's
    return ProcessId(this_host(), os.getpid(), _mark(stat) if stat else None, pid_space())


def pid_space() -> str | None:
    """This process's PID namespace (Linux: its inode number); None without /proc."""
    try:
        link = os.readlink(PROC / "self" / "ns" / "pid")   # "pid:[4026531836]"
    except OSError:
        return None
    return link[link.find("[") + 1:link.rfind("]")] or None


def on_this_host(process: ProcessId) -> bool:
    return process.host == this_host()


def same_process(a: ProcessId, b: ProcessId) -> bool:
    """a and b name one process (an unknown space matches any, as in checkable())."""
    return (a.host, a.pid, a.started) == (b.host, b.pid, b.started) and \
        (a.space is None or b.space is None or a.space == b.space)


def checkable(process: ProcessId) -> bool:
    """Whether process's pid can be looked up here: the same host and PID namespace. An unknown
    space (records made before spaces were recorded, systems without /proc) counts as ours, as
    it always did."""
    if not on_this_host(process):
        return False
    here = pid_space()
    return process.space is None or here is None or process.space == here


def gone(process: ProcessId) -> bool:
    """Whether process is known to have ended: this host has rebooted since it started (its
    start mark names another boot, whatever its namespace), or it is checkable and not
    running. A process of another host, or of another live namespace, is never known gone."""
    if not on_this_host(process):
        return False
    boot = _boot_id()
    if process.started and boot and process.started.rpartition(":")[0] not in ("", boot):
        return True
    return checkable(process) and not is_running(process.pid, process.started)


def is_running(pid: int, started: str | None = None) -> bool:
    """Whether pid is a live process of this host (and, if started is given, the same one)."""
    if not isinstance(pid, int) or pid <= 0:   # 0 and negatives address process groups
        return False
    if sys.platform == "win32":
        return _windows_running(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass   # it exists, owned by another user
    stat = _proc_stat(pid) if _own_proc() else None
    if stat is None:
        return True   # no /proc (macOS), or another namespace's: the pid is all we can check
    if stat[0] in ("Z", "X"):   # killed, not yet collected by its parent
        return False
    return started is None or started == _mark(stat)


def start_mark(pid: int) -> str | None:
    stat = _proc_stat(pid) if _own_proc() else None
    return _mark(stat) if stat else None


def _own_proc() -> bool:
    """Whether /proc shows our PID namespace (not so under `unshare --pid` without remounting
    it: there /proc/<pid> is the parent namespace's process of that number)."""
    seen = _proc_self_pid()
    return seen is None or seen == os.getpid()


def _proc_self_pid() -> int | None:
    try:
        return int((PROC / "self" / "stat").read_text().split(None, 1)[0])
    except (OSError, ValueError):
        return None


def _proc_stat(pid: int | str) -> list[str] | None:
    """Fields of /proc/<pid>/stat from the state on (field 3); None without /proc."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()   # the command name may hold spaces


def _mark(stat: list[str]) -> str:
    """Boot id and start time in clock ticks since boot (field 22): unique per process."""
    return f"{_boot_id()}:{stat[19]}"


def _boot_id() -> str:
    try:
        return (PROC / "sys" / "kernel" / "random" / "boot_id").read_text().strip()
    except OSError:
        return ""


def _windows_running(pid: int) -> bool:
    # os.kill(pid, 0) would send Ctrl-C to pid's console group on Windows; ask the kernel
    import ctypes
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    handle = kernel32.OpenProcess(0x1000, False, pid)   # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return ctypes.get_last_error() == 5              # ERROR_ACCESS_DENIED: it exists
    try:
        code = ctypes.c_ulong()
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        return code.value == 259                         # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)
