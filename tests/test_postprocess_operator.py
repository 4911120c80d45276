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
