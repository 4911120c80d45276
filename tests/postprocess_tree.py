"""Small exp_<N> render trees (docs/formats.md §5) written with Pillow, for the post-process tests."""

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

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
    anomaly = _anomaly(size, side, shift) if kind == "anomaly" else None
    _save(_image(fb, anomaly, seed), exp / camera / kind / name)
    _save(fb, exp / camera / "fb_mask" / name)
    if anomaly is not None:
        _save(anomaly, exp / camera / "anomaly_mask" / name)
    return Rendered(camera, name, kind, int((anomaly > 0).sum()) if anomaly is not None else None)


def normal_name(day: int, illumination: float) -> str:
    return f"{day}_normal_{illumination:g}.png"


def anomaly_name(day: int, anomaly: str, illumination: float, scale: float, depth: float,
                 colour: str) -> str:
    return f"{day}_{anomaly}_{illumination:g}_{scale:g}_{depth:g}_{colour}.png"


def make_normal_exp(exp: Path, cameras=(1, 2), days=(1, 2, 3), illuminations=(1, 10),
                    size=SIZE) -> list[Rendered]:
    rendered = []
    for k in cameras:
        for day in days:
            for illumination in illuminations:
                rendered.append(write_image(exp, f"Camera{k}", "normal",
                                            normal_name(day, illumination), size,
                                            seed=k * 100 + day * 10 + int(illumination)))
    return rendered


def write_twin(exp: Path, camera: str, name: str, size=SIZE, seed: int = 0) -> Rendered:
    """An anomalous batch's anomaly-free twin: reference/<name>, reference_fb_mask/<name>."""
    fb = _fb(size, 4 + seed % 8)
    _save(_image(fb, None, seed), exp / camera / "reference" / name)
    _save(fb, exp / camera / "reference_fb_mask" / name)
    return Rendered(camera, name, "reference", None)


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
                    rendered.append(write_image(exp, f"Camera{k}", "anomaly", name, size, side,
                                                seed=seed))
                if twins:
                    rendered.append(write_twin(exp, f"Camera{k}",
                                               normal_name(day, illumination), size, seed))
    return rendered


def write_manifest(exp: Path, rendered: list[Rendered], size=SIZE, extra=None) -> None:
    lines = []
    twins = {r.camera + "/" + r.name for r in rendered if r.kind == "reference"}
    for r in rendered:
        masks = {"fb_mask": f"{r.camera}/fb_mask/{r.name}"}
        anomaly, links = None, {}
        if r.kind == "reference":
            masks = {"fb_mask": f"{r.camera}/reference_fb_mask/{r.name}"}
        if r.kind == "anomaly":
            masks["anomaly_mask"] = f"{r.camera}/anomaly_mask/{r.name}"
            parts = r.name[:-4].split("_")
            anomaly = {"name": "_".join(parts[1:-4]), "scale": float(parts[-3]),
                       "depth": float(parts[-2]), "colour": parts[-1]}
            twin = f"{r.camera}/{parts[0]}_normal_{parts[-4]}.png"
            if twin in twins:
                links = {"reference": twin.replace("/", "/reference/")}
        record = {"kind": r.kind, "camera": r.camera, "camera_index": int(r.camera[6:]),
                  "day": int(r.name.split("_")[0]), "image": f"{r.camera}/{r.kind}/{r.name}",
                  "masks": masks, "resolution": list(size),
                  "sun_strength": float(r.name[:-4].split("_")[-4 if r.kind == "anomaly" else 2]),
                  "anomaly": anomaly, "anomaly_pixels": r.anomaly_pixels, "seed": 42,
                  "render_seconds": 1.5, **links, **(extra or {})}
        lines.append(json.dumps(record))
    (exp / "manifest.jsonl").write_text("\n".join(lines) + "\n")


def tree(root: Path) -> list[str]:
    """Every file under root, as sorted relative POSIX paths."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def read(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path))
