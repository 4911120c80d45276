"""A crash can cut the last line of exp_<N>/manifest.jsonl short: every reader skips it the same
way, and the next render removes it before it appends (real Blender for the resume). A split
folder's manifest.jsonl is read by the same rules."""

import json
import shutil

import numpy as np
import pytest
from PIL import Image

from allo_addon.core.dataset import manifest
from allo_addon.core.errors import UserError
from allo_addon.core.postprocess.output_manifest import read_output_manifest, read_render_manifest
from conftest import REPO, run_cli

RECORDS = [{"image": f"Camera0/normal/{day}_normal_2.png", "day": day} for day in (1, 2, 3)]


def lines(records):
    return "".join(json.dumps(r) + "\n" for r in records)


def torn(exp, text):
    exp.mkdir(parents=True, exist_ok=True)
    (exp / manifest.NAME).write_text(text)
    return exp


def test_every_reader_skips_a_torn_last_line(tmp_path):
    exp = torn(tmp_path / "exp_1", lines(RECORDS[:2]) + lines(RECORDS[2:])[:25])
    assert manifest.read_records(exp) == RECORDS[:2]
    assert list(read_render_manifest(exp)) == [r["image"] for r in RECORDS[:2]]


def test_a_whole_record_that_lost_only_its_newline_is_kept(tmp_path):
    exp = torn(tmp_path / "exp_1", lines(RECORDS).rstrip("\n"))
    assert manifest.read_records(exp) == RECORDS
    assert list(read_render_manifest(exp)) == [r["image"] for r in RECORDS]


@pytest.mark.parametrize("damage", ["{not json\n", "[1, 2]\n", '{"day": 1}\n',
                                    '{"image": 5}\n', '{"image": "a.png", "x": NaN}\n',
                                    "\udcff\n"])
def test_a_damaged_line_before_the_end_is_an_error_naming_it(tmp_path, damage):
    text = lines(RECORDS[:1]) + damage + lines(RECORDS[1:])
    path = tmp_path / "exp_1" / manifest.NAME
    path.parent.mkdir()
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    for read in (manifest.read_records, read_render_manifest):
        with pytest.raises(UserError, match=r"manifest.jsonl: line 2 is not a render record"):
            read(tmp_path / "exp_1")


def test_a_split_folders_manifest_is_read_by_the_same_rules(tmp_path):
    path = tmp_path / "train" / manifest.NAME
    path.parent.mkdir()
    path.write_text(lines(RECORDS[:2]) + lines(RECORDS[2:])[:25])
    assert read_output_manifest(path) == RECORDS[:2]   # a torn last line: skipped
    path.write_text(lines(RECORDS[:1]) + "[1, 2]\n" + lines(RECORDS[1:]))
    with pytest.raises(UserError, match=r"train/manifest.jsonl: line 2 is not a sample record "
                                        r"\(a JSON list, not an object\)"):
        read_output_manifest(path)


def test_appending_removes_a_torn_last_line_first(tmp_path):
    exp = torn(tmp_path / "exp_1", lines(RECORDS[:1]) + lines(RECORDS[1:2])[:30])
    writer = manifest.ManifestWriter(exp)
    assert writer.append(RECORDS[1]) and writer.append(RECORDS[2])
    assert [json.loads(line) for line in (exp / manifest.NAME).read_text().splitlines()] == RECORDS


def test_appending_completes_a_whole_record_that_lost_its_newline(tmp_path):
    exp = torn(tmp_path / "exp_1", lines(RECORDS[:2]).rstrip("\n"))
    writer = manifest.ManifestWriter(exp)
    assert not writer.append(RECORDS[1])          # already recorded: never a second line
    assert writer.append(RECORDS[2])
    assert [json.loads(line) for line in (exp / manifest.NAME).read_text().splitlines()] == RECORDS


@pytest.mark.blender
def test_resume_after_a_torn_last_line_records_everything(write_config, tmp_path):
    bpy = pytest.importorskip("bpy")
    from allo_addon.headless.blender_session import ensure_registered
    ensure_registered()
    config = write_config(start_day=1, end_day=2, cams=[0], resolution=[64, 36], samples=2)

    def render(exp_num):
        assert bpy.ops.allo.render_batch(config=str(config), exp_num=exp_num,
                                         modes={"illumination"}) == {"FINISHED"}
        return config.parent / "renders" / f"exp_{exp_num}"

    reference = render(1)
    complete = (reference / manifest.NAME).read_text().splitlines(keepends=True)
    assert len(complete) == 4
    # a crash while appending the third record: its files are in place, its line is torn,
    # the fourth image was never rendered
    exp = reference.parent / "exp_2"
    shutil.copytree(reference, exp)
    (exp / manifest.NAME).write_text("".join(complete[:2]) + complete[2][:40])
    fourth = json.loads(complete[3])
    for name in [fourth["image"], *fourth["masks"].values()]:
        (exp / name).unlink()

    render(2)
    resumed = (exp / manifest.NAME).read_text()
    assert resumed.endswith("\n")
    records = [json.loads(line) for line in resumed.splitlines()]
    key = lambda r: r["image"]
    stable = lambda r: {k: v for k, v in r.items() if k not in ("render_seconds", "exp_num")}
    assert sorted(map(stable, records), key=key) == \
        sorted((stable(json.loads(line)) for line in complete), key=key)
    for record in records:
        for name in [record["image"], *record["masks"].values()]:
            assert np.array_equal(np.asarray(Image.open(exp / name)),
                                  np.asarray(Image.open(reference / name))), name
    done = run_cli("postprocess", "--input", exp, "--output", tmp_path / "train",
                   "--workers", 1, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert "total: 4 accepted, 0 rejected" in done.stdout
