"""`python -m allo_addon.headless postprocess` in a subprocess, with bpy made unimportable."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from postprocess_tree import make_anomaly_exp, make_normal_exp, tree, write_manifest

REPO = Path(__file__).resolve().parents[1]
# sys.modules["bpy"] = None makes any `import bpy` fail: the command must never try one
WITHOUT_BPY = ("import sys; sys.modules['bpy'] = None; from allo_addon.headless import main; "
               "sys.exit(main(sys.argv[1:]))")


def cli(*args, block_bpy=True):
    command = [sys.executable, "-c", WITHOUT_BPY] if block_bpy else \
        [sys.executable, "-m", "allo_addon.headless"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(command + ["postprocess", *map(str, args)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)


def test_original_flags_work_without_bpy(tmp_path):
    rendered = make_anomaly_exp(tmp_path / "exp_2")
    write_manifest(tmp_path / "exp_2", rendered)
    done = cli("--input", tmp_path / "exp_2", "--output", tmp_path / "test",
               "--log_file", tmp_path / "exp2log.log", "--seed", 42, "--anomaly",
               "--min_pixel", 50)
    assert done.returncode == 0, done.stderr
    assert "total: 16 accepted, 0 rejected" in done.stdout
    assert (tmp_path / "exp2log.log").is_file()
    assert len(list((tmp_path / "test").glob("Camera*/ground_truth/*.png"))) == 16


def test_module_entry_point_with_our_flags(tmp_path):
    make_normal_exp(tmp_path / "exp_1", cameras=(1,), days=(1, 2, 3, 4), illuminations=(10,))
    done = cli("--input", tmp_path / "exp_1", "--output", tmp_path / "train", "--shape", "64x36",
               "--normal_test_ratio", 0.5, "--workers", 2, block_bpy=False)
    assert done.returncode == 0, done.stderr
    assert "total: 4 accepted (2 held out as normal test images), 0 rejected" in done.stdout
    report = json.loads((tmp_path / "train" / "report.json").read_text())
    assert report["by_split"] == {"test": 2, "train": 2}
    assert len(list((tmp_path / "test").glob("Camera1/normal/images/*.png"))) == 2


ERRORS = {
    "missing input folder": (lambda t: ["--input", t / "missing", "--output", t / "train"],
                             "does not exist"),
    "no Camera folders": (lambda t: ["--input", t / "empty", "--output", t / "train"],
                          "no Camera<K> folders"),
    "unwritable output": (lambda t: ["--input", t / "exp_1", "--output", t / "file" / "train"],
                          "cannot be created"),
    "output inside input": (lambda t: ["--input", t / "exp_1", "--output", t / "exp_1" / "out"],
                            "inside the input folder"),
    "log file in a missing folder": (lambda t: ["--input", t / "exp_1", "--output", t / "train",
                                                "--log_file", t / "logs" / "run.log"],
                                     "does not exist"),
    "anomaly flag on a normal batch": (lambda t: ["--input", t / "exp_1", "--output", t / "test",
                                                  "--anomaly"], "drop --anomaly"),
}


@pytest.mark.parametrize("mistake", sorted(ERRORS))
def test_errors_exit_2_with_one_message_and_write_nothing(tmp_path, mistake):
    make_normal_exp(tmp_path / "exp_1", cameras=(1,), days=(1,))
    (tmp_path / "empty").mkdir()
    (tmp_path / "file").write_text("not a folder")
    arguments, expected = ERRORS[mistake]
    before = tree(tmp_path)
    done = cli(*arguments(tmp_path))
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1, done.stderr
    assert expected in done.stderr and "Traceback" not in done.stderr
    assert tree(tmp_path) == before


def test_bad_shape_is_an_argument_error(tmp_path):
    done = cli("--input", tmp_path, "--output", tmp_path / "out", "--shape", "wide")
    assert done.returncode == 2 and "WIDTHxHEIGHT" in done.stderr
