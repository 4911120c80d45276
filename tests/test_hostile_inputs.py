"""Hostile input, table-driven: every mistake a user can make in a config, a model folder or a
command-line flag ends in exactly one `error: …` line on stderr that names the key, flag or file
(and the value), exit status 2, no traceback, and no file written — in a dry run and, for the
cases that once got far, in a real render too.

The cases run in this process through `allo_addon.headless.main` (real bpy, no mocks), so the
whole sweep takes seconds; test_render_errors.py runs a few of the same mistakes as a user does,
in a fresh process.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pytest
import yaml

from conftest import TINY

pytestmark = pytest.mark.blender

NAN, INF = float("nan"), float("inf")
INT32_MAX = 2**31 - 1
HUGE = 99_999_999_999           # more than any 32-bit integer property holds
GOOD_ROW = "40,500,0,0,18.6,0,4000,0,33,0,0,2000"


@dataclass
class Case:
    id: str
    expect: tuple[str, ...]                  # fragments of the one error line
    config: dict | None = None               # overrides of conftest.TINY
    text: str | bytes | None = None          # the whole config file instead
    files: dict = field(default_factory=dict)   # relative path -> text/bytes, or DIR
    args: tuple = ("--anomaly",)             # after render --config … --exp_num 1
    command: tuple | None = None             # a whole command line instead ({tmp} = tmp_path)
    dry_run: bool = True


DIR = object()      # a folder where a file is expected
LOOP = object()     # a symbolic link to itself


def _number_cases():
    """Every numeric key, top-level and nested, with every kind of non-number or non-finite."""
    cases = []
    bad_numbers = [("nan", NAN), ("inf", INF), ("-inf", -INF), ("text", "ten"), ("bool", True),
                   ("list", [1]), ("float32-overflow", 1e39), ("null", None)]
    for key in ("default_sun_strength", "lens_mm", "spot_power", "anomaly_distance",
                "anomaly_box"):
        for name, value in bad_numbers:
            cases.append(Case(f"{key}-{name}", (f"'{key}'",), text=yaml.safe_dump(
                {**TINY, key: value})))
    for key in ("sun_strength", "depths", "scales"):
        for name, value in [("nan", [NAN]), ("second-inf", [1, INF]), ("scalar-nan", NAN),
                            ("-inf", [-INF]), ("text", ["bright"]), ("bool", [True]),
                            ("empty", []), ("string", "bright"), ("mapping", {"a": 1}),
                            ("nested", [[1]]), ("overflow", [1e39])]:
            cases.append(Case(f"{key}-{name}", (f"'{key}",), config={key: value}))
    for key in ("start_day", "end_day", "day_interval", "min_pixel", "samples", "seed",
                "placement_attempts"):
        for name, value in [("nan", NAN), ("inf", INF), ("fraction", 1.5), ("text", "x"),
                            ("bool", True), ("huge", HUGE), ("huge-negative", -HUGE),
                            ("list", [1])]:
            cases.append(Case(f"{key}-{name}", (f"'{key}'",), config={key: value}))
    for key in ("position", "rotation", "min_station_share"):
        for name, value in [("nan", NAN), ("inf", INF), ("negative", -1), ("text", "x"),
                            ("bool", True)]:
            cases.append(Case(f"pose_jitter.{key}-{name}", (f"'pose_jitter.{key}'",),
                              config={"pose_jitter": {key: value}}))
    params = [("size", [NAN, 1]), ("size", [0.3, INF]), ("size", NAN), ("size", [0, 1]),
              ("size", [1, 0.5]), ("size", [1, 20]), ("size", "big"),
              ("colour", [1, NAN, 0]), ("colour", [1, 0, INF]), ("colour", [2, 0, 0]),
              ("colour", "pink"), ("colour", [1, 0]),
              ("roughness", NAN), ("roughness", INF), ("roughness", 2), ("metallic", NAN),
              ("metallic", -1), ("weight", NAN), ("weight", INF), ("weight", 0),
              ("weight", -1), ("weight", True), ("weight", 1e39)]
    for n, (key, value) in enumerate(params):
        cases.append(Case(f"anomaly_params.drill.{key}-{n}", (f"'anomaly_params.drill.{key}",),
                          config={"anomaly_params": {"drill": {key: value}}}))
    return cases


CASES = _number_cases() + [
    # --- limits Blender would clamp or overflow silently ------------------------------------
    Case("resolution-too-wide", ("'resolution[0]'", "70000", "65536"),
         config={"resolution": [70000, 8]}),
    Case("resolution-too-high", ("'resolution[1]'", "70000"), config={"resolution": [8, 70000]}),
    Case("resolution-tiny", ("'resolution[0]'", "4"), config={"resolution": [4, 8]}),
    Case("resolution-nan", ("'resolution[0]'", "nan"), config={"resolution": [NAN, 72]}),
    Case("resolution-huge", ("'resolution[0]'",), config={"resolution": [HUGE, 72]}),
    Case("resolution-one", ("'resolution'",), config={"resolution": [128]}),
    Case("resolution-text", ("'resolution'", "128x72"), config={"resolution": "128x72"}),
    Case("resolution-bool", ("'resolution[0]'", "True"), config={"resolution": [True, 72]}),
    Case("resolution-fraction", ("'resolution[0]'", "128.5"),
         config={"resolution": [128.5, 72]}),
    Case("samples-zero", ("'samples'", "0"), config={"samples": 0}),
    Case("samples-over-cycles-max", ("'samples'", "16777217", "16777216"),
         config={"samples": 16777217}),
    Case("lens-zero", ("'lens_mm'", "0"), config={"lens_mm": 0}),
    Case("lens-below-blender-min", ("'lens_mm'", "0.5"), config={"lens_mm": 0.5}),
    Case("lens-negative", ("'lens_mm'", "-1"), config={"lens_mm": -1}),
    Case("anomaly-distance-zero", ("'anomaly_distance'", "0"), config={"anomaly_distance": 0}),
    Case("anomaly-distance-negative", ("'anomaly_distance'",), config={"anomaly_distance": -1}),
    Case("min-station-share-above-one", ("'pose_jitter.min_station_share'", "2"),
         config={"pose_jitter": {"min_station_share": 2}}),
    Case("min-pixel-whole-image", ("min_pixel is 9216", "9216 pixels"), config={"min_pixel": 128 * 72}),
    Case("min-pixel-negative", ("'min_pixel'", "-1"), config={"min_pixel": -1}),
    Case("day-interval-zero", ("'day_interval'", "0"), config={"day_interval": 0}),
    Case("start-day-negative", ("'start_day'", "-1"), config={"start_day": -1}),
    Case("end-before-start", ("end_day (1) is before start_day (2)",),
         config={"start_day": 2, "end_day": 1}),
    Case("two-billion-days", ("2000000000", "outside the ephemeris"),
         config={"start_day": 0, "end_day": 2_000_000_000}),
    Case("far-day-with-big-interval", ("outside the ephemeris",),
         config={"start_day": 0, "end_day": 2_000_000_000, "day_interval": 1_000_000_000}),
    Case("two-equal-sun-strengths", ("'sun_strength'", "10"), config={"sun_strength": [10, 10]}),
    Case("sun-strengths-same-file-name", ("'sun_strength'", "1.0000001"),
         config={"sun_strength": [1, 1.0000001]}),
    Case("two-equal-depths", ("'depths'", "0.5"), config={"depths": [0.5, 0.5]}),
    # --- cameras -------------------------------------------------------------------------
    Case("cams-negative", ("'cams[0]'", "-1"), config={"cams": [-1]}),
    Case("cams-fraction", ("'cams[0]'", "1.5"), config={"cams": [1.5]}),
    Case("cams-bool", ("'cams[0]'", "True"), config={"cams": [True]}),
    Case("cams-text", ("'cams'", "one"), config={"cams": "one"}),
    Case("cams-empty", ("'cams'",), config={"cams": []}),
    Case("cams-twice", ("'cams'",), config={"cams": [1, 1]}),
    Case("cams-nan-start", ("'cams.start'", "nan"), config={"cams": {"start": NAN, "end": 3}}),
    Case("cams-inf-end", ("'cams.end'", "inf"), config={"cams": {"start": 0, "end": INF}}),
    Case("cams-reversed", ("'cams'",), config={"cams": {"start": 3, "end": 1}}),
    Case("cams-two-billion", ("'cams'", "2000000000"),
         config={"cams": {"start": 0, "end": 2_000_000_000}}),
    Case("cams-not-in-table", ("camera 99",), config={"cams": [99]}),
    Case("cams-extra-key", ("'cams'",), config={"cams": {"start": 0, "end": 1, "step": 2}}),
    # --- names ---------------------------------------------------------------------------
    Case("colour-unknown", ("'colours[0]'", "pink"), config={"colours": ["pink"]}),
    Case("colour-unicode", ("'colours[0]'", "rød"), config={"colours": ["rød"]}),
    Case("colours-empty", ("'colours'",), config={"colours": []}),
    Case("colours-number", ("'colours[0]'", "1"), config={"colours": [1]}),
    Case("anomalies-empty", ("'anomalies'",), config={"anomalies": []}),
    Case("anomaly-unknown-kind", ("sparkle", "available: blanket"),
         config={"anomalies": ["sparkle"]}),
    Case("anomaly-unknown-normal-batch", ("sparkle",), config={"anomalies": ["sparkle"]},
         args=()),
    Case("anomaly-unicode-kind", ("dríll", "did you mean 'drill'"),
         config={"anomalies": ["dríll"]}),
    Case("anomaly-number", ("'anomalies[0]'",), config={"anomalies": [1]}),
    Case("anomaly-blank", ("'anomalies[0]'",), config={"anomalies": ["  "]}),
    Case("device-unknown", ("'device'", "tpu"), config={"device": "tpu"}),
    Case("device-number", ("'device'",), config={"device": 1}),
    Case("denoise-text", ("'denoise'", "yes"), config={"denoise": "yes"}),
    Case("denoise-number", ("'denoise'", "1"), config={"denoise": 1}),
    Case("station-without-cad-folder", ("'station'", "ISS.blend", "cad_models_path"),
         config={"station": "ISS.blend"}),
    Case("station-empty", ("'station'",), config={"station": ""}),
    Case("station-number", ("'station'",), config={"station": 5}),
    Case("unknown-key", ("unknown key 'samples_'", "did you mean 'samples'"),
         config={"samples_": 4}),
    Case("anomaly-params-list", ("'anomaly_params'",), config={"anomaly_params": [1]}),
    Case("anomaly-params-not-mapping", ("'anomaly_params.drill'",),
         config={"anomaly_params": {"drill": 5}}),
    Case("anomaly-params-unlisted-kind", ("'anomaly_params'", "octopus"),
         config={"anomaly_params": {"octopus": {}}}),
    Case("anomaly-params-typo", ("'anomaly_params.drill.sise'", "did you mean 'size'"),
         config={"anomaly_params": {"drill": {"sise": 1}}}),
    Case("pose-jitter-text", ("'pose_jitter'",), config={"pose_jitter": "x"}),
    Case("pose-jitter-unknown", ("'pose_jitter'",), config={"pose_jitter": {"scale": 1}}),
    # --- files ---------------------------------------------------------------------------
    Case("ephemeris-missing", ("ephemeris file not found", "nope.csv"),
         config={"ephemeris_path": "nope.csv"}),
    Case("ephemeris-folder", ("eph.csv", "folder"), config={"ephemeris_path": "eph.csv"},
         files={"eph.csv": DIR}),
    Case("ephemeris-binary", ("eph.csv",), config={"ephemeris_path": "eph.csv"},
         files={"eph.csv": bytes(range(256)) * 8}),
    Case("ephemeris-empty", ("eph.csv", "empty"), config={"ephemeris_path": "eph.csv"},
         files={"eph.csv": ""}),
    Case("ephemeris-garbage-text", ("eph.csv", "corrupt"), config={"ephemeris_path": "eph.csv"},
         files={"eph.csv": "hello, world\nnot, numbers\nstill, not\n"}),
    Case("ephemeris-day-outside", ("day 2 is outside the ephemeris",),
         config={"ephemeris_path": "eph.csv"}, files={"eph.csv": GOOD_ROW + "\n" + GOOD_ROW}),
    Case("ephemeris-number", ("'ephemeris_path'",), config={"ephemeris_path": 5}),
    Case("ephemeris-empty-string", ("'ephemeris_path'",), config={"ephemeris_path": ""}),
    Case("ephemeris-dev-zero", ("/dev/zero", "not a regular file"),
         config={"ephemeris_path": "/dev/zero"}),
    Case("poses-missing", ("camera pose table not found", "poses.csv"),
         config={"camera_poses": "poses.csv"}),
    Case("poses-folder", ("poses.csv", "folder"), config={"camera_poses": "poses.csv"},
         files={"poses.csv": DIR}),
    Case("poses-garbage", ("poses.csv", "header"), config={"camera_poses": "poses.csv"},
         files={"poses.csv": "garbage\n1,2,3\n"}),
    Case("poses-bad-row", ("poses.csv", "line 2"), config={"camera_poses": "poses.csv"},
         files={"poses.csv": "split,index,x,y,z,rx,ry,rz\ntest,0,1,2,nan,0,0,0\n"}),
    Case("poses-binary", ("poses.csv",), config={"camera_poses": "poses.csv"},
         files={"poses.csv": b"\xff\xfe\x00garbage"}),
    Case("poses-number", ("'camera_poses'",), config={"camera_poses": 5}),
    Case("poses-preset-typo", ("'camera_poses'", "orig", "did you mean 'original'"),
         config={"camera_poses": "orig"}),
    Case("output-dir-number", ("'output_dir'",), config={"output_dir": 5}),
    Case("output-dir-empty", ("'output_dir'",), config={"output_dir": ""}),
    Case("output-dir-is-a-file", ("blocker", "not a folder"),
         config={"output_dir": "blocker"}, files={"blocker": "a file"}),
    Case("output-dir-under-a-file", ("blocker",), config={"output_dir": "blocker/renders"},
         files={"blocker": "a file"}),
    Case("anomalies-path-missing", ("anomalies_path", "models", "does not exist"),
         config={"anomalies_path": "models"}),
    Case("anomalies-path-is-a-file", ("models",), config={"anomalies_path": "models"},
         files={"models": "a file"}),
    Case("garbage-obj", ("drill.obj",), config={"anomalies_path": "m", "anomalies": ["drill"]},
         files={"m/drill.obj": bytes(range(256)) * 4}),
    Case("garbage-glb", ("drill.glb",), config={"anomalies_path": "m", "anomalies": ["drill"]},
         files={"m/drill.glb": b"glTF garbage" * 10}),
    Case("garbage-gltf", ("drill.gltf",), config={"anomalies_path": "m", "anomalies": ["drill"]},
         files={"m/drill.gltf": "{not json"}),
    Case("garbage-blend", ("drill.blend",), config={"anomalies_path": "m", "anomalies": ["drill"]},
         files={"m/drill.blend": b"BLENDER garbage" * 10}),
    Case("empty-obj", ("drill.obj", "no mesh"),
         config={"anomalies_path": "m", "anomalies": ["drill"]}, files={"m/drill.obj": ""}),
    Case("model-is-a-folder", ("no model for 'drill'",),
         config={"anomalies_path": "m", "anomalies": ["drill"]}, files={"m/drill.blend": DIR}),
    Case("cad-folder-missing", ("cad_models_path", "does not exist"),
         config={"cad_models_path": "cad"}),
    Case("cad-folder-without-station", ("no model for 'ISS'",), config={"cad_models_path": "cad"},
         files={"cad/moon.obj": ""}),
    Case("cad-garbage-station", ("ISS.obj",), config={"cad_models_path": "cad"},
         files={"cad/ISS.obj": b"\x00\x01garbage"}),
    Case("path-with-nul", ("'ephemeris_path'",), text='ephemeris_path: "eph\\0.csv"\n'),
    Case("path-name-too-long", ("ephemeris file", "too long"),
         config={"ephemeris_path": "e" * 5000}),
    Case("output-name-too-long", ("output folder", "too long"), config={"output_dir": "o" * 300}),
    Case("path-lone-surrogate", ("'output_dir'",), text='output_dir: "\\ud800"\n'),
    Case("kind-lone-surrogate", ("'anomalies[0]'",), text='anomalies: ["\\ud800"]\n'),
    Case("symlink-loop", ("eph.csv",), config={"ephemeris_path": "eph.csv"},
         files={"eph.csv": LOOP}),
    Case("poses-overflow", ("poses.csv", "line 2"), config={"camera_poses": "poses.csv"},
         files={"poses.csv": "split,index,x,y,z,rx,ry,rz\ntest,0,1e39,2,3,0,0,0\n"
                             "test,1,1,2,3,0,0,0\n"}),
    Case("extended-ephemeris-header-only", ("eph.csv",), config={"ephemeris_path": "eph.csv"},
         files={"eph.csv": "epoch_utc,moon_r,moon_x\n"}),
    Case("extended-ephemeris-short-rows", ("eph.csv",), config={"ephemeris_path": "eph.csv"},
         files={"eph.csv": "epoch_utc,moon_r,moon_x,moon_y,moon_z\n2027-01-01,1,2\n" * 3}),
    Case("garbage-fbx", ("drill.fbx",), config={"anomalies_path": "m", "anomalies": ["drill"]},
         files={"m/drill.fbx": b"Kaydara FBX Binary  \x00garbage" * 4}),
    Case("empty-glb", ("drill.glb",), config={"anomalies_path": "m", "anomalies": ["drill"]},
         files={"m/drill.glb": b""}),
    Case("min-pixel-whole-image-default", ("min_pixel", "2000", "1024 pixels"),
         config={"min_pixel": None, "resolution": [32, 32]}),
    Case("recursive-alias", ("'sun_strength[1]'",), text="sun_strength: &a [1, *a]\n"),
    # nine levels of nine aliases: 9**9 numbers if anything expanded them (a message's repr)
    Case("alias-bomb", ("'pose_jitter.position'",), text="anomaly_params:\n  l0: &l0 [1, 2]\n"
         + "".join(f"  l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]\n" for n in range(1, 10))
         + "pose_jitter: {position: *l9}\n"),
    # --- the config file itself ----------------------------------------------------------
    Case("config-too-big", ("larger than 1024 KiB",), text="# padding\n" * 200_000),
    Case("config-with-bom", ("'samples'", "'x'"), text="\ufeffsamples: x\n"),
    Case("duplicate-key", ("'samples'", "line 1", "line 3"),
         text="samples: 4\nresolution: [128, 72]\nsamples: 8\n"),
    Case("duplicate-nested-key", ("'pose_jitter.position'", "line 2", "line 3"),
         text="pose_jitter:\n  position: 1\n  position: 2\n"),
    Case("duplicate-anomaly-param", ("'anomaly_params.drill.size'", "line 3", "line 4"),
         text="anomaly_params:\n  drill:\n    size: [0.3, 0.4]\n    size: [0.5, 0.6]\n"),
    Case("duplicate-flow-key", ("'cams.start'", "line 1"), text="cams: {start: 0, start: 1, end: 2}\n"),
    Case("config-is-a-list", ("expected a mapping",), text="- 1\n- 2\n"),
    Case("config-is-a-scalar", ("expected a mapping",), text="hello\n"),
    Case("config-binary", ("cannot read config file",), text=bytes(range(256)) * 16),
    Case("config-nul-byte", ("not valid YAML",), text="samples: 4\x00\n"),
    Case("config-bad-yaml", ("not valid YAML at line",), text="start_day: [1\n"),
    Case("config-tab-indent", ("not valid YAML",), text="pose_jitter:\n\tposition: 1\n"),
    Case("config-python-tag", ("not valid YAML",),
         text="start_day: !!python/object/apply:os.system ['echo hi']\n"),
    Case("config-null-value", ("'samples'", "None"), text="samples:\n"),
    Case("config-integer-key", ("unknown key '1'",), text="1: 2\n"),
    Case("config-missing", ("config file not found",), command=(
        "render", "--config", "{tmp}/nope.yaml", "--exp_num", "1", "--dry-run")),
    Case("config-folder", ("folder",), command=(
        "render", "--config", "{tmp}", "--exp_num", "1", "--dry-run")),
    Case("config-dev-zero", ("/dev/zero", "not a regular file"), command=(
        "render", "--config", "/dev/zero", "--exp_num", "1", "--dry-run")),
    # --- render flags --------------------------------------------------------------------
    Case("exp-num-negative", ("--exp_num", "-1"), args=("--exp_num", "-1")),
    Case("exp-num-huge", ("--exp_num", str(HUGE)), args=("--exp_num", str(HUGE))),
    Case("exp-num-text", ("--exp_num", "abc"), args=("--exp_num", "abc")),
    Case("exp-num-fraction", ("--exp_num", "1.5"), args=("--exp_num", "1.5")),
    Case("exp-num-missing", ("--exp_num",), command=("render", "--dry-run")),
    Case("flag-seed-huge", ("--seed", str(HUGE)), args=("--seed", str(HUGE))),
    Case("flag-seed-huge-negative", ("--seed", str(-HUGE)), args=("--seed", str(-HUGE))),
    Case("flag-seed-text", ("--seed", "abc"), args=("--seed", "abc")),
    Case("flag-seed-nan", ("--seed", "nan"), args=("--seed", "nan")),
    Case("shard-reversed", ("--shard", "3/2"), args=("--shard", "3/2")),
    Case("shard-text", ("--shard", "a/b"), args=("--shard", "a/b")),
    Case("shard-zero", ("--shard", "0/0"), args=("--shard", "0/0")),
    Case("shard-negative", ("--shard",), args=("--shard", "-1/2")),
    Case("shard-negative-joined", ("--shard", "-1/2"), args=("--shard=-1/2",)),
    Case("mode-unknown", ("glitter",), args=("--mode", "glitter")),
    Case("flag-unknown", ("--sed",), args=("--sed", "5")),
    # --- the other commands that render ---------------------------------------------------
    *[Case(f"gallery-{name}", fragments, files={"blocker": "a file"}, command=(
        "gallery", "--out", "{tmp}/renders/g.png", "--workdir", "{tmp}/renders/w",
        "--resolution", "64", "36", "--samples", "1", *flags))
      for name, fragments, flags in [
          ("seed-huge", ("--seed", str(HUGE)), ("--seed", str(HUGE))),
          ("resolution-too-wide", ("--resolution", "70000"), ("--resolution", "70000", "8")),
          ("samples-zero", ("--samples", "0"), ("--samples", "0")),
          ("samples-huge", ("--samples", str(HUGE)), ("--samples", str(HUGE))),
          ("day-negative", ("--day", "-1"), ("--day", "-1")),
          ("day-outside", ("day 99999",), ("--day", "99999")),
          ("cam-negative", ("--cam", "-1"), ("--cam", "-1")),
          ("cam-not-in-table", ("camera 999",), ("--cam", "999", "--kinds", "drill")),
          ("distance-nan", ("--distance", "nan"), ("--distance", "nan")),
          ("distance-zero", ("--distance", "0"), ("--distance", "0")),
          ("kinds-unknown", ("sparkle",), ("--kinds", "sparkle")),
          ("out-under-a-file", ("blocker",), ("--out", "{tmp}/blocker/g.png")),
      ]],
    Case("ephemeris-days-nan", ("days", "nan"), command=(
        "ephemeris", "--start", "2027-01-01", "--days", "nan", "--out", "{tmp}/renders/e.csv")),
    Case("ephemeris-step-zero", ("step", "0s"), command=(
        "ephemeris", "--start", "2027-01-01", "--step", "0s", "--out", "{tmp}/renders/e.csv")),
    Case("ephemeris-out-under-a-file", ("blocker",), files={"blocker": "a file"}, command=(
        "ephemeris", "--start", "2027-01-01", "--days", "2", "--out", "{tmp}/blocker/e.csv")),
    Case("demo-seed-huge", ("--seed", str(HUGE)), command=("demo", "--seed", str(HUGE))),
    Case("demo-config-missing", ("config file not found",),
         command=("demo", "--config", "{tmp}/nope.yaml")),
    # --- a real render, not a dry run: the error still comes before anything is written ----
    Case("render-exp-num-negative", ("--exp_num", "-1"), args=("--exp_num", "-1"), dry_run=False),
    Case("render-resolution-too-wide", ("'resolution[0]'",),
         config={"resolution": [70000, 8]}, dry_run=False),
    Case("render-sun-nan", ("'sun_strength[0]'",), config={"sun_strength": [NAN]},
         args=("--mode", "illumination"), dry_run=False),
    Case("render-garbage-obj", ("drill.obj",), config={"anomalies_path": "m", "anomalies": ["drill"]},
         files={"m/drill.obj": bytes(range(256)) * 4}, dry_run=False),
    Case("render-garbage-glb", ("drill.glb",), config={"anomalies_path": "m", "anomalies": ["drill"]},
         files={"m/drill.glb": b"glTF garbage" * 10}, dry_run=False),
    Case("render-output-is-a-file", ("blocker",), config={"output_dir": "blocker"},
         files={"blocker": "a file"}, dry_run=False),
    Case("render-station-without-cad", ("'station'",), config={"station": "ISS.blend"},
         dry_run=False),
]


def _files(root):
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def _run_main(capfd, argv):
    """(exit status, stdout, stderr) of the CLI's main(); an exception escaping it is what a
    user would see as a traceback, so it is returned as the status."""
    from allo_addon.headless import main
    try:
        status = main([str(a) for a in argv])
    except SystemExit as exit_:
        status = exit_.code
    except Exception as error:        # noqa: BLE001 - reported as the case's failure
        status = f"traceback: {type(error).__name__}: {error}"
    out, err = capfd.readouterr()
    return status, out, err


def _argv(case, tmp_path):
    if case.command is not None:
        return [str(a).replace("{tmp}", str(tmp_path)) for a in case.command]
    config = tmp_path / "render_config.yaml"
    if case.text is not None:
        data = case.text if isinstance(case.text, bytes) else case.text.encode()
        config.write_bytes(data)
    else:
        values = {k: v for k, v in {**TINY, **(case.config or {})}.items() if v is not None}
        config.write_text(yaml.safe_dump(values, allow_unicode=True), encoding="utf-8")
    argv = ["render", "--config", config, "--exp_num", "1", *case.args]
    if "--exp_num" in case.args:     # the case's own --exp_num replaces the default one
        argv = ["render", "--config", config, *case.args]
        if "--anomaly" not in argv:
            argv.append("--anomaly")
    if case.dry_run:
        argv.append("--dry-run")
    return argv


def _write_files(case, tmp_path):
    for relative, content in case.files.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if content is DIR:
            path.mkdir()
        elif content is LOOP:
            path.symlink_to(path.name)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)


def check_one_error(status, out, err, expect):
    """The contract of a user mistake; returns what is wrong, or "" when all is right."""
    if status != 2:
        return f"exit status {status!r}, expected 2; stderr: {err[-600:]}"
    if "Traceback" in err + out:
        return f"a traceback: {err[-600:]}"
    lines = [l for l in err.splitlines() if l.startswith("error:")]
    if len(lines) != 1:
        return f"{len(lines)} error lines, expected 1: {err[-600:]}"
    line = lines[0]
    said = line.removeprefix("error: ")
    if (out + err).count(said) != 1:
        return f"the message is printed more than once: {line}"
    missing = [f for f in expect if f not in line]
    if missing:
        return f"the message lacks {missing}: {line}"
    return ""


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input(case, tmp_path, capfd):
    _write_files(case, tmp_path)
    argv = _argv(case, tmp_path)
    before = _files(tmp_path)
    status, out, err = _run_main(capfd, argv)
    problem = check_one_error(status, out, err, case.expect)
    assert not problem, problem
    assert _files(tmp_path) == before, "files were written before the error"


# --- what must keep working --------------------------------------------------------------
def _dry_run(capfd, tmp_path, *args, **config):
    config_path = tmp_path / "render_config.yaml"
    config_path.write_text(yaml.safe_dump({**TINY, **config}, allow_unicode=True),
                           encoding="utf-8")
    return _run_main(capfd, ["render", "--config", config_path, "--exp_num", "1", "--dry-run",
                             *args])


def test_a_good_config_plans(tmp_path, capfd):
    status, out, err = _dry_run(capfd, tmp_path, "--anomaly")
    assert status == 0, err
    assert "total: 8 images in 4 jobs" in out   # 4 anomalous images and their 4 normal twins


def test_a_negative_seed_is_used_as_given(tmp_path, capfd):
    """-1 once meant "the config's seed": now every seed a user types is the seed used."""
    plans = {}
    for seed in ("-5", "-1", "42"):
        status, out, err = _dry_run(capfd, tmp_path, "--anomaly", "--seed", seed)
        assert status == 0, err
        assert f"seed {seed}," in out
        plans[seed] = [l for l in out.splitlines() if l.strip().startswith("Camera")]
    assert plans["-5"] != plans["42"] and plans["-1"] != plans["42"]
    status, out, err = _dry_run(capfd, tmp_path, "--anomaly", seed=-5)
    assert status == 0, err
    assert "seed -5," in out and [l for l in out.splitlines()
                                   if l.strip().startswith("Camera")] == plans["-5"]


def test_limits_themselves_are_accepted(tmp_path, capfd):
    status, out, err = _dry_run(capfd, tmp_path, "--seed", str(INT32_MAX), "--exp_num",
                                str(INT32_MAX), resolution=[65536, 8], samples=16777216,
                                lens_mm=1.0)
    assert status == 0, err
    assert f"exp_{INT32_MAX}" in out and "65536×8" in out


def test_unicode_paths_and_repeated_kinds_are_fine(tmp_path, capfd):
    """Repeated kinds weight the draw, as in the original; `station: builtin` is the default."""
    status, out, err = _dry_run(capfd, tmp_path, "--anomaly", output_dir="rendus_é",
                                anomalies=["drill", "drill", "cable"], station="builtin")
    assert status == 0, err
    assert "rendus_é" in out


def test_min_pixel_matters_only_for_anomalous_batches(tmp_path, capfd):
    status, out, err = _dry_run(capfd, tmp_path, resolution=[32, 32], min_pixel=2000)
    assert status == 0, err
    status, out, err = _dry_run(capfd, tmp_path, "--anomaly", resolution=[32, 32], min_pixel=2000)
    assert status == 2 and "min_pixel is 2000" in err


def test_a_byte_order_mark_is_not_part_of_the_first_row(tmp_path, capfd):
    """Spreadsheets save CSVs with a BOM; it made row 0 of an ephemeris 'not a number'."""
    (tmp_path / "eph.csv").write_text("\ufeff" + "\n".join([GOOD_ROW] * 3) + "\n",
                                      encoding="utf-8")
    status, out, err = _dry_run(capfd, tmp_path, ephemeris_path="eph.csv", start_day=0,
                                end_day=2, cams=[0])
    assert status == 0, err
    assert "refused day" not in out and "jobs per day: 0: 1, 1: 1, 2: 1" in out


def test_blender_limits_match_the_constants_in_core():
    """core/ has no bpy, so it states Blender's hard limits as constants: they must be these."""
    import bpy

    from allo_addon.core.dataset import config as core
    from allo_addon.headless.blender_session import ensure_registered
    ensure_registered()
    scene = bpy.data.scenes[0]
    render = scene.render.bl_rna.properties
    assert core.RESOLUTION_MAX == render["resolution_x"].hard_max == render["resolution_y"].hard_max
    assert core.SAMPLES_MAX == scene.cycles.bl_rna.properties["samples"].hard_max
    assert core.LENS_MM_MIN == bpy.types.Camera.bl_rna.properties["lens"].hard_min
    assert core.FLOAT_MAX == bpy.types.Object.bl_rna.properties["location"].hard_max
    assert math.isfinite(core.FLOAT_MAX)
    # the integer properties the CLI's numbers pass through (and the panel's integer keys)
    for prop in (bpy.ops.allo.render_batch.get_rna_type().properties["seed"],
                 bpy.types.Scene.bl_rna.properties["allo"].fixed_type.properties["seed"]):
        assert (prop.hard_min, prop.hard_max) == (core.INT_MIN, core.INT_MAX)
