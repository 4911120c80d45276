"""Scores -> the baseline's table (docs/baseline.md) and heat-map figure. Pure numpy + Pillow.

A method's predictions for one protocol are a list of Prediction; `evaluate` turns a group of
them (all test images of the novel-view protocol, or one camera of the same-view protocol)
into the four metrics, `evaluate_groups` averages groups (same-view: one model per camera, so
scores of different cameras are not comparable and are never pooled into one ranking).
"""

import math
from dataclasses import dataclass, field

import numpy as np

from . import metrics

METRICS = ("image_auroc", "image_f1", "pixel_auroc", "aupro")


@dataclass
class Prediction:
    name: str             # the test image, e.g. "Camera1/images/7_cable_5_-1_0_default.png"
    group: str            # what one model saw: "all" (novel-view) or "Camera1" (same-view)
    label: int            # 1 anomalous, 0 normal
    score: float          # image score
    heat: np.ndarray      # HxW anomaly map at the image's own resolution
    mask: np.ndarray      # HxW ground truth, bool


@dataclass
class Row:
    protocol: str
    method: str
    pre_trained: str      # "yes", "no", or "-" (no backbone)
    values: dict          # metric -> value (NaN when undefined)
    seconds: float | None = None
    images: dict = field(default_factory=dict)   # "normal"/"anomalous" test image counts
    groups: int = 1


def evaluate(predictions) -> dict:
    labels = np.array([p.label for p in predictions])
    scores = np.array([p.score for p in predictions], dtype=np.float64)
    return {
        "image_auroc": metrics.auroc(scores, labels),
        "image_f1": metrics.best_f1(scores, labels),
        "pixel_auroc": metrics.pixel_auroc([p.heat for p in predictions],
                                           [p.mask for p in predictions]),
        "aupro": metrics.aupro([p.heat for p in predictions], [p.mask for p in predictions]),
    }


def by_group(predictions) -> dict:
    groups = {}
    for prediction in predictions:
        groups.setdefault(prediction.group, []).append(prediction)
    return dict(sorted(groups.items()))


def evaluate_groups(predictions) -> dict:
    """Each group's metrics, then their mean (NaN of a group without both kinds is left out)."""
    per_group = [evaluate(group) for group in by_group(predictions).values()]
    values = {}
    for key in METRICS:
        finite = [g[key] for g in per_group if not math.isnan(g[key])]
        values[key] = float(np.mean(finite)) if finite else float("nan")
    return values


def image_counts(predictions) -> dict:
    labels = [p.label for p in predictions]
    return {"normal": labels.count(0), "anomalous": labels.count(1)}


def _number(value) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:.3f}"


def results_table(rows) -> str:
    """Markdown: one line per protocol and method."""
    lines = ["| protocol | method | pre-trained backbone | image AUROC | image F1 (best "
             "threshold, on the test set) | pixel AUROC | AUPRO (FPR ≤ 0.3) | test images "
             "(normal + anomalous) | time |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for row in rows:
        images = (f"{row.images['normal']} + {row.images['anomalous']}"
                  + (f" in {row.groups} cameras" if row.groups > 1 else "")) if row.images else ""
        seconds = "" if row.seconds is None else f"{row.seconds:.0f} s"
        lines.append(f"| {row.protocol} | {row.method} | {row.pre_trained} | "
                     + " | ".join(_number(row.values.get(key)) for key in METRICS)
                     + f" | {images} | {seconds} |")
    return "\n".join(lines)


# ------------------------------------------------------------------ figure

# a perceptual dark-to-bright ramp (inferno's anchor colours), so 'hot' reads as 'anomalous'
_RAMP = np.array([[0, 0, 4], [40, 11, 84], [101, 21, 110], [159, 42, 99], [212, 72, 66],
                  [245, 125, 21], [250, 193, 39], [252, 255, 164]], dtype=np.float64)


def colourise(heat: np.ndarray, low: float, high: float) -> np.ndarray:
    """HxW values -> HxWx3 uint8 on the ramp, `low`..`high` spanning it (clipped)."""
    span = high - low if high > low else 1.0
    position = np.clip((np.asarray(heat, dtype=np.float64) - low) / span, 0, 1) \
        * (len(_RAMP) - 1)
    below = np.floor(position).astype(int).clip(0, len(_RAMP) - 2)
    weight = (position - below)[..., None]
    return (_RAMP[below] * (1 - weight) + _RAMP[below + 1] * weight).round().astype(np.uint8)


def display_range(heats) -> tuple:
    """One range per method and protocol (1st to 99.9th percentile of all its test maps), so
    a map's brightness compares across the images of one column."""
    values = np.concatenate([np.asarray(h, dtype=np.float64).ravel() for h in heats])
    return float(np.percentile(values, 1)), float(np.percentile(values, 99.9))


def heatmap_figure(rows, columns, title_height: int = 14):
    """rows: [(row label, [HxWx3 uint8 tile per column])]; columns: the column titles.
    Returns a PIL image: a title line, then one labelled line of tiles per row."""
    from PIL import Image, ImageDraw
    tile_h, tile_w = rows[0][1][0].shape[:2]
    gap = 2
    label_h = title_height
    width = len(columns) * (tile_w + gap) - gap
    height = title_height + len(rows) * (label_h + tile_h + gap)
    figure = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(figure)
    for index, title in enumerate(columns):
        draw.text((index * (tile_w + gap) + 2, 1), title, fill=(0, 0, 0))
    y = title_height
    for label, tiles in rows:
        draw.text((2, y + 1), label, fill=(60, 60, 60))
        y += label_h
        for index, tile in enumerate(tiles):
            figure.paste(Image.fromarray(np.asarray(tile, dtype=np.uint8)),
                         (index * (tile_w + gap), y))
        y += tile_h + gap
    return figure


def mask_tile(mask: np.ndarray) -> np.ndarray:
    """Ground truth as a tile: anomaly white on black."""
    tile = np.zeros(mask.shape + (3,), dtype=np.uint8)
    tile[np.asarray(mask, dtype=bool)] = 255
    return tile
