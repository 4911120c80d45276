"""The baseline's pure parts (README: "Baseline"), without torch: the numpy metrics against brute-force
definitions, the no-model baseline (distance to the median training image), the plan's
checks and configs, the table and the figure. The Anomalib part needs torch and is run by
`make baseline` / `make baseline-smoke`, not here."""

import itertools
import math

import numpy as np
import pytest

from allo_addon.core.baseline import median_reference, metrics, plan, report
from allo_addon.core.dataset.config import config_from_dict
from allo_addon.core.errors import UserError


def brute_auroc(scores, labels):
    pos = [s for s, l in zip(scores, labels) if l]
    neg = [s for s, l in zip(scores, labels) if not l]
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def brute_best_f1(scores, labels):
    best = 0.0
    for t in set(scores):
        predicted = [s >= t for s in scores]
        tp = sum(p and l for p, l in zip(predicted, labels))
        fp = sum(p and not l for p, l in zip(predicted, labels))
        fn = sum(l and not p for p, l in zip(predicted, labels))
        best = max(best, 2 * tp / (2 * tp + fp + fn))
    return best


@pytest.mark.parametrize("seed", range(5))
def test_auroc_and_best_f1_match_their_definitions_with_ties(seed):
    rng = np.random.default_rng(seed)
    scores = rng.integers(0, 6, size=40).astype(float)    # few values: many ties
    labels = rng.integers(0, 2, size=40)
    assert metrics.auroc(scores, labels) == pytest.approx(brute_auroc(scores, labels), abs=1e-12)
    assert metrics.best_f1(scores, labels) == pytest.approx(brute_best_f1(list(scores),
                                                                          list(labels)))


def test_auroc_extremes_and_undefined_cases():
    assert metrics.auroc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]) == 1.0
    assert metrics.auroc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1]) == 0.0
    assert math.isnan(metrics.auroc([0.1, 0.2], [1, 1]))   # one class only
    with pytest.raises(ValueError, match="3 scores for 2 labels"):
        metrics.auroc([1, 2, 3], [0, 1])


def test_f1_of_calling_everything_anomalous_is_what_a_small_test_set_rewards():
    """The issue's point: with few normal images, a constant 'anomalous' answer scores high."""
    labels = [0] * 12 + [1] * 30
    constant = metrics.best_f1(np.ones(len(labels)), labels)
    assert constant == pytest.approx(metrics.all_anomalous_f1(labels))
    assert metrics.all_anomalous_f1(labels) == pytest.approx(2 * 30 / (30 + 42))
    assert metrics.auroc(np.ones(len(labels)), labels) == 0.5   # AUROC is not fooled


def test_connected_regions_are_eight_connected():
    mask = np.zeros((6, 6), bool)
    mask[0, 0] = mask[1, 1] = True          # diagonal neighbours: one region
    mask[4:6, 4:6] = True                   # a second one
    labels = metrics.connected_regions(mask)
    assert labels.max() == 2 and labels[0, 0] == labels[1, 1] != labels[5, 5]
    assert (labels > 0).sum() == mask.sum()


def brute_aupro(maps, masks, limit=0.3):
    """Sweep every distinct score as a threshold; trapezoid over (FPR, mean region overlap)."""
    regions = []
    for mask in masks:
        lab = metrics.connected_regions(mask)
        regions += [(len(regions), lab == r) for r in range(1, lab.max() + 1)]
    region_of = []
    for image, mask in enumerate(masks):
        lab = metrics.connected_regions(mask)
        region_of.append([(image, lab == r) for r in range(1, lab.max() + 1)])
    all_regions = [r for image in region_of for r in image]
    normal = sum((~m).sum() for m in masks)
    points = [(0.0, 0.0)]
    for t in sorted({v for m in maps for v in m.ravel()}, reverse=True):
        fpr = sum(((m >= t) & ~k).sum() for m, k in zip(maps, masks)) / normal
        pro = np.mean([(maps[i][r] >= t).sum() / r.sum() for i, r in all_regions])
        points.append((fpr, pro))
    xs, ys = map(np.array, zip(*points))
    grid_x = np.r_[xs[xs < limit], limit]
    grid_y = np.interp(grid_x, xs, ys)
    return float(np.trapezoid(grid_y, grid_x) / limit) if hasattr(np, "trapezoid") \
        else float(np.trapz(grid_y, grid_x) / limit)


@pytest.mark.parametrize("seed", range(3))
def test_aupro_and_pixel_auroc_match_a_threshold_sweep(seed):
    rng = np.random.default_rng(seed)
    masks, maps = [], []
    for _ in range(3):
        mask = np.zeros((12, 16), bool)
        for _ in range(rng.integers(0, 3)):          # 0-2 regions of various sizes
            y, x = rng.integers(0, 10), rng.integers(0, 13)
            mask[y:y + rng.integers(1, 3), x:x + rng.integers(1, 4)] = True
        masks.append(mask)
        maps.append(np.round(rng.random(mask.shape) + 0.6 * mask, 2))   # ties, some signal
    if not any(m.any() for m in masks):
        masks[0][3:5, 3:6] = True
    assert metrics.aupro(maps, masks) == pytest.approx(brute_aupro(maps, masks), abs=1e-9)
    flat_scores = np.concatenate([m.ravel() for m in maps])
    flat_labels = np.concatenate([m.ravel() for m in masks])
    assert metrics.pixel_auroc(maps, masks) == pytest.approx(
        brute_auroc(list(flat_scores), list(flat_labels)), abs=1e-12)


def test_aupro_of_a_perfect_map_is_one_and_of_a_constant_one_is_the_diagonal():
    mask = np.zeros((20, 20), bool)
    mask[2:5, 2:5] = mask[10:12, 14:18] = True
    assert metrics.aupro([mask.astype(float)], [mask]) == pytest.approx(1.0)
    # a constant map has one threshold: the curve is the diagonal from (0, 0) to (1, 1), whose
    # area up to FPR 0.3, divided by 0.3, is 0.15 (what chance gives)
    assert metrics.aupro([np.zeros((20, 20))], [mask]) == pytest.approx(0.15)
    with pytest.raises(ValueError, match="differ in shape"):
        metrics.aupro([np.zeros((4, 4))], [mask])


def test_median_reference_finds_what_differs_from_the_training_images():
    rng = np.random.default_rng(1)
    background = rng.integers(0, 200, size=(18, 32, 3)).astype(np.uint8)
    train = [np.clip(background + rng.integers(-3, 4, background.shape), 0, 255)
             for _ in range(5)]
    train[0][4:8, 4:8] = 255                 # an outlier in one training image: median ignores it
    reference = median_reference.median_image(train)
    assert np.abs(reference - background).max() <= 3
    test = background.copy()
    test[10:14, 20:26] = (255, 0, 0)
    heat = median_reference.distance_map(test, reference)
    assert np.unravel_index(heat.argmax(), heat.shape)[0] in range(10, 14)
    normal_heat = median_reference.distance_map(background, reference)
    for reduction in median_reference.REDUCTIONS:
        assert median_reference.image_score(heat, reduction) > \
            median_reference.image_score(normal_heat, reduction)
    with pytest.raises(ValueError, match="differ in shape"):
        median_reference.distance_map(test[:-1], reference)


def test_box_blur_is_the_windowed_mean():
    values = np.random.default_rng(2).random((7, 9))
    blurred = median_reference.box_blur(values, 3)
    padded = np.pad(values, 1, mode="edge")
    for y, x in itertools.product(range(7), range(9)):
        assert blurred[y, x] == pytest.approx(padded[y:y + 3, x:x + 3].mean())


@pytest.mark.parametrize("text, message", [
    ("padim,resnet", "unknown model 'resnet'"),
    ("draem", "Draem downloads the DTD texture set"),
    ("padim,,patchcore", "comma-separated list"),
    ("padim,PaDiM", "names a model twice"),
])
def test_model_list_mistakes_are_named(text, message):
    with pytest.raises(UserError, match=message):
        plan.parse_models(text)


def test_model_list_and_size():
    assert plan.parse_models("PatchCore, padim") == ("patchcore", "padim")
    assert plan.parse_size("small") is plan.SIZES[plan.DEFAULT_SIZE]
    with pytest.raises(UserError, match="--size 'huge': expected one of tiny, small, medium"):
        plan.parse_size("huge")


@pytest.mark.parametrize("size", plan.SIZES)
def test_render_configs_are_valid_and_keep_days_apart(size, tmp_path):
    """Each config passes the renderer's own config check; the anomalous batches render days
    after the normal batch's (a camera-day in one split only), with twins, one per protocol."""
    configs = plan.render_configs(plan.SIZES[size], str(tmp_path))
    parsed = {name: config_from_dict(raw, tmp_path) for name, raw in configs.items()}
    normal_days = set(range(parsed["normal"].start_day, parsed["normal"].end_day + 1))
    for protocol in plan.PROTOCOLS:
        anomalous = parsed[protocol]
        assert anomalous.protocol == protocol and anomalous.references
        days = set(range(anomalous.start_day, anomalous.end_day + 1))
        assert days and not days & normal_days
    counts = plan.SIZES[size].counts()
    assert counts["normal"] == len(normal_days) * len(configs["normal"]["sun_strength"]) \
        * plan.SIZES[size].cams


def test_results_table_and_figure():
    rows = [report.Row("novel-view", "PaDiM", "no",
                       {"image_auroc": 0.75, "image_f1": 0.8, "pixel_auroc": float("nan"),
                        "aupro": 0.5}, seconds=61.2, images={"normal": 3, "anomalous": 4})]
    table = report.results_table(rows).splitlines()
    assert table[2] == "| novel-view | PaDiM | no | 0.750 | 0.800 | n/a | 0.500 | 3 + 4 | 61 s |"
    tile = np.zeros((9, 16, 3), np.uint8)
    figure = report.heatmap_figure([("a", [tile, tile]), ("b", [tile, tile])], ["x", "y"])
    assert figure.size == (2 * 16 + 2, 14 + 2 * (14 + 9 + 2))
    ramp = report.colourise(np.array([[0.0, 0.5, 1.0, 2.0]]), 0.0, 1.0)
    brightness = ramp.sum(-1)[0]
    assert brightness[0] < brightness[1] < brightness[2] == brightness[3]   # clipped above


def test_evaluate_groups_averages_cameras_instead_of_pooling_their_scores():
    mask = np.zeros((4, 4), bool)
    mask[1, 1] = True
    empty = np.zeros((4, 4), bool)

    def p(group, label, score):
        heat = np.full((4, 4), score)
        return report.Prediction("x", group, label, score, heat, mask if label else empty)
    # each camera separates perfectly, but camera 2's scores are all higher than camera 1's
    predictions = [p("Camera1", 0, 0.1), p("Camera1", 1, 0.2),
                   p("Camera2", 0, 0.8), p("Camera2", 1, 0.9)]
    assert report.evaluate_groups(predictions)["image_auroc"] == 1.0
    assert report.evaluate(predictions)["image_auroc"] == 0.75   # pooled: 3 of 4 pairs


def test_report_states_config_seed_backbone_and_the_f1_warning(tmp_path):
    from allo_addon.core.baseline import document
    size = plan.SIZES["tiny"]
    configs = {}
    for name, raw in plan.render_configs(size, "../renders").items():
        configs[name] = tmp_path / f"{name}.yaml"
        configs[name].write_text(f"start_day: {raw['start_day']}\n", encoding="utf-8")
    rows = [report.Row("same-view", "PaDiM", "no", dict.fromkeys(report.METRICS, 0.5),
                       seconds=3.0, images={"normal": 2, "anomalous": 2}, groups=2)]
    written = document.write_report(
        tmp_path / "docs", figure=None, rows=rows, size_name="tiny", size=size,
        models=("padim",), seed=7, pre_trained={"pre_trained": False, "why": "offline"},
        configs=configs, timings={"render normal": 65.0}, command="python -m … baseline",
        environment={"date": "d", "cpus": 2, "machine": "x86_64", "python": "3.11",
                     "versions": {"torch": "2"}})
    text = written[0].read_text(encoding="utf-8")
    assert written == [tmp_path / "docs" / "baseline.md"]
    assert "| same-view | PaDiM | no | 0.500 | 0.500 | 0.500 | 0.500 | 2 + 2 in 2 cameras |" \
        in text
    assert "Backbones: pre_trained=False — offline." in text
    assert "pre_trained=False)` |" in text and "coreset" not in text   # only the models run
    assert "Read the F1 column with care" in text and "seed 7" in text
    assert "| render normal | 1 min 05 s |" in text
    assert f"`same-view` (exp_3):\n\n```yaml\nstart_day: {size.normal_days + 1}\n```" in text
    assert "baseline_heatmaps.png" not in text   # no figure, no link to one


@pytest.fixture(scope="module")
def benchmark(tmp_path_factory):
    """The baseline's layout on generated renders: one normal batch (days 1-2) post-processed
    into <root>/train, an anomalous one with twins (days 3-4) into <root>/test, two cameras."""
    from allo_addon.core.postprocess import PostprocessRequest, postprocess
    from postprocess_tree import make_anomaly_exp, make_normal_exp, write_manifest
    root = tmp_path_factory.mktemp("baseline")
    write_manifest(root / "exp_1", make_normal_exp(root / "exp_1", cameras=(1, 2), days=(1, 2)))
    write_manifest(root / "exp_2", make_anomaly_exp(root / "exp_2", cameras=(1, 2), days=(3, 4),
                                                    twins=True), extra={"min_pixel": 50})
    postprocess(PostprocessRequest(input=root / "exp_1", output=root / "split" / "train",
                                   workers=1))
    postprocess(PostprocessRequest(input=root / "exp_2", output=root / "split" / "test",
                                   anomaly=True, workers=1))
    return root / "split"


def test_groups_read_what_folder_reads_and_the_median_baseline_scores_them(benchmark):
    from allo_addon.core.baseline import dataset
    assert dataset.cameras_with_images(benchmark / "train") == (1, 2)
    group = dataset.Group("Camera1", benchmark, (1,), (1,))
    train = dataset.train_images(group)
    tests = dataset.test_images(group)
    assert train and all("/train/Camera1/images/" in p.as_posix() for p in train)
    anomalous = [t for t in tests if t[1] == 1]
    normal = [t for t in tests if t[1] == 0]
    assert anomalous and normal and len(anomalous) + len(normal) == len(tests)
    for image, _, truth in anomalous:   # each anomalous image with its own 0/255 ground truth
        assert truth.parent.name == "ground_truth" and truth.name == image.name
        assert truth.is_file()
    assert all(truth is None and "/normal/images/" in image.as_posix()
               for image, _, truth in normal)
    predictions = dataset.median_predictions(group, "max")
    assert [p.label for p in predictions] == [t[1] for t in tests]
    for prediction in predictions:
        assert prediction.heat.shape == prediction.mask.shape
        assert prediction.mask.any() == bool(prediction.label)
    values = report.evaluate(predictions)
    assert set(values) == set(report.METRICS)
    assert all(0.0 <= v <= 1.0 for v in values.values())
