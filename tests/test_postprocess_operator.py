"""allo.postprocess in real Blender (the bpy wheel): same result as the plain-Python call."""

import json

import pytest

from postprocess_tree import make_anomaly_exp

bpy = pytest.importorskip("bpy")


@pytest.mark.blender
def test_operator_writes_the_anomalib_layout(tmp_path):
    from allo_addon.operators.postprocess import ALLO_OT_postprocess

    make_anomaly_exp(tmp_path / "exp_2", cameras=(1,), days=(1,))
    mine = not hasattr(bpy.types, "ALLO_OT_postprocess")   # an earlier module may have registered the add-on
    if mine:
        bpy.utils.register_class(ALLO_OT_postprocess)
    try:
        result = bpy.ops.allo.postprocess(
            input=str(tmp_path / "exp_2"), output=str(tmp_path / "test"),
            log_file=str(tmp_path / "run.log"), seed=3, anomaly=True, min_pixel=50, shape=(64, 36),
            normal_test_ratio=0.0, workers=2)
        assert result == {'FINISHED'}
        with pytest.raises(RuntimeError, match="does not exist"):  # UserError -> report ERROR
            bpy.ops.allo.postprocess(input=str(tmp_path / "missing"),
                                     output=str(tmp_path / "other"))
    finally:
        if mine:
            bpy.utils.unregister_class(ALLO_OT_postprocess)
    report = json.loads((tmp_path / "test" / "report.json").read_text())
    assert report["accepted"] == 4 and report["settings"]["seed"] == 3
    assert sorted(p.name for p in (tmp_path / "test/Camera1/ground_truth").iterdir()) == \
        sorted(p.name for p in (tmp_path / "test/Camera1/images").iterdir())
    assert not (tmp_path / "other").exists()


@pytest.mark.blender
def test_operator_default_threshold_is_the_renders_own(tmp_path):
    """Before: the operator's (and panel's) default was 2000 px, which rejects every anomaly
    of a small render; now the default (-1) takes the render's min_pixel from its manifest."""
    from allo_addon.operators.postprocess import ALLO_OT_postprocess
    from postprocess_tree import write_manifest

    size = (256, 144)
    rendered = make_anomaly_exp(tmp_path / "exp_2", cameras=(1,), days=(1,), size=size)
    write_manifest(tmp_path / "exp_2", rendered, size=size, extra={"min_pixel": 20})
    mine = not hasattr(bpy.types, "ALLO_OT_postprocess")   # as in the test above
    if mine:
        bpy.utils.register_class(ALLO_OT_postprocess)
    try:
        result = bpy.ops.allo.postprocess(input=str(tmp_path / "exp_2"),
                                          output=str(tmp_path / "test"), anomaly=True, workers=1)
    finally:
        if mine:
            bpy.utils.unregister_class(ALLO_OT_postprocess)
    assert result == {'FINISHED'}
    report = json.loads((tmp_path / "test" / "report.json").read_text())
    assert report["accepted"] == 4 and report["settings"]["min_pixel"] == 20


@pytest.mark.blender
def test_operator_writes_the_mvtec_layout(tmp_path):
    from allo_addon.operators.postprocess import ALLO_OT_postprocess

    make_anomaly_exp(tmp_path / "exp_2", cameras=(1, 2), days=(1,), illuminations=(10,))
    mine = not hasattr(bpy.types, "ALLO_OT_postprocess")   # as in the tests above
    if mine:
        bpy.utils.register_class(ALLO_OT_postprocess)
    try:
        result = bpy.ops.allo.postprocess(
            input=str(tmp_path / "exp_2"), output=str(tmp_path / "mvtec"), anomaly=True,
            min_pixel=50, shape=(64, 36), workers=1, layout="mvtec", category="station")
    finally:
        if mine:
            bpy.utils.unregister_class(ALLO_OT_postprocess)
    assert result == {'FINISHED'}
    station = tmp_path / "mvtec" / "station"
    images = sorted(p.relative_to(station).as_posix() for p in station.glob("test/*/*.png"))
    truths = sorted(p.relative_to(station).as_posix()
                    for p in station.glob("ground_truth/*/*.png"))
    # on day 1 Camera1 renders a drill, Camera2 a solar panel (the fixture's rotation)
    assert images == [f"test/{kind}/{camera}_1_{kind}_10_0.5_{depth}_red.png"
                      for kind, camera in (("drill", "Camera1"), ("solar_panel", "Camera2"))
                      for depth in (-1, 0)]
    assert truths == [p.replace("test/", "ground_truth/").replace(".png", "_mask.png")
                      for p in images]
