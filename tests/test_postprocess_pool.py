"""The post-process's worker pool (core/postprocess/pool.py): fork only on Linux, and spawned
workers import the package under the name Blender gives an installed extension."""

import json
import os
import subprocess
import sys
from pathlib import Path

from allo_addon.core.postprocess import pool
from postprocess_tree import SIZE, make_anomaly_exp, tree

REPO = Path(__file__).resolve().parent.parent
MIN_PIXEL = 50   # as test_postprocess.py: the fixture anomalies are 10 x 10 px


def test_fork_only_where_it_is_safe():
    assert pool.start_method("linux") == "fork"
    assert pool.start_method("darwin") == "spawn"    # macOS: system libraries not fork-safe
    assert pool.start_method("win32") == "spawn"     # Windows: no fork


# Blender's addon_utils makes `bl_ext` and `bl_ext.<repo>` modules whose __path__ is the
# repository folder; an extension's modules are then `bl_ext.user_default.allo.…`. This script
# does the same with a folder holding the package as `allo`, then post-processes with two
# spawned workers, as on macOS or Windows. Like a Blender `--python` script (which imports bpy,
# impossible in a plain Python), it must not run again in a worker.
AS_EXTENSION = """
if __name__ != "__main__":
    raise SystemExit("a worker ran the parent's main script")
import json, sys, types
repo_dir, exp, out = sys.argv[1:4]
bl_ext = types.ModuleType("bl_ext"); bl_ext.__path__ = []
user_default = types.ModuleType("bl_ext.user_default"); user_default.__path__ = [repo_dir]
bl_ext.user_default = user_default
sys.modules.update({"bl_ext": bl_ext, "bl_ext.user_default": user_default})
from bl_ext.user_default.allo.core.postprocess import PostprocessRequest, pool, postprocess
pool.start_method = lambda platform=None: "spawn"
summary = postprocess(PostprocessRequest(input=exp, output=out, anomaly=True, min_pixel=%d,
                                         shape=%r, workers=2))
print(json.dumps({"package": pool.PACKAGE, "accepted": summary.total_accepted,
                  "allo_addon_imported": "allo_addon" in sys.modules}))
""" % (MIN_PIXEL, SIZE)


def test_spawned_workers_import_the_package_under_blenders_extension_name(tmp_path):
    from allo_addon.core.postprocess import PostprocessRequest, postprocess
    make_anomaly_exp(tmp_path / "exp_2", cameras=(1, 2), days=(1, 2))
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "allo").symlink_to(REPO / "allo_addon", target_is_directory=True)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}   # no allo_addon path
    script = tmp_path / "blender_like_main.py"
    script.write_text(AS_EXTENSION, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "repo"), str(tmp_path / "exp_2"),
         str(tmp_path / "spawned" / "test")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["package"] == "bl_ext.user_default.allo" and not result["allo_addon_imported"]
    assert result["accepted"] > 0
    # the same files as one worker in this process writes (the log's first line names paths)
    postprocess(PostprocessRequest(input=tmp_path / "exp_2", output=tmp_path / "one" / "test",
                                   anomaly=True, min_pixel=MIN_PIXEL, shape=SIZE, workers=1))
    spawned, one = tmp_path / "spawned" / "test", tmp_path / "one" / "test"
    assert tree(spawned) == tree(one)
    for name in tree(one):
        a, b = (spawned / name).read_bytes(), (one / name).read_bytes()
        if name == "postprocess.log":
            a, b = a.split(b"\n", 1)[1], b.split(b"\n", 1)[1]
        assert a == b, name
