"""Many hosts (or containers) writing one exp_<N> on a shared file system: a pid means nothing
outside its own PID namespace, so claims and scratch folders of another namespace are left
alone, and each sharded writer records into its own manifest part (no bpy here)."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from allo_addon.core import claims
from allo_addon.core.layout import claims_dir
from allo_addon.core.processes import ProcessId, current, this_host

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JOB = "normal-day1-Camera0"
OTHER_SPACE = "4026599999"   # a PID namespace that is not ours (the inode of a container's)


def dead_pid():
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_claim_from_another_pid_namespace_on_this_host_is_honoured(tmp_path):
    """Its pid is not running here, which says nothing: it may run in its own namespace."""
    if not os.path.exists("/proc/self/ns/pid"):
        pytest.skip("this system has no PID namespaces")
    folder = claims_dir(tmp_path)
    folder.mkdir(parents=True)
    path = folder / f"{JOB}{claims.SUFFIX}"
    path.write_text(json.dumps({"host": this_host(), "pid": dead_pid(), "started": None,
                                "space": OTHER_SPACE, "since": "2026-01-01 00:00:00 +0000"}))
    found = claims.claim(tmp_path, JOB)
    assert isinstance(found, claims.Holder) and found.elsewhere
    assert json.loads(path.read_text())["space"] == OTHER_SPACE
    assert f"in another PID namespace ({OTHER_SPACE})" in found.describe()


def test_a_token_names_the_process_it_was_made_from():
    me = current()
    assert ProcessId.from_token(me.token()) == me
    odd = ProcessId("node@17", 5, None, None)   # an odd host name, nothing known of the rest
    assert ProcessId.from_token(odd.token()) == odd
    assert ProcessId.from_token("12@vm") is None   # an older version's scratch folder name


HOLDER = """
import sys
from pathlib import Path
sys.path.insert(0, {repo!r})
from allo_addon.core import claims
from allo_addon.core.scratch import scratch_dir
exp = Path({exp!r})
claim = claims.claim(exp, {job!r})
scratch = scratch_dir(exp)
scratch.mkdir(parents=True)
print(type(claim).__name__, scratch.name, flush=True)
sys.stdin.read()                       # hold both until told to end
"""

NEWCOMER = """
import sys
from pathlib import Path
sys.path.insert(0, {repo!r})
from allo_addon.core import claims
from allo_addon.core.scratch import scratch_dir
exp = Path({exp!r})
scratch_dir(exp)                       # removes the scratch folders of runs it finds dead
print(type(claims.claim(exp, {job!r})).__name__, flush=True)
"""


def unshare_pid():
    """The command prefix that runs a process in a new PID namespace, or skip saying why."""
    tool = shutil.which("unshare")
    if tool is None or os.geteuid() != 0:
        pytest.skip("needs root and unshare(1) to make a PID namespace")
    probe = subprocess.run([tool, "--pid", "--fork", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"unshare --pid is not allowed here: {probe.stderr.strip()}")
    return [tool, "--pid", "--fork"]


def test_a_run_in_another_pid_namespace_leaves_a_live_runs_claim_and_scratch_alone(tmp_path):
    """Two shards on one host, one under `unshare --pid --fork` (as in a container): the
    newcomer cannot see the holder's pid, and must neither take its job nor delete its files."""
    prefix = unshare_pid()
    holder = subprocess.Popen([sys.executable, "-c", HOLDER.format(
        repo=REPO, exp=str(tmp_path), job=JOB)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        text=True)
    try:
        kind, scratch = holder.stdout.readline().split()
        assert kind == "Claim"
        (tmp_path / ".partial" / scratch / "beauty.png").write_bytes(b"being rendered")
        newcomer = subprocess.run(prefix + [sys.executable, "-c", NEWCOMER.format(
            repo=REPO, exp=str(tmp_path), job=JOB)], capture_output=True, text=True, timeout=60)
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)
    assert newcomer.returncode == 0, newcomer.stderr
    assert newcomer.stdout.split() == ["Holder"]
    assert (tmp_path / ".partial" / scratch / "beauty.png").read_bytes() == b"being rendered"
