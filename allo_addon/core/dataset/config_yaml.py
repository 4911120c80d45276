"""A Config written back as render_config.yaml: every key, so that load_config reads it back
to the same Config (the panel's Export, and the record of what a GUI batch was asked for)."""

from __future__ import annotations

from pathlib import Path

import yaml

from ..atomic_files import write_text
from .config import Config
from .settings import SETTINGS


def config_to_dict(config: Config) -> dict:
    """Plain YAML values, every key in SETTINGS' order; paths absolute (they were resolved when
    the Config was made)."""
    return {setting.key: setting.to_yaml(getattr(config, setting.key)) for setting in SETTINGS}


def write_config(config: Config, path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = ("# render_config.yaml written by ALLO (every key; see docs/formats.md §2)\n"
            + yaml.safe_dump(config_to_dict(config), sort_keys=False, default_flow_style=None))
    write_text(path, text)
    return path
