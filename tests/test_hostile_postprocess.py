"""`python -m allo_addon.headless postprocess` against hostile inputs, as a user runs it.

A mistake in the command or its folders ends in one `error:` line, exit status 2, no traceback
and nothing written. A bad file among the renders is the designed per-image rejection: logged
with its reason, counted in report.json, and the run goes on.

Unreadable files are made for real: root reads everything whatever its mode, so under root the
command runs as the unprivileged user `nobody` (setpriv); other users get chmod alone.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from postprocess_tree import make_anomaly_exp, make_normal_exp, normal_name, tree

REPO = Path(__file__).resolve().parents[1]
WITHOUT_BPY = ("import sys; sys.modules['bpy'] = None; from allo_addon.headless import main; "
               "sys.exit(main(sys.argv[1:]))")
ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False
NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
FIRST, SECOND = normal_name(1, 10), normal_name(2, 10)


def cli(*args, unprivileged=False):
    command = [sys.executable, "-c", WITHOUT_BPY, "postprocess", *map(str, args)]
    if unprivileged and ROOT:
        command = NOBODY + command
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120)


def unprivileged_runs():
    if not ROOT:
        return hasattr(os, "geteuid")
    return shutil.which("setpriv") is not None and subprocess.run(
        NOBODY + ["true"], capture_output=True).returncode == 0


@pytest.fixture
def base():
    """A folder every user can enter (pytest's own is root's alone), with a 2-image normal
    exp_1, a 2-image anomalous exp_2, and an output parent every user can write."""
    folder = Path(tempfile.mkdtemp(prefix="allo_hostile_"))
    folder.chmod(0o755)
    make_normal_exp(folder / "exp_1", cameras=(1,), days=(1, 2), illuminations=(10,))
    open_to_all(folder / "out")
    (folder / "file").write_text("not a folder")
    make_anomaly_exp(folder / "exp_2", cameras=(1,), days=(1,), illuminations=(10,))
    yield folder
    shutil.rmtree(folder)


def open_to_all(folder):
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o777)
    return folder


def manifest_lines(exp, *lines):
    (exp / "manifest.jsonl").write_bytes(b"".join(line + b"\n" for line in lines))


def record(image=f"Camera1/normal/{FIRST}", **fields):
    return json.dumps({"image": image, "kind": "normal", "camera": "Camera1", **fields}).encode()


def ordinary(t):
    return ["--input", t / "exp_1", "--output", t / "out" / "train"]


def shaped(t):
    """ordinary, with the images' size: every sample would be accepted and written."""
    return ordinary(t) + ["--shape", "64x36"]


def unreadable(path):
    """path cannot be read by the user the command runs as (mode 000 is not enough for root)."""
    path.chmod(0o700 if path.is_dir() else 0o600)
    if not ROOT:
        path.chmod(0)


def setup_sys(t):
    if not Path("/sys").is_dir() or not ROOT:
        pytest.skip("needs root and /sys: a folder that root cannot create")
    return []


# name: (prepare(t) -> extra arguments or None for `ordinary`, arguments(t), expected text, unprivileged)
MISTAKES = {
    "input is a file": (None, lambda t: ["--input", t / "file", "--output", t / "out" / "x"],
                        "is a file, not a folder", False),
    "input missing": (None, lambda t: ["--input", t / "nope", "--output", t / "out" / "x"],
                      "does not exist", False),
    "input empty": (lambda t: (t / "empty").mkdir(),
                    lambda t: ["--input", t / "empty", "--output", t / "out" / "x"],
                    "no Camera<K> folders", False),
    "input unreadable": (lambda t: unreadable(t / "exp_1"), ordinary, "cannot be read", True),
    "camera folder unreadable": (lambda t: unreadable(t / "exp_1" / "Camera1"), ordinary,
                                 "Permission denied", True),
    "image folder unreadable": (lambda t: unreadable(t / "exp_1" / "Camera1" / "normal"),
                                ordinary, "Permission denied", True),
    "manifest unreadable": (lambda t: (manifest_lines(t / "exp_1", record()),
                                       unreadable(t / "exp_1" / "manifest.jsonl")),
                            ordinary, "manifest.jsonl: Permission denied", True),
    "manifest is a folder": (lambda t: (t / "exp_1" / "manifest.jsonl").mkdir(), ordinary,
                             "manifest.jsonl: Is a directory", False),
    "manifest garbage in the middle": (
        lambda t: manifest_lines(t / "exp_1", record(), b"{garbage",
                                 record(f"Camera1/normal/{SECOND}")),
        ordinary, "manifest.jsonl: line 2 is not a render record", False),
    "manifest not UTF-8": (lambda t: manifest_lines(t / "exp_1", b'{"image": "\xff"}', record()),
                           ordinary, "line 1 is not a render record", False),
    "manifest NaN": (lambda t: manifest_lines(t / "exp_1", record(sun_strength=float("nan")),
                                              record(f"Camera1/normal/{SECOND}")),
                     ordinary, "NaN is not a JSON number", False),
    "manifest image not a path": (lambda t: manifest_lines(t / "exp_1", b'{"image": 5}', record()),
                                  ordinary, "no 'image' path", False),
    "manifest line not an object": (lambda t: manifest_lines(t / "exp_1", b"[1, 2]", record()),
                                    ordinary, "a JSON list, not an object", False),
    "output is the input": (None, lambda t: ["--input", t / "exp_1", "--output", t / "exp_1"],
                            "inside the input folder", False),
    "output inside input": (None, lambda t: ["--input", t / "exp_1", "--output",
                                             t / "exp_1" / "Camera1" / "train"],
                            "inside the input folder", False),
    "output is a file": (None, lambda t: ["--input", t / "exp_1", "--output", t / "file"],
                         "is a file, not a folder", False),
    "output under a file": (None, lambda t: ["--input", t / "exp_1", "--output",
                                             t / "file" / "train"], "cannot be created", False),
    "output not writable": (None, lambda t: ["--input", t / "exp_1", "--output", t / "train"],
                            "not writable", True),
    "output not creatable": (setup_sys, lambda t: ["--input", t / "exp_1", "--output",
                                                   "/sys/allo_hostile/train"],
                             "cannot create", False),
    "test output not creatable": (setup_sys, lambda t: [
        "--input", t / "exp_1", "--output", t / "out" / "train", "--normal_test_ratio", 0.5,
        "--test_output", "/sys/allo_hostile/test"], "cannot create", False),
    "log file not creatable": (setup_sys, lambda t: [*ordinary(t), "--log_file",
                                                     "/sys/allo_hostile.log"],
                               "cannot create", False),
    "log file inside the input": (None, lambda t: [*ordinary(t), "--log_file",
                                                   t / "exp_1" / "manifest.jsonl"],
                                  "inside the input folder", False),
    "log file is an output product": (None, lambda t: [*ordinary(t), "--log_file",
                                                       t / "out" / "train" / "report.json"],
                                      "report.json is written by the post-process", False),
    "log file is a folder": (None, lambda t: [*ordinary(t), "--log_file", t / "out"],
                             "is a folder", False),
    "log file in a missing folder": (None, lambda t: [*ordinary(t), "--log_file",
                                                      t / "nope" / "x.log"],
                                     "does not exist", False),
    "a product is a folder": (lambda t: (t / "out" / "train" / "report.json").mkdir(parents=True),
                              shaped, "report.json is a folder", False),
    "a camera folder is a file": (lambda t: (t / "out" / "train").mkdir() or
                                  (t / "out" / "train" / "Camera1").write_text("x"),
                                  shaped, "Camera1 is a file", False),
    "an output image is a folder": (
        lambda t: (t / "out" / "train" / "Camera1" / "images" / FIRST).mkdir(parents=True),
        shaped, f"{FIRST} is a folder", False),
    "an output subfolder not writable": (
        lambda t: (open_to_all(open_to_all(t / "out" / "train") / "Camera1") / "images").mkdir(),
        shaped, "images is not writable", True),
    "output manifest unreadable": (
        lambda t: ((open_to_all(t / "out" / "train") / "manifest.jsonl").write_text("{}\n"),
                   unreadable(t / "out" / "train" / "manifest.jsonl")),
        ordinary, "manifest.jsonl: Permission denied", True),
    # the same rules as every manifest reader (core/dataset/manifest.py): a damaged line before the
    # last is an error naming it, found before anything is written
    "output manifest with garbage lines": (
        lambda t: (t / "out" / "train").mkdir() or
        (t / "out" / "train" / "manifest.jsonl").write_bytes(b"\xff\xfe{\n[1]\n"),
        ordinary, "train/manifest.jsonl: line 1 is not a sample record", False),
    "output holds the other kind (hand-edited line)": (
        lambda t: (open_to_all(t / "out" / "train") / "manifest.jsonl").write_text(
            '{"kind": "anomaly", "image": "Camera1/images/x.png", "source": "exp_2"}\n'),
        ordinary, "already holds anomaly samples (from another exp)", False),
    "anomaly flag on a normal batch": (None, lambda t: [*ordinary(t), "--anomaly"],
                                       "drop --anomaly", False),
    "no anomaly flag on an anomalous batch": (
        None, lambda t: ["--input", t / "exp_2", "--output", t / "out" / "test"],
        "add --anomaly", False),
    "min_pixel negative": (None, lambda t: [*ordinary(t), "--min_pixel", -1], "min_pixel is -1",
                           False),
    "ratio negative": (None, lambda t: [*ordinary(t), "--normal_test_ratio", -0.1],
                       "normal_test_ratio is -0.1", False),
    "ratio NaN": (None, lambda t: [*ordinary(t), "--normal_test_ratio", "nan"],
                  "normal_test_ratio is nan", False),
    "ratio infinite": (None, lambda t: [*ordinary(t), "--normal_test_ratio", "inf"],
                       "normal_test_ratio is inf", False),
    "ratio one": (None, lambda t: [*ordinary(t), "--normal_test_ratio", 1],
                  "normal_test_ratio is 1.0", False),
    "ratio above one": (None, lambda t: [*ordinary(t), "--normal_test_ratio", 1.5],
                        "normal_test_ratio is 1.5", False),
    "ratio with --anomaly": (None, lambda t: ["--input", t / "exp_2", "--output",
                                              t / "out" / "test", "--anomaly",
                                              "--normal_test_ratio", 0.5],
                             "not with --anomaly", False),
    "test output is the output": (None, lambda t: [*ordinary(t), "--normal_test_ratio", 0.5,
                                                   "--test_output", t / "out" / "train"],
                                  "is the output folder", False),
    "test output inside input": (None, lambda t: [*ordinary(t), "--normal_test_ratio", 0.5,
                                                  "--test_output", t / "exp_1" / "test"],
                                 "inside the input folder", False),
    "test output is a file": (None, lambda t: [*ordinary(t), "--normal_test_ratio", 0.5,
                                               "--test_output", t / "file"],
                              "is a file, not a folder", False),
    "workers negative": (None, lambda t: [*ordinary(t), "--workers", -2], "workers is -2",
                         False),
    "shape zero": (None, lambda t: [*ordinary(t), "--shape", "0x10"], "not a positive", False),
}


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_a_mistake_is_one_error_line_exit_2_and_writes_nothing(base, mistake):
    prepare, arguments, expected, needs_other_user = MISTAKES[mistake]
    if needs_other_user and not unprivileged_runs():
        pytest.skip("cannot run the command as another user here")
    if prepare:
        prepare(base)
    before = tree(base)
    done = cli(*arguments(base), unprivileged=needs_other_user)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith("error: ") and done.stderr.count("\n") == 1, done.stderr
    assert expected in done.stderr, done.stderr
    assert tree(base) == before


# argparse's own mistakes: its usage lines, then one `prog: error: …` line
ARGUMENTS = {
    "min_pixel NaN": ["--min_pixel", "nan"],
    "min_pixel fraction": ["--min_pixel", "1.5"],
    "ratio text": ["--normal_test_ratio", "half"],
    "shape text": ["--shape", "wide"],
    "shape one number": ["--shape", "640"],
    "seed text": ["--seed", "x"],
    "workers text": ["--workers", "all"],
}


@pytest.mark.parametrize("mistake", sorted(ARGUMENTS))
def test_a_bad_flag_value_is_an_argument_error(base, mistake):
    before = tree(base)
    done = cli(*ordinary(base), *ARGUMENTS[mistake])
    assert done.returncode == 2
    assert [line for line in done.stderr.splitlines() if "error:" in line] == \
        [done.stderr.splitlines()[-1]] and "Traceback" not in done.stderr
    assert tree(base) == before


def corrupt(t, image, data):
    (t / "exp_1" / "Camera1" / "normal" / image).write_bytes(data)


def first_bytes(t, count):
    path = t / "exp_1" / "Camera1" / "normal" / FIRST
    path.write_bytes(path.read_bytes()[:count])


def jpeg(t):
    path = t / "exp_1" / "Camera1" / "normal" / FIRST
    Image.open(path).convert("RGB").save(path, format="JPEG")


def remask(t, convert):
    path = t / "exp_1" / "Camera1" / "fb_mask" / FIRST
    convert(Image.open(path)).save(path, format="PNG")


def sixteen_bit(mask):
    """The same mask in 16 bits, with a faint (under half) column where it is empty."""
    values = np.asarray(mask).astype(np.uint16) * 257
    values[:, 0][values[:, 0] == 0] = 20000
    return Image.fromarray(values)


# name: (prepare(t), arguments(t), rejected reasons {reason: n}, accepted count)
PER_IMAGE = {
    "no manifest, --shape given": (None, lambda t: [*ordinary(t), "--shape", "64x36"], {}, 2),
    "no manifest, other --shape": (None, ordinary, {"wrong_shape": 2}, 0),
    "manifest lists a missing image": (
        lambda t: manifest_lines(t / "exp_1", record(resolution=[64, 36]),
                                 record("Camera1/normal/9_normal_10.png")),
        lambda t: [*ordinary(t), "--shape", "64x36"], {"missing_image": 1}, 2),
    "torn last manifest line": (
        lambda t: (t / "exp_1" / "manifest.jsonl").write_bytes(
            record(resolution=[64, 36]) + b"\n" + record()[:20]),
        lambda t: [*ordinary(t), "--shape", "64x36"], {}, 2),
    "corrupt PNG": (lambda t: corrupt(t, FIRST, b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4),
                    lambda t: [*ordinary(t), "--shape", "64x36"], {"unreadable_png": 1}, 1),
    "truncated PNG": (lambda t: first_bytes(t, 120), lambda t: [*ordinary(t), "--shape", "64x36"],
                      {"unreadable_png": 1}, 1),
    "empty PNG": (lambda t: first_bytes(t, 0), lambda t: [*ordinary(t), "--shape", "64x36"],
                  {"unreadable_png": 1}, 1),
    "JPEG named .png": (jpeg, lambda t: [*ordinary(t), "--shape", "64x36"],
                        {"unreadable_png": 1}, 1),
    "a .png that is a folder": (
        lambda t: ((t / "exp_1" / "Camera1" / "normal" / "3_normal_10.png").mkdir(),
                   shutil.copy(t / "exp_1" / "Camera1" / "fb_mask" / FIRST,
                               t / "exp_1" / "Camera1" / "fb_mask" / "3_normal_10.png")),
        lambda t: [*ordinary(t), "--shape", "64x36"], {"unreadable_png": 1}, 2),
    "image unreadable": (lambda t: unreadable(t / "exp_1" / "Camera1" / "normal" / FIRST),
                         lambda t: [*ordinary(t), "--shape", "64x36"], {"unreadable_png": 1}, 1),
    "mask missing": (lambda t: (t / "exp_1" / "Camera1" / "fb_mask" / FIRST).unlink(),
                     lambda t: [*ordinary(t), "--shape", "64x36"], {"missing_mask": 1}, 1),
    "mask of the wrong size": (lambda t: remask(t, lambda m: m.resize((32, 18))),
                               lambda t: [*ordinary(t), "--shape", "64x36"],
                               {"wrong_shape": 1}, 1),
    "mask in RGB": (lambda t: remask(t, lambda m: m.convert("RGB")),
                    lambda t: [*ordinary(t), "--shape", "64x36"], {}, 2),
    "mask in 16 bits": (lambda t: remask(t, sixteen_bit),
                        lambda t: [*ordinary(t), "--shape", "64x36"], {}, 2),
    "mask bilevel": (lambda t: remask(t, lambda m: m.convert("1")),
                     lambda t: [*ordinary(t), "--shape", "64x36"], {}, 2),
    "record fields of the wrong type": (
        lambda t: manifest_lines(t / "exp_1", record(camera=7, sun_strength="bright",
                                                     resolution="big", anomaly={"name": 5}),
                                 record("Camera1/normal/9_normal_10.png", camera=[1])),
        lambda t: [*ordinary(t), "--shape", "64x36"], {"missing_image": 1}, 2),
}


@pytest.mark.parametrize("case", sorted(PER_IMAGE))
def test_a_bad_render_file_is_rejected_and_reported(base, case):
    prepare, arguments, reasons, accepted = PER_IMAGE[case]
    needs_other_user = case == "image unreadable"
    if needs_other_user and not unprivileged_runs():
        pytest.skip("cannot run the command as another user here")
    originals = {p.name: np.asarray(Image.open(p)) >= 128
                 for p in (base / "exp_1" / "Camera1" / "fb_mask").glob("*.png")}
    if prepare:
        prepare(base)
    done = cli(*arguments(base), unprivileged=needs_other_user)
    if accepted:
        assert done.returncode == 0, done.stderr
    else:   # a split that took nothing is an error naming why (the report is still written)
        assert done.returncode == 2 and done.stderr.count("error: ") == 1, done.stderr
        assert all(f"({reason} " in done.stderr for reason in reasons), done.stderr
    assert "Traceback" not in done.stderr
    report = json.loads((base / "out" / "train" / "report.json").read_text())
    assert report["rejected_by_reason"] == reasons
    assert report["accepted"] == accepted
    for mask in (base / "out" / "train" / "Camera1" / "masks").glob("*.png"):
        # whatever the mode of the render's mask, the classes of its 8-bit original
        assert np.array_equal(np.asarray(Image.open(mask)), originals[mask.name]), mask.name
