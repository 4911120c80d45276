"""Job claims and process liveness (core/runs/claims.py, core/runs/processes.py): real processes, no bpy."""

import json
import os
import signal
import subprocess
import sys

import pytest
from writers_at_once import write_at_once

from allo_addon.core.dataset import manifest
from allo_addon.core.dataset.layout import claims_dir
from allo_addon.core.runs import claims
from allo_addon.core.runs.processes import ProcessId, current, is_running, start_mark, this_host

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JOB = "anomaly-day1-Camera0"


@pytest.fixture
def child():
    """A live process of this host, ended (and collected) after the test."""
    process = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"],
                               stdin=subprocess.PIPE)
    yield process
    process.kill()
    process.wait()


def dead_pid():
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def write_claim(exp, process: ProcessId, job=JOB, text=None):
    folder = claims_dir(exp)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{job}{claims.SUFFIX}"
    path.write_text(text if text is not None else json.dumps(
        {"host": process.host, "pid": process.pid, "started": process.started,
         "since": "2026-01-01 00:00:00 +0000"}))
    return path


def holder_in(path):
    return json.loads(path.read_text())


def test_a_free_job_is_claimed_and_released(tmp_path):
    claim = claims.claim(tmp_path, JOB)
    assert isinstance(claim, claims.Claim)
    me = current()
    assert holder_in(claim.path) | {"since": None} == \
        {"host": me.host, "pid": me.pid, "started": me.started, "space": me.space, "since": None}
    claim.release()
    assert not claim.path.exists()


def test_a_live_process_keeps_its_claim(tmp_path, child):
    process = ProcessId(this_host(), child.pid, start_mark(child.pid))
    path = write_claim(tmp_path, process)
    found = claims.claim(tmp_path, JOB)
    assert isinstance(found, claims.Holder) and not found.elsewhere
    assert found.describe() == f"pid {child.pid} on host {this_host()}"
    assert holder_in(path)["pid"] == child.pid


def test_a_dead_process_claim_is_taken_over(tmp_path):
    path = write_claim(tmp_path, ProcessId(this_host(), dead_pid(), None))
    claim = claims.claim(tmp_path, JOB)
    assert isinstance(claim, claims.Claim) and holder_in(path)["pid"] == os.getpid()


def test_a_reused_pid_does_not_keep_a_dead_claim(tmp_path, child):
    """The pid runs again, but it is another process (another start mark)."""
    if start_mark(child.pid) is None:
        pytest.skip("this system does not tell when a process started")
    path = write_claim(tmp_path, ProcessId(this_host(), child.pid, "another-boot:12345"))
    assert isinstance(claims.claim(tmp_path, JOB), claims.Claim)
    assert holder_in(path)["pid"] == os.getpid()


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="zombies are seen through /proc")
def test_a_killed_process_not_yet_collected_is_dead(child):
    child.send_signal(signal.SIGKILL)
    os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)   # dead, still a zombie
    assert not is_running(child.pid)


def test_another_hosts_claim_is_honoured_even_with_a_dead_pid(tmp_path):
    path = write_claim(tmp_path, ProcessId("node-17.cluster", dead_pid(), None))
    found = claims.claim(tmp_path, JOB)
    assert isinstance(found, claims.Holder) and found.elsewhere and found.path == path
    assert holder_in(path)["host"] == "node-17.cluster"


@pytest.mark.parametrize("text", ["", '{"host": "vm"'])
def test_a_half_written_claim_is_taken_over(tmp_path, text):
    path = write_claim(tmp_path, None, text=text)
    assert isinstance(claims.claim(tmp_path, JOB), claims.Claim)
    assert holder_in(path)["pid"] == os.getpid()


def test_one_process_never_holds_a_job_twice(tmp_path):
    first = claims.claim(tmp_path, JOB)
    second = claims.claim(tmp_path, JOB)        # e.g. a script run beside the GUI's run
    assert isinstance(second, claims.Holder) and second.process == current()
    first.release()
    assert isinstance(claims.claim(tmp_path, JOB), claims.Claim)


def test_a_claim_left_by_an_earlier_run_of_this_process_is_taken_over(tmp_path):
    write_claim(tmp_path, current())   # e.g. a GUI run that ended on an error
    assert isinstance(claims.claim(tmp_path, JOB), claims.Claim)


CONTENDER = """
import sys
from pathlib import Path
sys.path.insert(0, {repo!r})
from allo_addon.core.runs import claims
sys.stdin.readline()                       # all start together
won = isinstance(claims.claim(Path({exp!r}), {job!r}), claims.Claim)
print("won" if won else "lost", flush=True)
sys.stdin.read()                           # keep the claim until told to end
"""


def test_one_of_many_processes_takes_over_a_dead_claim(tmp_path):
    write_claim(tmp_path, ProcessId(this_host(), dead_pid(), None))
    code = CONTENDER.format(repo=REPO, exp=str(tmp_path), job=JOB)
    contenders = [subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, text=True) for _ in range(6)]
    try:
        for process in contenders:
            process.stdin.write("go\n")
            process.stdin.flush()
        results = [process.stdout.readline().strip() for process in contenders]
    finally:
        for process in contenders:
            process.kill()
            process.wait()
    assert sorted(results) == ["lost"] * 5 + ["won"]


APPENDER = """
import sys
from pathlib import Path
sys.path.insert(0, {repo!r})
from allo_addon.core.dataset import manifest
writer = manifest.ManifestWriter(Path({exp!r}))
sys.stdin.readline()
for image in {images!r}:
    writer.append({{"image": image, "by": {n}}})
"""


def test_writers_appending_at_once_record_each_image_once(tmp_path):
    """Every process appends the same 40 images (the same as overlapping runs would): each is
    recorded once, and a torn last line from an earlier crash is gone."""
    (tmp_path / manifest.NAME).write_text('{"image": "a.png"}\n{"image": "torn')
    images = [f"Camera0/normal/{i}_normal_2.png" for i in range(40)]
    write_at_once(APPENDER, tmp_path, images)
    lines = (tmp_path / manifest.NAME).read_text().splitlines()
    assert sorted(json.loads(line)["image"] for line in lines) == sorted(["a.png"] + images)


def test_scratch_folders_of_dead_processes_on_this_host_only_are_removed(tmp_path, child):
    from allo_addon.core.runs.scratch import scratch_dir
    host, me = this_host(), current()
    dead = ProcessId(host, dead_pid(), None, me.space)
    live = ProcessId(host, child.pid, start_mark(child.pid), me.space)
    elsewhere = ProcessId("node-17", dead_pid(), None, me.space)
    other_space = ProcessId(host, dead_pid(), None, "4026599999")   # a container on this host
    folders = {name: tmp_path / ".partial" / name for name in (
        f"run-{dead.token()}", f"run-{live.token()}", f"run-{elsewhere.token()}",
        f"run-{other_space.token()}",
        f"run-{dead_pid()}@{host}", f"run-{dead_pid()}")}     # the last two: older versions' names
    for folder in folders.values():
        folder.mkdir(parents=True)
        (folder / "x.png").write_bytes(b"")
    mine = scratch_dir(tmp_path)
    assert ProcessId.from_token(mine.name[len("run-"):]) == me
    kept = sorted(p.name for p in (tmp_path / ".partial").iterdir())
    assert kept == sorted(f"run-{p.token()}" for p in (live, elsewhere, other_space))
