"""Which denoiser a batch really uses — no bpy.

`denoise: true` asks for denoising, but what Cycles can do depends on how Blender was built
(Debian's Blender has no OpenImageDenoise) and on the device: OptiX denoises only on an NVIDIA
GPU that renders through OptiX. The render, the dry run and the panel all ask this function,
so the three say the same thing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

OIDN = "OPENIMAGEDENOISE"
OPTIX = "OPTIX"
KNOWN = (OIDN, OPTIX)    # the `denoiser` identifiers of Cycles 4.2 … 5.0 this add-on can use


@dataclass(frozen=True)
class DenoiserChoice:
    denoiser: str | None    # the value for scene.cycles.denoiser; None: render without denoising
    note: str               # one sentence for the log, the dry run and the panel

    @property
    def denoised(self) -> bool:
        return self.denoiser is not None


def choose_denoiser(asked: bool, available: Iterable[str], optix_device: bool) -> DenoiserChoice:
    """asked: the config's `denoise`; available: the denoisers this Cycles offers;
    optix_device: the batch renders on a GPU through OptiX."""
    if not asked:
        return DenoiserChoice(None, "denoise: off (denoise: false)")
    available = set(available)
    if OIDN in available:
        return DenoiserChoice(OIDN, "denoise: OpenImageDenoise")
    if OPTIX in available and optix_device:
        return DenoiserChoice(OPTIX, "denoise: OptiX (this Blender's Cycles has no "
                                     "OpenImageDenoise)")
    if OPTIX in available:   # then it renders on the CPU: choose_device tries OptiX first
        return DenoiserChoice(None, "denoise: this Blender's Cycles has no denoiser for the CPU "
                                    "(OpenImageDenoise missing, OptiX denoises only on the "
                                    "OptiX GPU); rendering without denoising")
    return DenoiserChoice(None, "denoise: this Blender's Cycles has no denoiser "
                                "(OpenImageDenoise missing); rendering without denoising")


def plan_denoiser(asked: bool, available: Iterable[str], device: str) -> DenoiserChoice:
    """The choice before a device is chosen (the dry run, the panel), from the config's
    `device`: anything but cpu renders through OptiX whenever Cycles offers the OptiX
    denoiser, because Cycles offers it only with an OptiX GPU and choose_device tries OptiX
    first."""
    available = set(available)
    return choose_denoiser(asked, available, optix_device=device != "cpu" and OPTIX in available)
