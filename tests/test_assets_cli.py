"""`python -m allo_addon.headless assets` lists the built-in models, without Blender."""

import subprocess
import sys

from conftest import REPO, run_cli

from allo_addon.core.ephemeris.bodies import NEAREST_FIRST
from allo_addon.core.assets.catalog import (ANOMALY_DESCRIPTIONS, ANOMALY_KINDS, STATION_PARTS,
                                            SURFACE_KINDS)


def sections(text):
    out, current = {}, None
    for line in text.splitlines():
        if line.startswith("# "):
            current = out.setdefault(line[2:], [])
        elif line.strip():
            current.append(line)
    return out


def test_assets_lists_every_kind_part_and_body():
    result = run_cli("assets")
    assert result.returncode == 0, result.stderr
    listed = sections(result.stdout)
    assert listed == {"anomalies": list(ANOMALY_KINDS), "station parts": list(STATION_PARTS),
                      "bodies": list(NEAREST_FIRST)}


def test_assets_describe_and_no_bpy_needed():
    # bpy made unimportable: the command must not need it
    code = ("import sys; sys.modules['bpy'] = None; from allo_addon.headless import main; "
            "sys.exit(main(['assets', '--describe']))")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    rows = sections(result.stdout)["anomalies"]
    assert [row.split()[0] for row in rows] == list(ANOMALY_KINDS)
    for kind, row in zip(ANOMALY_KINDS, rows):
        assert ANOMALY_DESCRIPTIONS[kind] in row
        assert row.endswith("(on a surface)") == (kind in SURFACE_KINDS)


def test_every_kind_has_a_description_and_surface_kinds_are_kinds():
    assert len(ANOMALY_KINDS) >= 12
    assert all(ANOMALY_DESCRIPTIONS[k].strip() for k in ANOMALY_KINDS)
    assert set(SURFACE_KINDS) <= set(ANOMALY_KINDS)
