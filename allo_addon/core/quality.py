"""The `quality:` presets: named Cycles settings measured by `python -m bench quality`.

A preset fills `samples` and `denoise` when the config does not set them (an explicit key
wins), and sets the Cycles knobs below on the scene (scene/render_settings.py). `original`
changes nothing: 256 samples, denoised, every other Cycles setting at Blender's default, which
is the original pipeline's output exactly. The other presets' values are the candidates the
bench picked (README, "Render quality presets", has their measured error and time).
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


# Bounce limits for a scene without atmosphere, glass or volumes: what is beyond them bought
# no measurable error in the bench (README).
_SPACE_BOUNCES = {"max_bounces": 4, "diffuse_bounces": 2, "glossy_bounces": 2,
                  "transmission_bounces": 2, "volume_bounces": 0, "transparent_max_bounces": 4}

PRESETS: dict[str, QualityPreset] = {
    "original": QualityPreset(samples=256, denoise=True),
    "benchmark": QualityPreset(samples=64, denoise=True, cycles={**_SPACE_BOUNCES}),
    "draft": QualityPreset(samples=16, denoise=True, cycles={**_SPACE_BOUNCES}),
}
QUALITY_NAMES = tuple(PRESETS)


def preset(name: str) -> QualityPreset:
    return PRESETS[name]
