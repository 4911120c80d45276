"""`denoise: true` in a Blender whose Cycles has no OpenImageDenoise (Debian's 4.3): the batch
renders without denoising, says so once, and records what happened."""

import json

import pytest

from allo_addon.core.dataset.batch_request import BatchRequest, describe_plan, prepare_batch
from allo_addon.core.dataset.denoiser import OIDN, OPTIX, choose_denoiser, plan_denoiser

NO_DENOISER = "this Blender's Cycles has no denoiser"


@pytest.mark.parametrize("available, optix_device, denoiser", [
    ([OIDN], False, OIDN),
    ([OIDN, OPTIX], True, OIDN),            # OpenImageDenoise first: the same on every device
    ([OPTIX], True, OPTIX),                 # Debian-like build on an NVIDIA GPU
    ([OPTIX], False, None),                 # OptiX denoises only what OptiX renders
    ([], True, None),
    ([], False, None),                      # Debian's Blender 4.3 on a CPU
])
def test_choice_follows_what_cycles_offers(available, optix_device, denoiser):
    choice = choose_denoiser(True, available, optix_device)
    assert choice.denoiser == denoiser and choice.denoised == (denoiser is not None)
    assert (NO_DENOISER in choice.note) == (denoiser is None)
    assert ("rendering without denoising" in choice.note) == (denoiser is None)


def test_no_denoiser_note_names_what_is_missing():
    note = choose_denoiser(True, [], optix_device=False).note
    assert note == ("denoise: this Blender's Cycles has no denoiser (OpenImageDenoise missing); "
                    "rendering without denoising")
    assert "OptiX denoises only on the OptiX GPU" in choose_denoiser(True, [OPTIX], False).note


@pytest.mark.parametrize("available", [[], [OIDN], [OPTIX], [OIDN, OPTIX]])
def test_denoise_false_never_denoises(available):
    choice = choose_denoiser(False, available, optix_device=True)
    assert not choice.denoised and choice.note == "denoise: off (denoise: false)"


@pytest.mark.parametrize("device, denoiser", [("cpu", None), ("gpu", OPTIX), ("auto", OPTIX)])
def test_plan_before_the_device_is_chosen(device, denoiser):
    # Cycles lists OPTIX only where an OptiX GPU exists, and choose_device tries OptiX first
    assert plan_denoiser(True, [OPTIX], device).denoiser == denoiser
    assert plan_denoiser(True, [OIDN, OPTIX], device).denoiser == OIDN


def test_dry_run_report_says_what_will_really_happen(write_config):
    batch = prepare_batch(BatchRequest(write_config(denoise=True), 1))
    fallback = describe_plan(batch, denoising=plan_denoiser(True, [], "auto")).splitlines()
    assert fallback.count(choose_denoiser(True, [], False).note) == 1
    assert not any("denoise on" in line for line in fallback)
    denoised = describe_plan(batch, denoising=plan_denoiser(True, [OIDN], "auto"))
    assert "denoise: OpenImageDenoise" in denoised.splitlines()


# --- real Blender (bpy wheel), real Cycles ------------------------------------------------

@pytest.fixture
def ops():
    bpy = pytest.importorskip("bpy")
    from allo_addon.headless.blender_session import ensure_registered
    ensure_registered()
    return bpy.ops.allo


def no_denoiser(monkeypatch):
    """Cycles as Debian builds it: its `denoiser` enum has no items. Cycles' own add-on computes
    the items with these two functions; only they are replaced, so the detection and the render
    are the real ones (before the fix, this failed as Debian's Blender does: `enum
    "OPENIMAGEDENOISE" not found in ()`)."""
    import bpy
    import cycles.properties
    for name in ("enum_openimagedenoise_denoiser", "enum_optix_denoiser"):
        monkeypatch.setattr(cycles.properties, name, lambda self, context: [])
    with pytest.raises(TypeError, match=r'not found in \(\)'):
        bpy.context.scene.cycles.denoiser = "OPENIMAGEDENOISE"


def tiny(write_config, name):
    return write_config(name=name, start_day=1, end_day=1, cams=[0], resolution=[64, 36],
                        samples=2, denoise=True, device="cpu")


def records(exp):
    return [json.loads(line) for line in (exp / "manifest.jsonl").read_text().splitlines()]


@pytest.mark.blender
def test_default_denoise_without_a_denoiser_renders_and_says_so_once(ops, write_config,
                                                                     monkeypatch, capfd):
    no_denoiser(monkeypatch)
    config = tiny(write_config, "no_denoiser.yaml")
    assert ops.render_batch(config=str(config), exp_num=1, modes={"illumination"}) == {"FINISHED"}
    exp = config.parent / "renders" / "exp_1"
    rendered = records(exp)
    assert len(rendered) == 2 and all((exp / r["image"]).stat().st_size > 0 for r in rendered)
    for record in rendered:
        assert (record["denoise"], record["denoised"], record["denoiser"]) == (True, False, None)
    note = choose_denoiser(True, [], optix_device=False).note
    assert (exp / "render.log").read_text().splitlines().count(note) == 1
    assert capfd.readouterr().out.splitlines().count(note) == 1


@pytest.mark.blender
def test_dry_run_in_blender_reports_the_detected_denoiser(ops, write_config, monkeypatch,
                                                          capfd):
    no_denoiser(monkeypatch)
    config = tiny(write_config, "dry.yaml")
    assert ops.render_batch(config=str(config), exp_num=2, dry_run=True) == {"FINISHED"}
    out = capfd.readouterr().out.splitlines()
    assert out.count(choose_denoiser(True, [], optix_device=False).note) == 1
    assert not (config.parent / "renders" / "exp_2" / "manifest.jsonl").exists()


@pytest.mark.blender
def test_detection_agrees_with_cycles_own_build_flag(ops):
    import _cycles
    import bpy
    from allo_addon.scene.render_settings import available_denoisers
    # Cycles offers OPENIMAGEDENOISE exactly when this flag says it is built in and usable
    assert (OIDN in available_denoisers(bpy.context.scene)) == _cycles.with_openimagedenoise


@pytest.mark.blender
def test_openimagedenoise_is_used_and_recorded_where_cycles_has_it(ops, write_config):
    import bpy
    from allo_addon.scene.render_settings import available_denoisers
    if OIDN not in available_denoisers(bpy.context.scene):
        pytest.skip("this Blender's Cycles has no OpenImageDenoise")
    config = tiny(write_config, "denoised.yaml")
    assert ops.render_batch(config=str(config), exp_num=3) == {"FINISHED"}
    exp = config.parent / "renders" / "exp_3"
    recorded = [(r["denoise"], r["denoised"], r["denoiser"]) for r in records(exp)]
    assert recorded == [(True, True, OIDN)]
    assert "denoise: OpenImageDenoise" in (exp / "render.log").read_text().splitlines()
