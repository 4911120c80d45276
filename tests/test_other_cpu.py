"""What a batch promises across machines, checked on one: another CPU model runs the same Blender
build, but numpy's and the C library's sin, cos, arctan2 … may round the last bit differently
there (other SIMD code paths). Every such result is moved here by up to 4 ulp, the batch is
rendered again, and it must keep the same plan and file names, manifest numbers within 1e-9
(relative) and masks that differ at most on an object's edge. Images are not compared: across
machines only the plan and the masks are promised (README, "Determinism, shards, resume")."""

import json
import math

import numpy as np
import pytest
from PIL import Image

from blender_addon import registered_addon

pytestmark = pytest.mark.blender

ULPS = 4   # a vectorised libm is within a few ulp of the correctly rounded result
NOISY = {np: ("sin", "cos", "tan", "arcsin", "arccos", "arctan", "arctan2", "hypot", "sqrt",
              "exp", "log"),
         math: ("sin", "cos", "tan", "asin", "acos", "atan", "atan2", "hypot", "sqrt", "exp",
                "log")}
# The manifest's numbers come from the same inputs (the ephemeris and pose files are read, not
# computed) through a few transcendental functions, so they move by ~1e-15 relative; 1e-9 is
# far above that and far below any change a user could see (a body moved by 1e-9 of its
# distance, an anomaly by a micrometre).
RELATIVE = 1e-9


def last_bits_noise(function, rng):
    def noisy(*args, **kwargs):
        result = np.asarray(function(*args, **kwargs), dtype=float)
        result = result + rng.integers(-ULPS, ULPS + 1, result.shape) * np.spacing(result)
        return result if result.ndim else float(result)
    return noisy


def differences(a, b, where=""):
    """Paths where two manifest records differ: numbers beyond RELATIVE, anything else at all."""
    if isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys():
        return [d for key in a for d in differences(a[key], b[key], f"{where}.{key}")]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in differences(x, y, f"{where}[{i}]")]
    if isinstance(a, float) and isinstance(b, float):
        return [] if math.isclose(a, b, rel_tol=RELATIVE, abs_tol=1e-12) else [(where, a, b)]
    return [] if a == b and type(a) is type(b) else [(where, a, b)]


def off_edge(reference, other):
    """Pixels where `other` differs from `reference` although all 3 x 3 neighbours of the pixel
    in `reference` have one value: a moved object, not a ray grazing an edge."""
    padded = np.pad(reference, 1, mode="edge")
    height, width = reference.shape
    windows = [padded[dy:dy + height, dx:dx + width] for dy in range(3) for dx in range(3)]
    on_edge = np.min(windows, axis=0) != np.max(windows, axis=0)
    return int(((reference != other) & ~on_edge).sum())


@pytest.fixture(scope="module")
def bpy_ops():
    pytest.importorskip("bpy")
    with registered_addon() as bpy:
        yield bpy.ops.allo


def test_another_cpus_rounding_keeps_plan_names_manifest_and_masks(bpy_ops, write_config,
                                                                   monkeypatch):
    config = write_config(end_day=1)

    def render(exp_num):
        assert bpy_ops.render_batch(config=str(config), exp_num=exp_num, anomaly=True,
                                    modes={"illumination", "depth"}, seed=42) == {"FINISHED"}
        exp = config.parent / "renders" / f"exp_{exp_num}"
        records = [json.loads(line) for line in (exp / "manifest.jsonl").read_text().splitlines()]
        return exp, {r["image"]: r for r in records}

    here, here_records = render(1)
    rng = np.random.default_rng(7)
    for module, names in NOISY.items():
        for name in names:
            monkeypatch.setattr(module, name, last_bits_noise(getattr(module, name), rng))
    elsewhere, elsewhere_records = render(2)
    monkeypatch.undo()

    assert sorted(elsewhere_records) == sorted(here_records) and here_records
    assert sorted(p.relative_to(elsewhere) for p in elsewhere.rglob("*.png")) == \
        sorted(p.relative_to(here) for p in here.rglob("*.png"))
    ignore = {"render_seconds", "exp_num"}
    stable = {name: ({k: v for k, v in record.items() if k not in ignore},
                     {k: v for k, v in elsewhere_records[name].items() if k not in ignore})
              for name, record in here_records.items()}
    assert any(a != b for a, b in stable.values()), "the noise should reach the manifest"
    assert [d for name, (a, b) in stable.items() for d in differences(a, b, name)] == []
    for name, record in here_records.items():
        for mask in record["masks"].values():
            reference = np.asarray(Image.open(here / mask))
            other = np.asarray(Image.open(elsewhere / mask))
            assert off_edge(reference, other) == 0, mask
