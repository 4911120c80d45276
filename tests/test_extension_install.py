"""The built extension zip installs with Blender's own installer and runs from the installed copy.

One subprocess (fresh Blender state, throw-away user folder) runs scripts/e2e_install_check.py,
which installs the zip the way Edit ▸ Preferences ▸ Get Extensions ▸ Install from Disk does and
reports what it saw; the tests below judge that report.
"""

import json
import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.blender

REPO = Path(__file__).resolve().parent.parent
PACKAGE_DIR = REPO / "allo_addon"
SKIPPED_IN_ZIP = {"__pycache__", "tests", "baseline_torch"}   # scripts/build_addon.NOT_IN_ZIP

TINY_CONFIG = """\
start_day: 1
end_day: 1
cams: [1, 2]
sun_strength: [10]
resolution: [96, 54]
samples: 2
denoise: false
min_pixel: 5
output_dir: {output_dir}
"""


def pinned_wheels():
    with open(REPO / "blender_manifest.toml", "rb") as fh:
        return [entry.rsplit("/", 1)[-1] for entry in tomllib.load(fh)["wheels"]]


def source_files():
    """The package's files plus the manifest, which the build puts beside them at the zip's root."""
    return sorted([str(p.relative_to(PACKAGE_DIR)) for p in PACKAGE_DIR.rglob("*")
                   if p.is_file() and not SKIPPED_IN_ZIP & set(p.relative_to(PACKAGE_DIR).parts)
                   and not p.name.startswith(".") and p.suffix != ".pyc"]
                  + ["blender_manifest.toml"])


@pytest.fixture(scope="session")
def extension_zip(tmp_path_factory):
    """The all-platform zip, built by scripts/build_addon.py (wheels cached under build/)."""
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "build_addon.py"), "--no-split", "--out", str(out)],
        capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (zip_path,) = out.glob("allo-*.zip")
    return zip_path


@pytest.fixture(scope="session")
def install_report(extension_zip, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("install")
    user_dir = tmp / "blender_user"
    config = tmp / "render_config.yaml"
    config.write_text(TINY_CONFIG.format(output_dir=tmp / "renders"), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("BLENDER_USER_")}
    env["BLENDER_USER_RESOURCES"] = str(user_dir)
    report_path = tmp / "report.json"
    proc = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "e2e_install_check.py"), "--zip", str(extension_zip),
         "--render-config", str(config), "--exp-num", "2", "--report", str(report_path)],
        capture_output=True, text=True, env=env, cwd=tmp, timeout=600)
    assert report_path.exists(), proc.stdout[-4000:] + proc.stderr[-4000:]
    report = json.loads(report_path.read_text(encoding="utf-8"))
    report["_user_dir"] = user_dir
    report["_renders"] = tmp / "renders"
    report["_exit"] = proc.returncode
    return report


def test_zip_holds_the_package_and_every_pinned_wheel_but_no_tests_or_caches(extension_zip):
    names = zipfile.ZipFile(extension_zip).namelist()
    assert "blender_manifest.toml" in names and "__init__.py" in names   # both at the root
    assert zipfile.ZipFile(extension_zip).read("blender_manifest.toml") == \
        (REPO / "blender_manifest.toml").read_bytes()
    assert {f"wheels/{w}" for w in pinned_wheels()} <= set(names)
    assert not [n for n in names if SKIPPED_IN_ZIP & set(n.split("/"))]


def test_installs_into_the_temporary_user_folder_and_is_enabled(install_report):
    assert install_report["install"] == ["FINISHED"]
    assert install_report["_exit"] == 0
    assert install_report["after_install"]["enabled"]
    module_file = Path(install_report["module_file"])
    assert module_file.is_relative_to(install_report["_user_dir"] / "extensions" / "user_default" / "allo")
    assert not module_file.is_relative_to(REPO)


def test_installed_copy_has_every_source_file(install_report):
    assert install_report["installed_files"] == source_files()


def test_bundled_wheels_are_installed_and_import_without_other_site_packages(install_report):
    site_packages = Path(install_report["site_packages"])
    assert site_packages.is_relative_to(install_report["_user_dir"])
    assert {"yaml", "PIL"} <= set(install_report["site_packages_contents"])
    probe = install_report["bundled_wheels"]
    assert Path(probe["yaml"]).is_relative_to(site_packages)
    assert Path(probe["pil"]).is_relative_to(site_packages)
    assert probe["yaml_roundtrip"] and probe["png_bytes"] > 0
    python_tag = "cp" + "".join(install_report["python"].split(".")[:2])
    pinned = {w.split("-")[0].lower(): w.split("-")[1] for w in pinned_wheels()
              if f"-{python_tag}-" in w}
    assert pinned == {"pyyaml": probe["yaml_version"], "pillow": probe["pil_version"]}


def test_blender_knows_exactly_the_operators_the_package_registers(install_report):
    state = install_report["after_install"]
    assert state["operators"] == state["expected_operators"]
    assert state["scene_settings"]


def test_disable_unregisters_and_enable_registers_again(install_report):
    toggle = install_report["toggle"]
    assert toggle["disabled"]["operators"] == [] and not toggle["disabled"]["scene_settings"]
    assert not toggle["disabled"]["enabled"]
    assert toggle["enabled_again"] == install_report["after_install"]


def test_render_batch_runs_from_the_installed_copy(install_report):
    render = install_report["render"]
    if "skipped" in render:
        pytest.skip(render["skipped"])
    assert render == {"result": ["FINISHED"]}
    exp_dir = install_report["_renders"] / "exp_2"
    images = sorted(exp_dir.glob("Camera*/anomaly/*.png"))
    assert images, f"no anomaly images under {exp_dir}"
    for image in images:
        assert (image.parent.parent / "anomaly_mask" / image.name).is_file()


def test_postprocess_spawned_workers_import_the_installed_copy(install_report):
    """macOS and Windows spawn the post-process's workers: each must import the extension
    under Blender's name for it (allo_addon is not importable in the child's place)."""
    spawned = install_report["spawned_postprocess"]
    assert spawned.get("package") == "bl_ext.user_default.allo", spawned
    rendered = [p for folder in ("anomaly", "reference")   # anomalous images and their twins
                for p in (install_report["_renders"] / "exp_2").glob(f"Camera*/{folder}/*.png")]
    assert spawned["accepted"] == len(rendered) > 0 and spawned["rejected"] == 0, spawned
