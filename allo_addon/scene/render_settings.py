"""Cycles settings for a batch, and the choice of device (GPU when asked and available) and of
denoiser (what this Blender's Cycles offers)."""

from __future__ import annotations

import bpy

from ..core.dataset.denoiser import KNOWN, OPTIX, DenoiserChoice, choose_denoiser
from ..core.dataset.quality import preset

GPU_BACKENDS = ("OPTIX", "CUDA", "HIP", "METAL", "ONEAPI")


def configure_cycles(scene, config) -> None:
    scene.render.engine = "CYCLES"
    scene.render.resolution_x, scene.render.resolution_y = config.resolution
    scene.render.resolution_percentage = 100
    scene.render.film_transparent = False
    # Off: persistent data keeps Cycles state between renders, and a render must not depend on
    # what was rendered before it in the same process (resume and shards rely on that). The
    # scene sync it would save is small next to the path tracing (see bench_render).
    scene.render.use_persistent_data = False
    scene.render.image_settings.file_format = "PNG"
    scene.render.image_settings.color_mode = "RGB"
    scene.render.image_settings.color_depth = "8"
    _no_png_metadata(scene.render)
    cycles = scene.cycles
    cycles.samples = config.samples
    cycles.use_denoising = False      # configure_denoising decides, once the device is chosen
    cycles.use_animated_seed = False
    apply_cycles_settings(cycles, preset(config.quality).cycles)
    layer = scene.view_layers[0]
    layer.use_pass_object_index = True
    # opt-in annotations (core/dataset/annotations.py); off, as in a new scene, unless asked for
    layer.use_pass_z = "depth" in config.annotations
    layer.use_pass_normal = "normals" in config.annotations


def apply_cycles_settings(cycles, settings: dict) -> list[str]:
    """Set the quality preset's Cycles knobs; returns the ones this Blender lacks (skipped:
    e.g. denoising_quality before 4.1), so a preset still renders on every supported version."""
    missing = []
    for key, value in settings.items():
        if hasattr(cycles, key):
            setattr(cycles, key, value)
        else:
            missing.append(key)
    return missing


def _no_png_metadata(render) -> None:
    """No text chunks in the PNGs (Date, RenderTime, Memory, cycles.*.render_time …): they
    change from run to run, and the same job must give the same bytes."""
    # Blender writes them, Cycles' cycles.* timings included, when any bit of its R_STAMP_ALL
    # mask is set (BKE_imbuf_write_stamp). That mask also holds the "hide labels" bit, which is
    # use_stamp_labels = False, so that flag stays True (cleared too, it kept the cycles.*
    # chunks: measured in 5.0.1). The flags differ between versions, so every use_stamp_* flag
    # this Blender has is set; use_stamp (text burnt into the pixels) is cleared with the rest.
    for prop in render.bl_rna.properties:
        if prop.identifier.startswith("use_stamp") and prop.type == "BOOLEAN" \
                and not prop.is_readonly:
            setattr(render, prop.identifier, prop.identifier == "use_stamp_labels")


def available_denoisers(scene) -> list[str]:
    """The denoisers this Blender's Cycles offers: the items of scene.cycles.denoiser.

    Cycles computes those items at run time (OpenImageDenoise when built in and supported by
    this CPU, OptiX when there is an OptiX GPU), so bl_rna's enum_items lists none of them
    (measured: [] in the bpy 5.0.1 wheel, which has OpenImageDenoise); UILayout.enum_item_name
    evaluates them, and names only the ones that exist.
    """
    cycles = getattr(scene, "cycles", None)
    if cycles is None:   # the Cycles add-on is off
        return []
    return [d for d in KNOWN if bpy.types.UILayout.enum_item_name(cycles, "denoiser", d)]


def configure_denoising(scene, config) -> DenoiserChoice:
    """After choose_device: denoise with what Cycles has, or render without denoising."""
    optix = scene.cycles.device == "GPU" and _compute_device_type() == OPTIX
    choice = choose_denoiser(config.denoise, available_denoisers(scene), optix_device=optix)
    scene.cycles.use_denoising = choice.denoised
    if choice.denoised:
        scene.cycles.denoiser = choice.denoiser
    return choice


def _compute_device_type() -> str:
    try:
        return bpy.context.preferences.addons["cycles"].preferences.compute_device_type
    except KeyError:
        return "NONE"


def choose_device(scene, preference: str) -> str:
    """Set scene.cycles.device; returns a sentence saying what was chosen and why."""
    if preference == "cpu":
        scene.cycles.device = "CPU"
        return "rendering on the CPU (device: cpu)"
    backend, names = _find_gpu()
    if backend:
        scene.cycles.device = "GPU"
        return f"rendering on the GPU with {backend}: {', '.join(names)}"
    scene.cycles.device = "CPU"
    asked = "device: gpu was asked for, but " if preference == "gpu" else ""
    return f"rendering on the CPU: {asked}Cycles found no GPU (tried {', '.join(GPU_BACKENDS)})"


def _find_gpu():
    try:
        prefs = bpy.context.preferences.addons["cycles"].preferences
    except KeyError:
        return None, []
    for backend in GPU_BACKENDS:
        try:
            prefs.compute_device_type = backend
        except TypeError:
            continue  # this build has no such backend
        prefs.get_devices()
        devices = [d for d in prefs.devices if d.type == backend]
        if devices:
            for device in prefs.devices:
                device.use = device.type == backend
            return backend, [d.name for d in devices]
    prefs.compute_device_type = "NONE"
    return None, []


def describe_gpus() -> str:
    """What Cycles can render on, without changing the user's Cycles preferences."""
    try:
        prefs = bpy.context.preferences.addons["cycles"].preferences
    except KeyError:
        return "Cycles is not enabled"
    found = []
    for backend in GPU_BACKENDS:
        try:
            devices = prefs.get_devices_for_type(backend)
        except (TypeError, ValueError, AttributeError):
            continue
        found += [f"{d.name} ({backend})" for d in devices if d.type == backend]
    return "GPU: " + ", ".join(found) if found else "no GPU found: renders on the CPU"


class CyclesFacts:
    """What this Blender's Cycles offers, asked once per session for the panel, which draws
    many times a second: asking takes a moment (the denoisers' list asks for OptiX GPUs).
    Batches ask afresh (choose_device, configure_denoising)."""

    def __init__(self):
        self._gpus: str | None = None
        self._denoisers: list[str] | None = None

    def gpus(self) -> str:
        if self._gpus is None:
            self._gpus = describe_gpus()
        return self._gpus

    def denoisers(self, scene) -> list[str]:
        if self._denoisers is None:
            self._denoisers = available_denoisers(scene)
        return self._denoisers


cycles_facts = CyclesFacts()
