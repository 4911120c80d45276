"""Every method on both protocols: the no-model baseline, then each Anomalib model; the rows of
the table and the heat-map figure. Needs torch (through anomalib_models).

- novel-view: one model over all training cameras (train table), tested on all test cameras
  (the test table's other viewpoints); one ranking over all test images.
- same-view: one model per camera, tested on that camera's test images (the same viewpoint);
  each camera's metrics, then their mean (scores of separate models are never pooled).
"""

import time

from ..core.baseline import dataset, plan, report
from ..core.baseline.metrics import all_anomalous_f1
from ..core.baseline.median_reference import REDUCTIONS

FIGURE_IMAGES_PER_PROTOCOL = 2


def groups_of(out, protocol: str) -> list:
    root = out / protocol
    train = dataset.cameras_with_images(root / "train")
    test = dataset.cameras_with_images(root / "test")
    if protocol == "novel-view":
        return [dataset.Group("all", root, train, test)]
    return [dataset.Group(f"Camera{k}", root, (k,), (k,)) for k in test if k in train]


def _evaluate(protocol: str, predictions) -> dict:
    return (report.evaluate(predictions) if protocol == "novel-view"
            else report.evaluate_groups(predictions))


def model_predictions(name: str, group, size, seed: int, pre_trained: bool, work_dir) -> tuple:
    from .anomalib_models import train_and_score
    class_name, kwargs, _ = plan.MODELS[name]
    scored, seconds = train_and_score(class_name, kwargs, pre_trained, group.root, group.dirs,
                                      size.resolution, seed, size.max_epochs, work_dir)
    truth = {str(path): (label, mask) for path, label, mask in dataset.test_images(group)}
    predictions = []
    for item in scored:
        label, mask_path = truth[item.path]
        predictions.append(report.Prediction(
            name=str(item.path), group=group.name, label=label, score=item.score,
            heat=item.heat, mask=dataset.load_mask(mask_path, item.heat.shape)))
    if len(predictions) != len(truth):
        raise RuntimeError(f"{name} scored {len(predictions)} of {len(truth)} test images")
    return predictions, seconds


def evaluate_all(out, size, models, seed: int, pretrained_choice: str, timings: dict):
    from .anomalib_models import weights_available
    if pretrained_choice == "auto":
        pre_trained, why = weights_available()
    else:
        pre_trained = pretrained_choice == "yes"
        why = "asked for with --pretrained " + pretrained_choice
    print(f"backbones: pre_trained={pre_trained} ({why})", flush=True)
    rows, shown = [], {}
    for protocol in plan.PROTOCOLS:
        groups = groups_of(out, protocol)
        methods = {}
        for reduction in REDUCTIONS:
            started = time.perf_counter()
            predictions = [p for g in groups for p in dataset.median_predictions(g, reduction)]
            methods[f"{plan.MEDIAN}, {reduction}"] = ("-", predictions,
                                                     time.perf_counter() - started)
        for name in models:
            predictions, seconds = [], 0.0
            for group in groups:
                print(f"== {plan.TITLES[name]} on {protocol}, {group.name} ==", flush=True)
                found, took = model_predictions(name, group, size, seed, pre_trained,
                                                out / "anomalib" / protocol / name / group.name)
                predictions += found
                seconds += took
            timings[f"{name} {protocol}"] = seconds
            methods[plan.TITLES[name]] = ("yes" if pre_trained else "no", predictions,
                                          seconds)
        for method, (flag, predictions, seconds) in methods.items():
            rows.append(report.Row(protocol, method, flag, _evaluate(protocol, predictions),
                                   seconds=seconds, images=report.image_counts(predictions),
                                   groups=len(groups)))
            print(report.results_table(rows[-1:]).splitlines()[-1], flush=True)
        # the same heat map for both reductions: shown once, as the no-model baseline
        median = methods[f"{plan.MEDIAN}, max"][1]
        rows.append(report.Row(protocol, "every image called anomalous", "-",
                               {"image_auroc": 0.5,
                                "image_f1": all_anomalous_f1([p.label for p in median]),
                                "pixel_auroc": float("nan"), "aupro": float("nan")},
                               images=report.image_counts(median), groups=len(groups)))
        shown[protocol] = {f"{plan.MEDIAN} (no model)": median}
        shown[protocol].update({plan.TITLES[n]: methods[plan.TITLES[n]][1] for n in models})
    return rows, figure(out, shown), {"pre_trained": pre_trained, "why": why}


def figure(out, shown: dict):
    """A few anomalous test images per protocol (one per camera, first by name): the image,
    its ground truth, then each method's heat map (one colour range per method and protocol)."""
    rows, columns = [], None
    for protocol, methods in shown.items():
        reference = next(iter(methods.values()))
        picked, cameras = [], set()
        for index, prediction in enumerate(reference):
            camera = prediction.name.split("Camera")[-1].split("/")[0]
            if prediction.label == 1 and camera not in cameras and prediction.mask.any():
                picked.append(index)
                cameras.add(camera)
            if len(picked) == FIGURE_IMAGES_PER_PROTOCOL:
                break
        ranges = {m: report.display_range([p.heat for p in preds]) for m, preds in
                  methods.items()}
        columns = ["image", "ground truth"] + list(methods)
        for index in picked:
            name = reference[index].name
            image_path = name if name.startswith("/") else str(out / protocol / name)
            tiles = [dataset.load_rgb(image_path), report.mask_tile(reference[index].mask)]
            for method, predictions in methods.items():
                match = next(p for p in predictions if _same_image(p.name, name))
                tiles.append(report.colourise(match.heat, *ranges[method]))
            rows.append((f"{protocol}: {name.split(protocol + '/')[-1]}", tiles))
    # one column set for both protocols (the same methods ran on both)
    if not rows:
        return None
    return report.heatmap_figure(rows, columns)


def _same_image(a: str, b: str) -> bool:
    """Predictions name images relative to their protocol folder (no-model baseline) or by
    absolute path (Anomalib): compare by the tail."""
    return a.endswith(b) or b.endswith(a)


