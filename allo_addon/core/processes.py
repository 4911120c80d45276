"""Which process made something, and whether that process still runs.

Claims and scratch folders name the process that made them (host, pid, start mark). On the
same host a dead pid means its owner crashed or was killed, so its leftovers can be taken over.
The start mark (Linux: boot id and the process's start time) tells a reused pid from the
original owner, which matters where pids are small and reused quickly (containers, clusters).
A process on another host cannot be checked from here: callers must leave its things alone.
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

    def describe(self) -> str:
        return f"pid {self.pid} on host {self.host}"


def this_host() -> str:
    return socket.gethostname()


def current() -> ProcessId:
    return ProcessId(this_host(), os.getpid(), start_mark(os.getpid()))


def on_this_host(process: ProcessId) -> bool:
    return process.host == this_host()


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
    stat = _proc_stat(pid)
    if stat is None:
        return True   # no /proc (macOS): the pid is all we can check
    if stat[0] in ("Z", "X"):   # killed, not yet collected by its parent
        return False
    return started is None or started == _mark(stat)


def start_mark(pid: int) -> str | None:
    stat = _proc_stat(pid)
    return _mark(stat) if stat else None


def _proc_stat(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat from the state on (field 3); None without /proc."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()   # the command name may hold spaces


def _mark(stat: list[str]) -> str:
    """Boot id and start time in clock ticks since boot (field 22): unique per process."""
    try:
        boot = (PROC / "sys" / "kernel" / "random" / "boot_id").read_text().strip()
    except OSError:
        boot = ""
    return f"{boot}:{stat[19]}"


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
