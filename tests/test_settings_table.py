"""core/dataset/settings.py declares every render_config.yaml key once; what derives from it agrees.

README's key table, the written config, Config's fields and the per-key checks are compared
with the table here; the panel's properties in test_settings_panel (real Blender, below).
"""

import re
from dataclasses import fields
from pathlib import Path

import pytest

from allo_addon.core.dataset.config import Config, config_from_dict
from allo_addon.core.dataset.config_yaml import config_to_dict
from allo_addon.core.dataset.settings import BY_KEY, SETTINGS
from allo_addon.core.errors import UserError

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_key_rows() -> list[tuple[list[str], str]]:
    """(keys, default) of each row of the table under '## render_config.yaml'."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## render_config.yaml\n", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        if line.startswith("| `") and len(cells) >= 3:
            rows.append((re.findall(r"`(\w+)`", cells[0]), cells[1]))
    return rows


def test_readme_lists_every_key_once_with_its_default():
    rows = readme_key_rows()
    listed = [key for keys, _ in rows for key in keys]
    assert sorted(listed) == sorted(BY_KEY), "README's render_config.yaml table vs SETTINGS"
    assert len(listed) == len(set(listed))
    for keys, default in rows:   # a row of several keys lists their defaults in order
        assert default == ", ".join(BY_KEY[k].shown_default for k in keys), keys


def test_config_has_a_field_per_key_with_its_default():
    assert [f.name for f in fields(Config)] == [s.key for s in SETTINGS] + ["source"]
    for setting in SETTINGS:
        assert getattr(Config(), setting.key) == setting.default, setting.key


def test_the_written_config_holds_every_key_and_reads_back(tmp_path):
    config = config_from_dict({"cams": [4, 7], "pose_jitter": {"min_station_share": 0.3},
                               "anomaly_params": {"drill": {"weight": 2}}}, base_dir=tmp_path)
    written = config_to_dict(config)
    assert list(written) == [s.key for s in SETTINGS]
    assert config_from_dict(written, base_dir=tmp_path) == config


def test_a_config_without_keys_is_the_tables_defaults(tmp_path):
    assert config_from_dict({}, base_dir=tmp_path) == Config(output_dir=tmp_path / "renders")


@pytest.mark.parametrize("key", list(BY_KEY))
def test_every_key_is_checked_and_named(key, tmp_path):
    """No key reaches Config unchecked: a nested list is no value of any kind."""
    with pytest.raises(UserError, match=rf"^config: key '{key}[\[.']"):
        config_from_dict({key: [[]]}, base_dir=tmp_path)


@pytest.fixture
def registered():
    """The add-on registered, and unregistered after unless it already was (as test_gui_panel:
    the bpy module crashes at exit if left registered)."""
    bpy = pytest.importorskip("bpy")
    import allo_addon
    already = hasattr(bpy.types.Scene, "allo")
    if not already:
        allo_addon.register()
    yield bpy
    if not already and hasattr(bpy.types.Scene, "allo"):
        allo_addon.unregister()


@pytest.mark.blender
def test_settings_panel_has_a_property_per_key(registered):
    bpy = registered
    from allo_addon.properties import MAPPING_PROPERTIES
    properties = bpy.context.scene.allo.bl_rna.properties
    for setting in SETTINGS:
        if setting.kind == "mapping":   # its fields are written by hand in properties.py
            assert all(name in properties for name in MAPPING_PROPERTIES[setting.key])
            continue
        prop = properties[setting.key]
        assert prop.name == setting.label and prop.description == setting.help
        if setting.kind == "int":
            assert prop.default == setting.default
            assert prop.hard_min == (-2**31 if setting.minimum is None else setting.minimum)
        elif setting.kind == "choice":
            assert [item.identifier for item in prop.enum_items] == list(setting.choices)
