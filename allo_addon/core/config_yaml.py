"""A Config written back as render_config.yaml: every key, so that load_config reads it back
to the same Config (the panel's Export, and the record of what a GUI batch was asked for)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import yaml

from .atomic_files import write_text
from .config import Config


def config_to_dict(config: Config) -> dict:
    """Plain YAML values; paths absolute (they were resolved when the Config was made)."""
    values = asdict(config)
    values.pop("source")
    for key, value in values.items():
        if isinstance(value, Path):
            values[key] = str(value)
        elif isinstance(value, tuple):
            values[key] = list(value)
    values["camera_poses"] = str(config.camera_poses)
    values["anomaly_params"] = {kind: params.as_yaml() for kind, params in config.anomaly_params.items()}
    if config.pose_jitter.min_station_share is None:
        values["pose_jitter"]["min_station_share"] = "auto"
    return values


def write_config(config: Config, path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = ("# render_config.yaml written by ALLO (every key; see docs/formats.md §2)\n"
            + yaml.safe_dump(config_to_dict(config), sort_keys=False, default_flow_style=None))
    write_text(path, text)
    return path
