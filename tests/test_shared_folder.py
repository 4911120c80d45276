"""Many hosts (or containers) writing one exp_<N> on a shared file system: a pid means nothing
outside its own PID namespace, so claims and scratch folders of another namespace are left
alone, and each sharded writer records into its own manifest part (no bpy here)."""

import json
import os
import shutil
import subprocess
import sys

import pytest
from writers_at_once import write_at_once

from allo_addon.core.dataset.layout import claims_dir
from allo_addon.core.runs import claims
from allo_addon.core.runs.processes import ProcessId, current, this_host

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


def test_claims_and_scratch_from_before_a_reboot_are_taken_over_in_any_namespace(tmp_path):
    """A start mark of another boot of this host: that process ended, whatever its namespace
    (namespaces are new after a reboot, so only the boot id can tell)."""
    from allo_addon.core.runs.scratch import scratch_dir
    before = ProcessId(this_host(), 1, "another-boot:12345", OTHER_SPACE)
    folder = claims_dir(tmp_path)
    folder.mkdir(parents=True)
    path = folder / f"{JOB}{claims.SUFFIX}"
    path.write_text(json.dumps({"host": before.host, "pid": before.pid, "started": before.started,
                                "space": before.space, "since": "2026-01-01 00:00:00 +0000"}))
    scratch = tmp_path / ".partial" / f"run-{before.token()}"
    scratch.mkdir()
    assert isinstance(claims.claim(tmp_path, JOB), claims.Claim)
    scratch_dir(tmp_path)
    assert not scratch.exists()


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
from allo_addon.core.runs import claims
from allo_addon.core.runs.scratch import scratch_dir
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
from allo_addon.core.runs import claims
from allo_addon.core.runs.scratch import scratch_dir
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


# --- manifest parts: sharded writers never append to a shared file ---------------------------

from allo_addon.core.dataset import manifest          # noqa: E402
from allo_addon.core.errors import UserError  # noqa: E402
from conftest import run_cli                  # noqa: E402

IMAGES = [f"Camera{c}/normal/{day}_normal_2.png" for day in (3, 1, 2) for c in (1, 0)]


def record(image, by):
    return {"image": image, "by": by}


def manifest_lines(exp):
    return [json.loads(line) for line in (exp / manifest.NAME).read_text().splitlines()]


def test_each_sharded_writer_records_into_its_own_part(tmp_path):
    first = manifest.ManifestWriter(tmp_path, part="a")
    second = manifest.ManifestWriter(tmp_path, part="b")
    assert first.append(record(IMAGES[0], "a")) and second.append(record(IMAGES[1], "b"))
    assert not second.append(record(IMAGES[0], "b"))   # recorded in a's part: never twice
    assert not (tmp_path / manifest.NAME).exists()
    assert [p.name for p in manifest.part_files(tmp_path)] == ["a.jsonl", "b.jsonl"]
    assert [r["by"] for r in manifest.read_records(tmp_path)] == ["b", "a"]   # by image path


def test_readers_see_the_same_records_however_the_shards_were_timed(tmp_path):
    """Two timings of the same two shards (which finished first, which image came when): one
    list, ordered by image path, before and after the parts are folded."""
    seen = []
    for name, order in (("early", IMAGES), ("late", IMAGES[::-1])):
        exp = tmp_path / name
        writers = {shard: manifest.ManifestWriter(exp, part=f"shard{shard}") for shard in (0, 1)}
        for image in order:
            writers[IMAGES.index(image) % 2].append(record(image, IMAGES.index(image) % 2))
        before = manifest.read_records(exp)
        assert manifest.merge(exp) == len(IMAGES)
        assert not (exp / manifest.PARTS).exists()
        assert manifest_lines(exp) == before == manifest.read_records(exp)
        seen.append(before)
    assert seen[0] == seen[1]
    assert [r["image"] for r in seen[0]] == sorted(IMAGES)


def test_an_unsharded_manifest_is_left_as_it_is(tmp_path):
    writer = manifest.ManifestWriter(tmp_path)
    for image in IMAGES:
        writer.append(record(image, "one"))
    before = (tmp_path / manifest.NAME).read_bytes()
    assert [r["image"] for r in manifest.read_records(tmp_path)] == IMAGES   # render order
    assert manifest.merge(tmp_path) == 0
    assert (tmp_path / manifest.NAME).read_bytes() == before


def test_a_writer_goes_on_after_its_part_was_folded(tmp_path):
    """merge() may run while a shard renders (another shard ended): the shard's next record
    starts a new part, and what was folded is still known to be recorded."""
    writer = manifest.ManifestWriter(tmp_path, part="a")
    writer.append(record(IMAGES[0], "a"))
    writer.refresh()
    manifest.merge(tmp_path)
    assert not writer.append(record(IMAGES[0], "a"))
    assert writer.append(record(IMAGES[1], "a"))
    assert IMAGES[0] in writer.recorded
    manifest.merge(tmp_path)
    assert sorted(r["image"] for r in manifest_lines(tmp_path)) == sorted(IMAGES[:2])


def test_a_torn_part_loses_only_its_torn_line(tmp_path):
    manifest.ManifestWriter(tmp_path).append(record(IMAGES[0], "old"))
    part = tmp_path / manifest.PARTS / "killed.jsonl"
    part.parent.mkdir()
    part.write_text(json.dumps(record(IMAGES[1], "k")) + "\n" + '{"image": "Cam')
    assert [r["image"] for r in manifest.read_records(tmp_path)] == sorted(IMAGES[:2])
    logged = []
    manifest.merge(tmp_path, log=logged.append)
    assert [r["image"] for r in manifest_lines(tmp_path)] == sorted(IMAGES[:2])
    assert any("torn last line of" in line and "killed.jsonl" in line for line in logged)


def test_a_damaged_line_in_a_part_is_an_error_naming_it(tmp_path):
    part = tmp_path / manifest.PARTS / "x.jsonl"
    part.parent.mkdir()
    part.write_text('{"image": "a.png"}\n[1, 2]\n{"image": "b.png"}\n')
    for read in (manifest.read_records, manifest.merge):
        with pytest.raises(UserError, match=r"manifest.d/x.jsonl: line 2 is not a render record"):
            read(tmp_path)
    assert part.exists() and not (tmp_path / manifest.NAME).exists()


PART_WRITER = """
import sys
from pathlib import Path
sys.path.insert(0, {repo!r})
from allo_addon.core.dataset import manifest
writer = manifest.ManifestWriter(Path({exp!r}), part="w{n}")
sys.stdin.readline()
for image in {images!r}:
    writer.append({{"image": image, "by": {n}}})
    if image.startswith("Camera0/normal/20_"):
        manifest.merge(Path({exp!r}))      # a shard that ends while the others record
"""


def test_sharded_writers_at_once_record_each_image_once(tmp_path):
    images = [f"Camera0/normal/{i}_normal_2.png" for i in range(40)]
    write_at_once(PART_WRITER, tmp_path, images)
    lines = [json.loads(line) for path in manifest.part_files(tmp_path)
             for line in path.read_text().splitlines()]
    if (tmp_path / manifest.NAME).exists():
        lines += manifest_lines(tmp_path)
    assert sorted(r["image"] for r in lines) == sorted(images)   # each once, in parts or folded
    assert [r["image"] for r in manifest.read_records(tmp_path)] == sorted(images)


def test_the_merge_command_folds_the_parts(tmp_path):
    exp = tmp_path / "exp_1"
    for n, image in enumerate(IMAGES):
        manifest.ManifestWriter(exp, part=f"w{n % 3}").append(record(image, n % 3))
    done = run_cli("merge", "--exp", exp)
    assert done.returncode == 0, done.stderr
    assert f"{exp}: folded 3 part(s) of manifest.d/ into manifest.jsonl (6 records)" in done.stdout
    assert [r["image"] for r in manifest_lines(exp)] == sorted(IMAGES)
    again = run_cli("merge", "--exp", exp)
    assert "nothing to merge" in again.stdout


def test_the_merge_command_refuses_a_missing_folder_before_writing(tmp_path):
    exp = tmp_path / "exp_1"
    manifest.ManifestWriter(exp, part="w").append(record(IMAGES[0], 0))
    done = run_cli("merge", "--exp", exp, tmp_path / "exp_9")
    assert done.returncode == 2
    assert done.stderr.strip() == (f"error: --exp {tmp_path / 'exp_9'}: no such folder; expected "
                                   f"an exp_<N> folder written by the renderer")
    assert manifest.part_files(exp) and not (exp / manifest.NAME).exists()
