"""baseline.md: the table, what it measures, the exact configs and the seed. Pure text."""

import os
from pathlib import Path

from ..atomic_files import write_atomic, write_text
from . import plan
from .median_reference import BLUR
from .report import results_table

FIGURE_NAME = "baseline_heatmaps.png"


def _load(environment) -> str:
    load = environment.get("load")
    if not load:
        return "the machine's load was not recorded."
    return (f"the load average over the 15 minutes before the report was written was "
            f"{load[2]:.1f} on {environment['cpus']} cores (other jobs shared the machine when "
            f"it is above the core count).")


def _days(first: int, last: int) -> str:
    return f"day {first}" if first == last else f"days {first}–{last}"


def _seconds(value: float) -> str:
    minutes, seconds = divmod(round(value), 60)
    return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"


def markdown(*, rows, size_name, size, models, seed, pre_trained, configs, timings, command,
             environment, figure: bool) -> str:
    counts = size.counts()
    versions = ", ".join(f"{k} {v}" for k, v in environment["versions"].items())
    lines = [
        "# Baseline: Anomalib models on a small ALLO benchmark",
        "",
        f"Written by `{command}` (`make baseline`) on {environment['date']}: "
        f"{environment['cpus']} CPU cores ({environment['machine']}), Python "
        f"{environment['python']}, {versions}. Re-running it renders the same images (same "
        f"config and seed) and trains the same models; scores may move in the last digits "
        f"between machines (float rounding in torch). Wall times below are this run's: "
        f"{_load(environment)}",
        "",
        "## What was measured",
        "",
        f"Size `{size_name}`: the built-in scene at {size.resolution[0]}×{size.resolution[1]}, "
        f"{size.samples} samples, denoised; cameras 1–{size.cams} of each pose table; "
        f"illumination mode (sun strength {', '.join(map(str, size.sun_strength))}). A normal "
        f"batch on days 1–{size.normal_days} ({counts['normal']} images, the train table) is "
        f"the training split of both protocols. Each protocol has its own anomalous batch on "
        f"{_days(size.normal_days + 1, size.normal_days + size.anomalous_days)} (up to "
        f"{counts['anomalous_per_protocol']} anomalous images, blanket/drill/cable, and their "
        f"anomaly-free twins as the normal test images): no camera-day is in both splits, and "
        f"every normal test image shows the same camera-day, pose and light as an anomalous one.",
        "",
        "- **novel-view** (the original's protocol): the anomalous batch uses the pose table's "
        "*test* views. One model is trained on all training cameras and tested on all test "
        "cameras, i.e. on viewpoints it never saw.",
        "- **same-view**: the anomalous batch uses the *train* views. One model per camera, "
        "tested on that camera's test images; the table gives the mean over cameras of each "
        "metric (scores of separate models are never ranked together).",
        "",
        "Metrics, the same code for every row (`allo_addon/core/baseline/metrics.py`, numpy): "
        "image AUROC; image F1 at the best threshold *chosen on the test set itself* "
        "(optimistic); pixel AUROC; AUPRO up to a false-positive rate of 0.3 (normalised to "
        "0–1; a map that says nothing scores 0.15). Anomaly maps are resized to the image's "
        "own resolution and compared with the post-process's `ground_truth/`. No "
        "post-processing, threshold or normalisation is tuned on test images.",
        "",
        "## Results",
        "",
        results_table(rows),
        "",
        f"Backbones: pre_trained={pre_trained['pre_trained']} — {pre_trained['why']}.",
        "",
        "**Read the F1 column with care.** On a test set this small, F1 rewards saying "
        "'anomalous' to everything: the row *every image called anomalous* has no model at "
        "all. Compare methods by image AUROC and AUPRO, and against the no-model rows: *median "
        "image* is the per-pixel RGB distance of a test image to the median of the training "
        "images (per camera in same-view, over all training cameras in novel-view); its image "
        f"score is the largest value after a {BLUR}×{BLUR} box blur (*max*) or the mean of the "
        "map (*mean*). A model that does not beat it has learnt nothing a subtraction would not "
        "give. With only a few test images per camera, a difference of ±0.1 AUROC is within "
        "noise.",
        "",
    ]
    if figure:
        lines += [f"![heat maps]({FIGURE_NAME})", "",
                  f"`{FIGURE_NAME}`: anomalous test images of both protocols, their ground "
                  "truth, and each method's anomaly map (one colour range per method and "
                  "protocol: 1st to 99.9th percentile of all its test maps).", ""]
    lines += ["## Models", "", "| model | Anomalib class and arguments | notes |",
              "| --- | --- | --- |"]
    for name in models:
        class_name, kwargs, why = plan.MODELS[name]
        arguments = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
        lines.append(f"| {name} | `{class_name}({arguments}, "
                     f"pre_trained={pre_trained['pre_trained']})` | {why} |")
    lines += [
        "",
        f"Anomalib's `Folder` datamodule reads the splits through `folder_dirs()` (leaf "
        f"folders), default pre-processing (resize to 256×256, ImageNet normalisation), "
        f"`post_processor=False`, `evaluator=False`; `Engine(accelerator='cpu', "
        f"max_epochs={size.max_epochs})` (PaDiM and PatchCore need one epoch and ignore it); "
        f"seed {seed} (`lightning.seed_everything`). Not run: Draem (downloads the DTD texture "
        f"set), EfficientAD (downloads ImageNette and teacher weights).",
        "",
        "## Timings",
        "",
        "| step | wall time |", "| --- | --- |",
    ]
    lines += [f"| {step} | {_seconds(seconds)} |" for step, seconds in timings.items()]
    lines += ["", f"## Exact configs (seed {seed}, `--mode illumination`)", ""]
    for name, path in configs.items():
        lines += [f"`{name}` (exp_{plan.EXP[name]}):", "", "```yaml",
                  Path(path).read_text(encoding="utf-8").rstrip(), "```", ""]
    return "\n".join(lines)


def write_report(folder: Path, *, figure, **context) -> list:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    if figure is not None:
        write_atomic(folder / FIGURE_NAME, lambda path: figure.save(path, format="PNG"))
        written.append(folder / FIGURE_NAME)
    if hasattr(os, "getloadavg"):   # how busy the machine was: the timings depend on it
        context["environment"] = {**context["environment"], "load": os.getloadavg()}
    text = markdown(figure=figure is not None, **context)
    write_text(folder / "baseline.md", text + "\n")
    return [folder / "baseline.md"] + written
