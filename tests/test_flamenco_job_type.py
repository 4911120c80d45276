"""The Flamenco job type (extras/flamenco/allo_render.js): its Node tests (tests/flamenco/, run
with Node's own test runner against a stand-in for Flamenco's job compiler), and the commands it
compiles, run for real on a tiny config: two shards at once into one exp, then the merge and
post-process task, give the dataset an unsharded render gives."""

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from conftest import REPO

NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="needs Node.js (node) for the job type")
SCRIPT = REPO / "extras" / "flamenco" / "allo_render.js"


def test_the_node_tests_pass():
    done = subprocess.run([NODE, "--test", str(REPO / "tests" / "flamenco")], cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "# fail 0" in done.stdout and "# pass 0" not in done.stdout


def compile_job(settings: dict) -> list[dict]:
    done = subprocess.run([NODE, str(REPO / "tests" / "flamenco" / "compile.js"), str(SCRIPT),
                           json.dumps(settings)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def exec_line(command: dict) -> list[str]:
    assert command["name"] == "exec"
    return [command["parameters"]["exe"], *command["parameters"]["args"]]


def worker_env():
    import os
    return {**os.environ, "PYTHONPATH": str(REPO)}


@pytest.mark.blender
def test_the_compiled_commands_render_the_unsharded_dataset(write_config, tmp_path):
    pytest.importorskip("bpy")
    config = write_config(start_day=1, end_day=2, cams=[0, 1], resolution=[64, 36], samples=2)
    renders = config.parent / "renders"
    tasks = compile_job({
        "config": str(config), "exp_num": 2, "anomaly": False, "modes": "illumination",
        "shards": 2, "executable_kind": "python", "executable": sys.executable,
        "exp_dir": str(renders / "exp_2"), "postprocess_output": str(tmp_path / "train")})
    shards, finish = tasks[:-1], tasks[-1]
    assert finish["dependencies"] == [task["uuid"] for task in shards]
    # the workers: another folder each (exec has none), both shards at once into one exp
    workers = []
    for n, task in enumerate(shards):
        folder = tmp_path / f"worker{n}"
        folder.mkdir()
        [command] = task["commands"]
        workers.append(subprocess.Popen(exec_line(command), cwd=folder, env=worker_env(),
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        text=True))
    for process in workers:
        out, _ = process.communicate(timeout=600)
        assert process.returncode == 0, out[-3000:]
    for command in finish["commands"]:
        done = subprocess.run(exec_line(command), cwd=tmp_path, env=worker_env(),
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
    assert "total: 8 accepted, 0 rejected" in done.stdout

    reference = subprocess.run([sys.executable, "-m", "allo_addon.headless", "render", "--config",
                                str(config), "--exp_num", "1", "--mode", "illumination"],
                               cwd=tmp_path, env=worker_env(), capture_output=True, text=True,
                               timeout=600)
    assert reference.returncode == 0, reference.stderr
    sharded, whole = renders / "exp_2", renders / "exp_1"
    assert not (sharded / "manifest.d").exists()   # folded by the merge task

    def pngs(exp):
        return sorted(p.relative_to(exp).as_posix() for p in exp.rglob("*.png")
                      if ".partial" not in p.parts)

    assert pngs(sharded) == pngs(whole) and len(pngs(whole)) == 16   # 8 images, 8 masks
    for name in pngs(whole):
        assert np.array_equal(np.asarray(Image.open(sharded / name)),
                              np.asarray(Image.open(whole / name))), name

    def records(exp):
        lines = (exp / "manifest.jsonl").read_text().splitlines()
        return sorted(({k: v for k, v in json.loads(line).items()
                        if k not in ("render_seconds", "exp_num")} for line in lines),
                      key=lambda r: r["image"])

    assert records(sharded) == records(whole)
