"""core/postprocess/options.py declares every post-process option once; the request, the
command line's flags, README and the operator's properties agree with it."""

import argparse
import dataclasses
from pathlib import Path

import pytest

from allo_addon.core.postprocess import PostprocessRequest
from allo_addon.core.postprocess.options import OPTIONS
from allo_addon.headless import postprocess as command

README = Path(__file__).resolve().parents[1] / "README.md"


def parser():
    parser = argparse.ArgumentParser()
    command.add_arguments(parser)
    return parser


def test_the_request_has_a_field_per_option_with_its_default():
    fields = {f.name: f for f in dataclasses.fields(PostprocessRequest)}
    assert list(fields)[:len(OPTIONS)] == [o.name for o in OPTIONS]
    for option in OPTIONS:
        default = fields[option.name].default
        assert default == (dataclasses.MISSING if option.required else option.default)


def test_the_command_line_has_a_flag_per_option_with_its_default(tmp_path):
    args = parser().parse_args(["--input", str(tmp_path / "exp_1"), "--output", str(tmp_path)])
    assert args.input == tmp_path / "exp_1" and args.output == tmp_path
    for option in OPTIONS:
        if not option.required:
            assert getattr(args, option.name) == option.default, option.name
    args = parser().parse_args(["--input", "a", "--output", "b", "--shape", "64x36",
                                "--anomaly", "--workers", "3", "--normal_test_ratio", "0.5"])
    assert (args.shape, args.anomaly, args.workers, args.normal_test_ratio) == ((64, 36), True,
                                                                                3, 0.5)


def test_readme_names_every_flag():
    section = README.read_text(encoding="utf-8").split(
        "\n## Post-processing renders into an Anomalib benchmark\n", 1)[1].split("\n## ", 1)[0]
    missing = [o.name for o in OPTIONS if f"--{o.name}" not in section]
    assert not missing


@pytest.mark.blender
def test_the_operator_has_a_property_per_option():
    pytest.importorskip("bpy")
    from allo_addon.operators.postprocess import ALLO_OT_postprocess
    properties = ALLO_OT_postprocess.__annotations__
    assert set(properties) == {o.name for o in OPTIONS}
    for option in OPTIONS:
        keywords = properties[option.name].keywords
        assert keywords["name"] == option.label and keywords["description"] == option.tooltip
        if option.kind in ("int", "float", "bool", "choice"):
            assert keywords["default"] == option.default
