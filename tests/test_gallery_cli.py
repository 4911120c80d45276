"""`gallery` end to end in a fresh process: station views and anomaly kinds rendered by Cycles
through the normal pipeline, one sheet written; a wrong kind is a clear error."""

import re

import pytest
from PIL import Image

from conftest import run_cli

pytestmark = pytest.mark.blender


def test_gallery_renders_station_views_and_the_asked_kinds(tmp_path):
    out = tmp_path / "sheet.png"
    result = run_cli("gallery", "--out", out, "--kinds", "drill", "frost", "--resolution", 192, 108,
                     "--samples", 1, "--workdir", tmp_path / "work")
    assert result.returncode == 0, result.stderr[-2000:]
    views = re.search(r"station: train cameras \[(.*)\] on days \[(\d+), (\d+)\]", result.stdout)
    assert views and len(views.group(1).split(",")) == 3 and views.group(2) == "10"
    assert re.search(r"^drill in front of the station, test Camera\d+: \d+ px$", result.stdout, re.M)
    assert re.search(r"^frost on the hull, test Camera\d+: \d+ px$", result.stdout, re.M)
    assert "gallery of 6 station views and 2 kinds" in result.stdout
    sheet = Image.open(out)
    assert sheet.width > 3 * (96 + 54) and sheet.height > 2 * 54
    rendered = list((tmp_path / "work" / "renders").glob("exp_*/Camera*/*/*.png"))
    assert len([p for p in rendered if "normal" in p.parts]) == 6


def test_gallery_unknown_kind_is_a_user_error(tmp_path):
    result = run_cli("gallery", "--out", tmp_path / "x.png", "--kinds", "drill", "toaster")
    assert result.returncode == 2
    assert "unknown anomaly kind 'toaster'" in result.stderr and "blanket" in result.stderr
    assert not (tmp_path / "x.png").exists()
