"""One seeding rule (core/dataset/seeds.py): every random stream is made there, and routing the old
hand-built streams through it changed no draw (issue #13 §6).

The pinned numbers were printed by the code before the change (random.Random(f"size:{kind}:
{seed}"), random.Random(f"{kind}:{seed}"), random.Random(f"{seed}:{camera}"), random.Random(
seed), random.Random(1969)). Python's Mersenne Twister and its 53-bit random() are integer
arithmetic, the same on every machine, so exact comparison is sound here.
"""

import re
from pathlib import Path

import pytest

from allo_addon.core.dataset.seeds import keyed_rng, rng_from, scene_rng
from allo_addon.core.postprocess.for_anomalib import split_by_camera_day

PACKAGE = Path(__file__).resolve().parent.parent / "allo_addon"


def test_keyed_streams_draw_what_the_hand_built_ones_drew():
    assert keyed_rng("size", "drill", 123).uniform(0.3, 0.45) == 0.4117107267501623
    assert keyed_rng("drill", 123).random() == 0.8113231211913868        # built-in shapes
    assert keyed_rng(7, "Camera0").sample(["1", "2", "3", "4", "5", "6"], 2) == ["6", "5"]
    assert rng_from(987654321).uniform(0, 6.283185307179586) == 1.0943582890307562
    assert scene_rng("moon-map").random() == 0.4032058394752237


def test_anomalib_camera_day_split_is_unchanged():
    paths = [f"/x/Camera{c}/anomaly/{d}_a.png" for c in range(2) for d in range(4)]
    labels = [d % 2 for c in range(2) for d in range(4)]
    assert split_by_camera_day(paths, labels, 0.3, 7) == ([0, 1, 3, 4, 6, 7], [2, 5])


@pytest.mark.blender
def test_drawn_size_is_unchanged():
    import bpy  # noqa: F401  (mathutils comes with it)
    from allo_addon.core.dataset.anomaly_params import AnomalyParams
    from allo_addon.scene.anomaly_params import drawn_size
    assert drawn_size(AnomalyParams(size=(0.3, 0.45)), "drill", 123) == 0.4117107267501623


def test_no_stream_is_built_outside_seeds_module():
    """random.Random( anywhere else would be a draw the rule does not see."""
    built = []
    for path in PACKAGE.rglob("*.py"):
        if path == PACKAGE / "core" / "dataset" / "seeds.py":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"\bRandom\(|\brandom\.(seed|random|uniform|choice|sample|gauss)\(",
                         line):
                built.append(f"{path.relative_to(PACKAGE)}:{n}: {line.strip()}")
    assert built == []
