"""Train and test one Anomalib model on the post-process's layout; needs torch and Anomalib.

Imported only by `python -m allo_addon.headless baseline`, never by the extension (and left
out of the extension zip: scripts/build_addon.py). Anomalib reads the data with its own
`Folder` datamodule and the leaf folders of core.postprocess.for_anomalib.folder_dirs; the
scores are the model's raw ones (no post-processor: no threshold, no normalisation, nothing
tuned on test images), and the metrics are computed outside, by core.baseline.metrics, the
same way for every model and for the no-model baseline.
"""

import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

# The timm weights Anomalib's feature extractor asks for when pre_trained=True (resnet18).
WEIGHTS_REPO = "timm/resnet18.a1_in1k"


def quiet_torchvision():
    """PyPI's torchvision is built against the CUDA torch; with a CPU torch its operator library
    does not load and its fake-kernel registrations fail on import. Anomalib never uses them,
    so they are turned off before torchvision is imported (tests/test_anomalib_layout.py)."""
    import torch.library
    torch.library.register_fake = lambda *args, **kwargs: (lambda function: function)


def _reachable(host: str, seconds: float) -> bool:
    """Whether a TCP connection to host:443 opens within `seconds`, name lookup included (a
    thread bounds it: socket timeouts do not cover DNS)."""
    result = []

    def probe():
        try:
            socket.create_connection((host, 443), timeout=seconds).close()
            result.append(True)
        except OSError:
            pass
    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(seconds + 0.5)
    return bool(result)


def weights_available(seconds: float = 3.0) -> tuple[bool, str]:
    """(use pre-trained weights?, why). Cached weights or a reachable Hugging Face hub: yes.
    Otherwise no: the backbones are built without weights, so nothing is downloaded."""
    try:
        from huggingface_hub import try_to_load_from_cache
        cached = try_to_load_from_cache(WEIGHTS_REPO, "model.safetensors")
        if isinstance(cached, str):
            return True, f"ImageNet weights of {WEIGHTS_REPO} found in the cache"
    except ImportError:
        pass
    if _reachable("huggingface.co", seconds):
        return True, f"ImageNet weights of {WEIGHTS_REPO} downloaded from huggingface.co"
    return False, (f"huggingface.co unreachable in {seconds:.0f} s and no cached weights: "
                   "backbones randomly initialised (pre_trained=False)")


@dataclass
class Scored:
    path: str             # the image file
    score: float          # the model's raw image score
    heat: "object"        # HxW float32 numpy anomaly map at the image's own resolution


def build_model(class_name: str, kwargs: dict, pre_trained: bool):
    import anomalib.models as models
    model_class = getattr(models, class_name)
    return model_class(pre_trained=pre_trained, post_processor=False, evaluator=False,
                       visualizer=False, **kwargs)


def train_and_score(class_name: str, kwargs: dict, pre_trained: bool, root: Path, dirs: dict,
                    image_size: tuple, seed: int, max_epochs: int, work_dir: Path) -> tuple:
    """Fit on `dirs`' normal images, score its test images. Returns ([Scored], seconds)."""
    quiet_torchvision()
    import torch
    import torch.nn.functional as F
    from anomalib.data import Folder
    from anomalib.engine import Engine
    from lightning.pytorch import seed_everything

    started = time.perf_counter()
    seed_everything(seed, workers=True, verbose=False)
    datamodule = Folder(name="allo", root=root, val_split_mode="none", num_workers=0,
                        train_batch_size=16, eval_batch_size=16, seed=seed, **dirs)
    datamodule.setup()
    model = build_model(class_name, kwargs, pre_trained)
    # barebones: no checkpoint, logger, progress bar or summary (nothing is kept but scores)
    engine = Engine(accelerator="cpu", devices=1, max_epochs=max_epochs, barebones=True,
                    default_root_dir=str(work_dir))
    engine.fit(model, train_dataloaders=datamodule.train_dataloader())
    batches = engine.predict(model, dataloaders=datamodule.test_dataloader(),
                             return_predictions=True)
    height, width = image_size[1], image_size[0]
    scored = []
    for batch in batches:
        maps = batch.anomaly_map
        if maps.ndim == 3:
            maps = maps.unsqueeze(1)
        maps = F.interpolate(maps.float(), size=(height, width), mode="bilinear",
                             align_corners=False)[:, 0]
        for path, score, heat in zip(batch.image_path, batch.pred_score.reshape(-1), maps):
            scored.append(Scored(str(path), float(score), heat.numpy()))
    torch.set_grad_enabled(True)
    return scored, time.perf_counter() - started
