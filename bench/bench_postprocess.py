"""postprocess_speedup: the post-process against a plain sequential version of the original.

A tree of COUNT anomalous 1920x1080 image/mask triples is generated in a temporary folder
(a few distinct synthetic scenes, copied under many names: decoding cost is per file, not per
distinct picture). The reference is the original preprocess.py algorithm in one process: decode
the anomaly mask, the image and the fb mask, check shape and size, combine, and write image and
mask with OpenCV's default PNG settings (level 1, RLE). Both runs must give identical masks.
"""

import os
import shutil
import tempfile
import time
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

from allo_addon.core.postprocess import PostprocessRequest, postprocess

COUNT = 200
SIZE = (1920, 1080)
CAMERAS = 2
SCENES = 6
MIN_PIXEL = 2000
# cv2.imwrite's PNG defaults (IMWRITE_PNG_COMPRESSION 1, IMWRITE_PNG_STRATEGY_RLE)
REFERENCE_PNG = {"compress_level": 1, "compress_type": zlib.Z_RLE}


# --- the synthetic render tree ---------------------------------------------------------------

def synthetic_scene(size, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(image RGB, fb mask, anomaly mask): a Moon, a station, an anomaly, mild render noise."""
    width, height = size
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    cx, cy, radius = width * rng.uniform(0.6, 0.9), height * rng.uniform(0.1, 0.4), height * 0.35
    moon = (x - cx) ** 2 + (y - cy) ** 2 < radius ** 2
    shade = 110 + 35 * np.sin(x / 41.0 + seed) * np.cos(y / 29.0) + 20 * np.sin(x / 7.0 + y / 11.0)
    station = (np.abs(x - width * 0.45) < width * 0.22) & (np.abs(y - height * 0.55) < height * 0.1)
    station |= (np.abs(x - width * 0.45) < width * 0.03) & (np.abs(y - height * 0.55) < height * 0.35)
    ax, ay = width * 0.45 + rng.uniform(-150, 150), height * 0.55 + rng.uniform(-40, 40)
    anomaly = ((x - ax) / 70.0) ** 2 + ((y - ay) / 45.0) ** 2 < 1.0
    image = np.zeros((height, width, 3), np.float32)
    image[moon] = shade[moon, None] * np.array([1.0, 1.0, 0.97], np.float32)
    image[station] = (shade[station, None] * 0.6 + 60) * np.array([0.95, 0.97, 1.0], np.float32)
    image[anomaly] = np.array([200, 40, 35], np.float32) * (0.8 + 0.2 * np.sin(x[anomaly, None] / 5))
    image += rng.normal(0, 2.5, image.shape).astype(np.float32)
    image = image.clip(0, 255).astype(np.uint8)
    return image, ((moon | station) * 255).astype(np.uint8), (anomaly * 255).astype(np.uint8)


def make_anomalous_tree(exp: Path, count: int = COUNT, size=SIZE, scenes: int = SCENES) -> None:
    names = [f"{day}_drill_{illum:g}_0.5_{depth:g}_red.png"
             for day in range(1, 100) for illum in (1, 5, 10) for depth in (0, -1, 1)]
    per_camera = -(-count // CAMERAS)
    encoded = []
    for scene in range(scenes):
        folder = exp / ".scenes" / str(scene)
        folder.mkdir(parents=True)
        for array, part in zip(synthetic_scene(size, scene), ("anomaly", "fb_mask", "anomaly_mask")):
            Image.fromarray(array).save(folder / f"{part}.png")
        encoded.append(folder)
    for index in range(count):
        camera = f"Camera{index // per_camera + 1}"
        name = names[index % per_camera]
        for part in ("anomaly", "fb_mask", "anomaly_mask"):
            (exp / camera / part).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(encoded[index % scenes] / f"{part}.png", exp / camera / part / name)
    shutil.rmtree(exp / ".scenes")


# --- the reference: the original algorithm, sequential ---------------------------------------

def reference_postprocess(exp: Path, output: Path, min_pixel: int = MIN_PIXEL) -> int:
    written = 0
    height, width = SIZE[1], SIZE[0]
    for camera in sorted(p for p in exp.iterdir() if p.name.startswith("Camera")):
        images_out, masks_out = output / camera.name / "images", output / camera.name / "masks"
        images_out.mkdir(parents=True, exist_ok=True)
        masks_out.mkdir(parents=True, exist_ok=True)
        for mask_path in sorted((camera / "anomaly_mask").iterdir()):
            anomaly = np.asarray(Image.open(mask_path).convert("L"))
            if anomaly.shape != (height, width):
                continue
            image = np.asarray(Image.open(camera / "anomaly" / mask_path.name).convert("RGB"))
            if image.shape != (height, width, 3) or np.sum(anomaly == 255) <= min_pixel:
                continue
            fb = np.asarray(Image.open(camera / "fb_mask" / mask_path.name).convert("L"))
            combined = np.zeros_like(anomaly, dtype=np.uint8)
            combined[fb == 255] = 1
            combined[anomaly == 255] = 2
            Image.fromarray(combined).save(masks_out / mask_path.name, **REFERENCE_PNG)
            Image.fromarray(image).save(images_out / mask_path.name, **REFERENCE_PNG)
            written += 1
    return written


def _same_pixels(a: Path, b: Path) -> bool:
    return np.array_equal(np.asarray(Image.open(a)), np.asarray(Image.open(b)))


def _compare(reference: Path, ours: Path) -> tuple[bool, bool]:
    """(all masks identical, a sample of images identical)."""
    masks = sorted(reference.glob("Camera*/masks/*.png"))
    same_masks = len(masks) == len(list(ours.glob("Camera*/masks/*.png"))) and all(
        _same_pixels(m, ours / m.relative_to(reference)) for m in masks)
    images = sorted(reference.glob("Camera*/images/*.png"))[::20]
    same_images = all(_same_pixels(i, ours / i.relative_to(reference)) for i in images)
    return same_masks, same_images


def run(args=None):
    workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    with tempfile.TemporaryDirectory(prefix="allo-bench-postprocess-") as temporary:
        root = Path(temporary)
        exp = root / "exp_1"
        make_anomalous_tree(exp)

        started = time.perf_counter()
        reference_count = reference_postprocess(exp, root / "reference")
        reference_seconds = time.perf_counter() - started

        started = time.perf_counter()
        summary = postprocess(PostprocessRequest(input=exp, output=root / "test", anomaly=True,
                                                 min_pixel=MIN_PIXEL, workers=workers))
        ours_seconds = time.perf_counter() - started

        started = time.perf_counter()  # the same in one process: what the pool adds
        postprocess(PostprocessRequest(input=exp, output=root / "one", anomaly=True,
                                       min_pixel=MIN_PIXEL, workers=1))
        one_process_seconds = time.perf_counter() - started

        same_masks, same_images = _compare(root / "reference", root / "test")
    settings = {"images": COUNT, "size": list(SIZE), "workers": workers,
                "accepted": summary.total_accepted, "reference_accepted": reference_count}
    reference_rate = reference_count / reference_seconds
    ours_rate = summary.total_accepted / ours_seconds
    yield {"metric": "postprocess_images_per_s", "value": round(ours_rate, 2),
           "unit": "images/s", **settings}
    yield {"metric": "postprocess_one_process_images_per_s",
           "value": round(summary.total_accepted / one_process_seconds, 2), "unit": "images/s",
           **settings, "workers": 1}
    yield {"metric": "postprocess_reference_images_per_s", "value": round(reference_rate, 2),
           "unit": "images/s", **settings}
    yield {"metric": "postprocess_speedup", "value": round(ours_rate / reference_rate, 2),
           "unit": "x", "identical_masks": same_masks, "identical_images_sampled": same_images,
           "target": 1.8, **settings}
