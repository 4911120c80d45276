"""The dataset's on-disk contract (docs/formats.md §5, §6), spelled out literally once.

Everything else (the renderer, the post-process, the gallery, the browser, the other tests'
fixtures) takes these names from the modules that own them; this test pins what those modules
say, so a change to the contract is a deliberate edit here, never a side effect.
"""

from allo_addon.core.ephemeris import bodies
from allo_addon.core.dataset import (layout, manifest, mask_classes as object_masks,
                                     names as render_names)
from allo_addon.core.ephemeris.geometry import COLUMNS
from allo_addon.core.postprocess import output_layout
from allo_addon.core.postprocess import masks as output_masks


def test_the_render_tree_of_each_kind_of_image():
    assert layout.exp_dir("renders", 7).as_posix() == "renders/exp_7"
    assert layout.camera_folder(12) == "Camera12"
    assert layout.image_files("Camera1", "normal", "3_normal_10.png") == {
        "image": "Camera1/normal/3_normal_10.png", "fb_mask": "Camera1/fb_mask/3_normal_10.png"}
    name = "3_solar_panel_10_0.5_-1_red.png"
    assert layout.image_files("Camera2", "anomaly", name) == {
        "image": f"Camera2/anomaly/{name}", "fb_mask": f"Camera2/fb_mask/{name}",
        "anomaly_mask": f"Camera2/anomaly_mask/{name}"}
    assert layout.image_files("Camera2", "reference", "3_normal_10.png") == {
        "image": "Camera2/reference/3_normal_10.png",
        "fb_mask": "Camera2/reference_fb_mask/3_normal_10.png"}
    assert (manifest.NAME, manifest.PARTS) == ("manifest.jsonl", "manifest.d")
    assert layout.PARTIAL == ".partial"


def test_the_post_process_reads_the_paths_the_renderer_writes():
    for kind, name in (("normal", "3_normal_10.png"), ("anomaly", "3_drill_10_1_0_default.png"),
                       ("reference", "3_normal_10.png")):
        written = layout.image_files("Camera4", kind, name)
        read = output_layout.SourceImage("Camera4", name, kind)
        assert {"image": read.image, "fb_mask": read.fb_mask,
                "anomaly_mask": read.anomaly_mask} == {"anomaly_mask": None, **written}
    assert output_layout.OUTPUT_MANIFEST == manifest.NAME   # a split folder's, same name


def test_render_file_names_and_their_fields():
    assert render_names.normal_name(3, 10.0) == "3_normal_10.png"
    assert render_names.anomaly_name(3, "solar_panel", 10.0, 0.5, -1.0, "red") == \
        "3_solar_panel_10_0.5_-1_red.png"
    fields = render_names.parse_render_name("3_solar_panel_10_0.5_-1_red.png")
    assert (fields.day, fields.anomaly, fields.illumination, fields.scale, fields.depth,
            fields.colour) == ("3", "solar_panel", "10", "0.5", "-1", "red")


def test_mask_values_are_one_set_for_renderer_and_post_process():
    assert (object_masks.SPACE, object_masks.STATION_OR_BODY, object_masks.ANOMALY) == (0, 1, 2)
    assert object_masks.ON == 255
    assert (output_masks.SPACE, output_masks.STATION_OR_BODY, output_masks.ANOMALY,
            output_masks.GROUND_TRUTH_ON) == (0, 1, 2, 255)


def test_body_orders():
    assert bodies.BODIES == ("moon", "sun", "earth")            # the ephemeris columns' order
    assert COLUMNS[::4] == ("moon_r", "sun_r", "earth_r")
    assert bodies.NEAREST_FIRST == ("moon", "earth", "sun")     # the catalog's listing
