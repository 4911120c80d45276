"""Anomaly-detection metrics in plain numpy, the same for every model and for the no-model
baseline, so the baseline table compares like with like (and is tested without torch).

- image AUROC: the probability that an anomalous image scores above a normal one (ties count
  one half), i.e. the Mann-Whitney statistic; threshold-free.
- pixel AUROC: the same over every pixel of every test image, anomalous pixels against the rest.
- AUPRO (Bergmann et al., MVTec AD): the mean per-region overlap, integrated over the false
  positive rate of normal pixels from 0 to `fpr_limit` (0.3) and divided by it; a small
  anomaly counts as much as a large one, unlike pixel AUROC.
- image F1: the best F1 over all thresholds *chosen on the test set itself* (optimistic), and
  the F1 of calling every image anomalous, which a small test set makes look good.
"""

import numpy as np


def _as_labels(labels) -> np.ndarray:
    labels = np.asarray(labels).astype(bool).ravel()
    return labels


def auroc(scores, labels) -> float:
    """Area under the ROC curve; NaN when one class is absent (it is undefined then)."""
    scores = np.asarray(scores, dtype=np.float64).ravel()
    labels = _as_labels(labels)
    if scores.shape != labels.shape:
        raise ValueError(f"{scores.size} scores for {labels.size} labels")
    positives, negatives = int(labels.sum()), int((~labels).sum())
    if positives == 0 or negatives == 0:
        return float("nan")
    # Mann-Whitney U from average ranks (ties share their mean rank)
    order = np.argsort(scores, kind="mergesort")
    sorted_scores = scores[order]
    ranks = np.empty(scores.size, dtype=np.float64)
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_scores)) + 1]
    ends = np.r_[starts[1:], scores.size]
    mean_rank = (starts + ends + 1) / 2.0          # 1-based ranks start+1 … end, averaged
    ranks[order] = np.repeat(mean_rank, ends - starts)
    u = ranks[labels].sum() - positives * (positives + 1) / 2.0
    return float(u / (positives * negatives))


def best_f1(scores, labels) -> float:
    """The highest F1 of `score >= t` over every threshold t (chosen on these very images)."""
    scores = np.asarray(scores, dtype=np.float64).ravel()
    labels = _as_labels(labels)
    positives = int(labels.sum())
    if positives == 0:
        return float("nan")
    order = np.argsort(-scores, kind="mergesort")
    hits = np.cumsum(labels[order])
    predicted = np.arange(1, scores.size + 1)
    # only thresholds between distinct scores: a tie cannot be split
    last_of_tie = np.r_[np.flatnonzero(np.diff(scores[order])), scores.size - 1]
    tp, pp = hits[last_of_tie], predicted[last_of_tie]
    return float(np.max(2.0 * tp / (pp + positives)))


def all_anomalous_f1(labels) -> float:
    """F1 of a 'model' that calls every image anomalous: 2p / (1 + p) for an anomalous share p."""
    labels = _as_labels(labels)
    share = labels.mean() if labels.size else float("nan")
    return float(2 * share / (1 + share)) if share > 0 else float("nan")


def connected_regions(mask: np.ndarray) -> np.ndarray:
    """Label the 8-connected regions of a 2-D boolean mask: 0 outside, 1..n inside.
    Anomalies are small, so a flood fill over their pixels only is quick enough."""
    mask = np.asarray(mask, dtype=bool)
    labels = np.zeros(mask.shape, dtype=np.int32)
    height, width = mask.shape
    count = 0
    for y, x in zip(*np.nonzero(mask)):
        if labels[y, x]:
            continue
        count += 1
        labels[y, x] = count
        stack = [(y, x)]
        while stack:
            cy, cx = stack.pop()
            for ny in range(max(cy - 1, 0), min(cy + 2, height)):
                for nx in range(max(cx - 1, 0), min(cx + 2, width)):
                    if mask[ny, nx] and not labels[ny, nx]:
                        labels[ny, nx] = count
                        stack.append((ny, nx))
    return labels


def _pixels(maps, masks):
    maps = [np.asarray(m, dtype=np.float64) for m in maps]
    masks = [np.asarray(m).astype(bool) for m in masks]
    if len(maps) != len(masks):
        raise ValueError(f"{len(maps)} anomaly maps for {len(masks)} masks")
    for heat, truth in zip(maps, masks):
        if heat.shape != truth.shape:
            raise ValueError(f"anomaly map {heat.shape} and mask {truth.shape} differ in shape")
    return maps, masks


def pixel_auroc(maps, masks) -> float:
    maps, masks = _pixels(maps, masks)
    return auroc(np.concatenate([m.ravel() for m in maps]),
                 np.concatenate([m.ravel() for m in masks]))


def aupro(maps, masks, fpr_limit: float = 0.3) -> float:
    """Exact area under the per-region-overlap curve up to `fpr_limit`, normalised to [0, 1].

    Every pixel, sorted by falling score, moves the curve: a normal pixel adds 1/(normal
    pixels) to the false positive rate, a pixel of region r adds 1/(|r| * regions) to the mean
    overlap. Thresholds fall only between distinct scores."""
    maps, masks = _pixels(maps, masks)
    scores, weights_fpr, weights_pro = [], [], []
    labelled = [connected_regions(m) for m in masks]
    regions = sum(int(lab.max()) for lab in labelled)
    normal = sum(int((~m).sum()) for m in masks)
    if regions == 0 or normal == 0:
        return float("nan")
    for heat, lab in zip(maps, labelled):
        sizes = np.bincount(lab.ravel())
        inside = lab.ravel() > 0
        scores.append(heat.ravel())
        weights_fpr.append(np.where(inside, 0.0, 1.0 / normal))
        per_pixel = np.zeros(lab.size)
        per_pixel[inside] = 1.0 / (sizes[lab.ravel()[inside]] * regions)
        weights_pro.append(per_pixel)
    scores = np.concatenate(scores)
    order = np.argsort(-scores, kind="mergesort")
    fpr = np.cumsum(np.concatenate(weights_fpr)[order])
    pro = np.cumsum(np.concatenate(weights_pro)[order])
    last_of_tie = np.r_[np.flatnonzero(np.diff(scores[order])), scores.size - 1]
    fpr, pro = np.r_[0.0, fpr[last_of_tie]], np.r_[0.0, pro[last_of_tie]]
    fpr = np.minimum(fpr, 1.0)   # float sums may overshoot 1 by an ulp
    # cut the curve at fpr_limit, interpolating the overlap there
    end = np.searchsorted(fpr, fpr_limit, side="right")
    if end < fpr.size:
        x0, x1, y0, y1 = fpr[end - 1], fpr[end], pro[end - 1], pro[end]
        at_limit = y0 + (y1 - y0) * (fpr_limit - x0) / (x1 - x0) if x1 > x0 else y1
        fpr, pro = np.r_[fpr[:end], fpr_limit], np.r_[pro[:end], at_limit]
    area = np.sum((fpr[1:] - fpr[:-1]) * (pro[1:] + pro[:-1]) / 2.0)
    return float(area / fpr_limit)
