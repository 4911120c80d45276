"""What `python -m allo_addon.headless baseline` renders and trains: sizes, models, configs.

Pure data and checks (no torch, no bpy), so a wrong flag is refused before anything heavy is
imported or written, and the tests read the same plan the command runs.

One normal batch (train table, illumination mode) is the training split of both protocols;
two anomalous batches on the *following* days — one with `protocol: novel-view` (the test
table), one with `protocol: same-view` (the train table) — each with its twins, are their test
splits. No camera-day is in both splits.
"""

from dataclasses import dataclass

from ..errors import UserError

PROTOCOLS = ("novel-view", "same-view")


@dataclass(frozen=True)
class Size:
    cams: int             # cameras 1..cams of each pose table
    normal_days: int      # days 1..normal_days: the normal batch (training images)
    anomalous_days: int   # the next days: each protocol's anomalous batch and its twins
    sun_strength: tuple   # illumination values: images per camera-day
    resolution: tuple
    samples: int
    max_epochs: int       # for models that train by gradient descent (FastFlow)

    def counts(self) -> dict:
        per_day = len(self.sun_strength)
        anomalous = self.cams * self.anomalous_days * per_day
        return {"normal": self.cams * self.normal_days * per_day,
                "anomalous_per_protocol": anomalous, "twins_per_protocol": anomalous,
                "renders": self.cams * self.normal_days * per_day + 2 * 2 * anomalous}


SIZES = {
    # a smoke run: every step once, scores mean nothing
    "tiny": Size(cams=2, normal_days=2, anomalous_days=1, sun_strength=(5, 10),
                 resolution=(128, 72), samples=4, max_epochs=1),
    # the default: well under half an hour on 2 CPU cores
    "small": Size(cams=4, normal_days=6, anomalous_days=3, sun_strength=(2, 5, 10),
                  resolution=(256, 144), samples=8, max_epochs=10),
    "medium": Size(cams=8, normal_days=10, anomalous_days=5, sun_strength=(2, 5, 10),
                   resolution=(320, 180), samples=16, max_epochs=20),
}
DEFAULT_SIZE = "small"

# name: (Anomalib class, keyword arguments besides the backbone's pre_trained flag, why)
MODELS = {
    "padim": ("Padim", {"backbone": "resnet18", "layers": ["layer1", "layer2", "layer3"]},
              "resnet18 features, a Gaussian per patch position"),
    "patchcore": ("Patchcore", {"backbone": "resnet18", "layers": ["layer2", "layer3"],
                                "coreset_sampling_ratio": 0.01},
                  "resnet18 features, memory bank cut to 1 % by coreset sampling (Anomalib's "
                  "default 10 % takes ~12 min per camera on 2 cores)"),
    "fastflow": ("Fastflow", {"backbone": "resnet18", "flow_steps": 8},
                 "resnet18 features, normalising flow trained for the size's max_epochs"),
}
DEFAULT_MODELS = ("padim", "patchcore")
TITLES = {"padim": "PaDiM", "patchcore": "PatchCore", "fastflow": "FastFlow"}
MEDIAN = "median image"   # the no-model baseline's name in the table and figure
# Left out on purpose, so nobody adds them by name and waits on a download that never ends:
NOT_OFFERED = {
    "draem": "Draem downloads the DTD texture set in its constructor",
    "efficient_ad": "EfficientAD downloads ImageNette and pre-trained teacher weights",
    "efficientad": "EfficientAD downloads ImageNette and pre-trained teacher weights",
}


def parse_size(text: str) -> Size:
    if text not in SIZES:
        raise UserError(f"--size {text!r}: expected one of {', '.join(SIZES)}")
    return SIZES[text]


def parse_models(text: str) -> tuple:
    """'padim,patchcore' -> ('padim', 'patchcore'); every name checked, none twice."""
    names = [name.strip().lower() for name in text.split(",")]
    if not text.strip() or "" in names:
        raise UserError(f"--models {text!r}: expected a comma-separated list of "
                        f"{', '.join(MODELS)}")
    for name in names:
        if name in NOT_OFFERED:
            raise UserError(f"--models: {name!r} is not offered: {NOT_OFFERED[name]}, which "
                            f"cannot work offline; choose from {', '.join(MODELS)}")
        if name not in MODELS:
            raise UserError(f"--models: unknown model {name!r}: expected one or more of "
                            f"{', '.join(MODELS)}, separated by commas")
    if len(set(names)) != len(names):
        raise UserError(f"--models {text!r} names a model twice")
    return tuple(names)


def render_configs(size: Size, output_dir: str) -> dict:
    """The render configs: 'normal' and one anomalous config per protocol (plain dicts)."""
    common = {
        "sun_strength": list(size.sun_strength),
        "cams": {"start": 1, "end": size.cams},
        "anomalies": ["blanket", "drill", "cable"],
        # 2000 px at 1920x1080 is 0.1 % of the frame: the same share of this resolution
        "min_pixel": max(10, round(2000 * size.resolution[0] * size.resolution[1]
                                   / (1920 * 1080))),
        "resolution": list(size.resolution),
        "samples": size.samples,
        "denoise": True,
        "device": "cpu",
        "output_dir": output_dir,   # relative to the config file's folder
    }
    first_anomalous = size.normal_days + 1
    configs = {"normal": {**common, "start_day": 1, "end_day": size.normal_days}}
    for protocol in PROTOCOLS:
        configs[protocol] = {**common, "start_day": first_anomalous,
                             "end_day": size.normal_days + size.anomalous_days,
                             "protocol": protocol, "references": True}
    return configs


# exp numbers of the three batches (one render folder holds all three)
EXP = {"normal": 1, "novel-view": 2, "same-view": 3}
