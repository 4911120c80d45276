"""Small exp_<N> render trees (docs/formats.md §5) written with Pillow, for the post-process tests.

Paths and names come from the modules the renderer writes with (core/dataset/layout.py,
core/dataset/names.py); tests/test_dataset_contract.py pins those literally.
"""

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from allo_addon.core.dataset.layout import (ANOMALY, ANOMALY_MASK, FB_MASK, MANIFEST, NORMAL, REFERENCE,
                                            camera_folder, image_files)
from allo_addon.core.dataset.names import anomaly_name, normal_name, parse_render_name

SIZE = (64, 36)  # width, height


@dataclass(frozen=True)
class Rendered:
    camera: str
    name: str
    kind: str
    anomaly_pixels: int | None


def _save(array: np.ndarray, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path)


def _fb(size, shift: int) -> np.ndarray:
    width, height = size
    fb = np.zeros((height, width), np.uint8)
    fb[height // 4: 3 * height // 4, shift: shift + width // 2] = 255  # "the station"
    return fb


def _anomaly(size, side: int, shift: int) -> np.ndarray:
    width, height = size
    anomaly = np.zeros((height, width), np.uint8)
    top = height // 2 - side // 2
    anomaly[top: top + side, shift + 4: shift + 4 + side] = 255  # overlaps the station
    return anomaly


def _image(fb, anomaly, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    image = rng.integers(0, 30, fb.shape + (3,), dtype=np.uint8)  # "space"
    image[fb > 0] = (150, 150, 160)
    if anomaly is not None:
        image[anomaly > 0] = (220, 30, 30)
    return image


def write_image(exp: Path, camera: str, kind: str, name: str, size=SIZE, side: int = 10,
                seed: int = 0) -> Rendered:
    """One image with its masks; an anomaly of side × side pixels when kind is 'anomaly'."""
    shift = 4 + seed % 8
    fb = _fb(size, shift)
    anomaly = _anomaly(size, side, shift) if kind == ANOMALY else None
    files = image_files(camera, kind, name)
    _save(_image(fb, anomaly, seed), exp / files["image"])
    _save(fb, exp / files[FB_MASK])
    if anomaly is not None:
        _save(anomaly, exp / files[ANOMALY_MASK])
    return Rendered(camera, name, kind, int((anomaly > 0).sum()) if anomaly is not None else None)


def make_normal_exp(exp: Path, cameras=(1, 2), days=(1, 2, 3), illuminations=(1, 10),
                    size=SIZE) -> list[Rendered]:
    rendered = []
    for k in cameras:
        for day in days:
            for illumination in illuminations:
                rendered.append(write_image(exp, camera_folder(k), NORMAL,
                                            normal_name(day, illumination), size,
                                            seed=k * 100 + day * 10 + int(illumination)))
    return rendered


def write_twin(exp: Path, camera: str, name: str, size=SIZE, seed: int = 0) -> Rendered:
    """An anomalous batch's anomaly-free twin: reference/<name>, reference_fb_mask/<name>."""
    fb = _fb(size, 4 + seed % 8)
    files = image_files(camera, REFERENCE, name)
    _save(_image(fb, None, seed), exp / files["image"])
    _save(fb, exp / files[FB_MASK])
    return Rendered(camera, name, REFERENCE, None)


def make_anomaly_exp(exp: Path, cameras=(1, 2), days=(1, 2), anomalies=("drill", "solar_panel"),
                     illuminations=(1, 10), size=SIZE, side: int = 10,
                     twins: bool = False) -> list[Rendered]:
    """twins: also each camera-day's twin per illumination (then write_manifest links them)."""
    rendered = []
    for k in cameras:
        for day in days:
            anomaly = anomalies[(k + day) % len(anomalies)]
            for illumination in illuminations:
                seed = k * 100 + day * 10 + int(illumination)
                for depth in (0, -1):
                    name = anomaly_name(day, anomaly, illumination, 0.5, depth, "red")
                    rendered.append(write_image(exp, camera_folder(k), ANOMALY, name, size, side,
                                                seed=seed))
                if twins:
                    rendered.append(write_twin(exp, camera_folder(k),
                                               normal_name(day, illumination), size, seed))
    return rendered


def write_manifest(exp: Path, rendered: list[Rendered], size=SIZE, extra=None) -> None:
    lines = []
    twins = {(r.camera, r.name) for r in rendered if r.kind == REFERENCE}
    for r in rendered:
        files = image_files(r.camera, r.kind, r.name)
        fields = parse_render_name(r.name)
        anomaly, links = None, {}
        if r.kind == ANOMALY:
            anomaly = {"name": fields.anomaly, "scale": float(fields.scale),
                       "depth": float(fields.depth), "colour": fields.colour}
            twin = normal_name(int(fields.day), float(fields.illumination))
            if (r.camera, twin) in twins:
                links = {"reference": image_files(r.camera, REFERENCE, twin)["image"]}
        record = {"kind": r.kind, "camera": r.camera, "camera_index": int(r.camera[6:]),
                  "day": int(fields.day), "image": files.pop("image"),
                  "masks": files, "resolution": list(size),
                  "sun_strength": float(fields.illumination),
                  "anomaly": anomaly, "anomaly_pixels": r.anomaly_pixels, "seed": 42,
                  "render_seconds": 1.5, **links, **(extra or {})}
        lines.append(json.dumps(record))
    (exp / MANIFEST).write_text("\n".join(lines) + "\n")


def tree(root: Path) -> list[str]:
    """Every file under root, as sorted relative POSIX paths."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def read(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path))
