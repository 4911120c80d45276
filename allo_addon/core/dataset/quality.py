"""The `quality:` presets: named Cycles settings measured by `python -m bench quality`.

A preset fills `samples` and `denoise` when the config does not set them (an explicit key
wins), and sets the Cycles knobs below on the scene (scene/render_settings.py). `original`
changes nothing: 256 samples, denoised, every other Cycles setting at Blender's default, which
is the original pipeline's output exactly. The other presets' values are the candidates the
bench picked (README, "Render quality: `quality`", has their measured error and time).
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_QUALITY = "original"


@dataclass(frozen=True)
class QualityPreset:
    samples: int
    denoise: bool
    # scene.cycles property -> value; a property this Blender lacks is skipped (render_settings)
    cycles: dict = field(default_factory=dict)


# Measured by `python -m bench quality` (README, "Render quality: `quality`"; 240×135 windows of
# 1920×1080 images, a 512-sample reference, Blender 5.0.1, CPU): no candidate cheaper than the
# original came within 0.5 dB PSNR and 0.005 SSIM of it on every view, so `benchmark` is the
# original's settings (the bench's equal-quality choice); `draft` is its draft choice, the
# cheapest within 3 dB and 0.03 SSIM: 96 samples, 1.45× faster, 1.72 dB worse on its worst view.
# A rerun that finds cheaper settings changes these two rows; tests/test_bench_quality.py checks
# that each is one of the bench's candidates.
PRESETS: dict[str, QualityPreset] = {
    "original": QualityPreset(samples=256, denoise=True),
    "benchmark": QualityPreset(samples=256, denoise=True),
    "draft": QualityPreset(samples=96, denoise=True),
}
QUALITY_NAMES = tuple(PRESETS)


def preset(name: str) -> QualityPreset:
    return PRESETS[name]
