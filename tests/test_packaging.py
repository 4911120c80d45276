"""The project's metadata agrees with itself: pyproject.toml (pip install -e .) and the extension
manifest (blender_manifest.toml, the zip) name one version; the linter CI runs is pinned."""

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def load(name):
    with open(REPO / name, "rb") as fh:
        return tomllib.load(fh)


def test_pyproject_and_extension_manifest_name_the_same_version():
    assert load("pyproject.toml")["project"]["version"] == load("blender_manifest.toml")["version"]


def test_the_manifest_sits_beside_the_package_not_inside_it():
    assert (REPO / "blender_manifest.toml").is_file()
    assert not (REPO / "allo_addon" / "blender_manifest.toml").exists()


def test_ruff_is_pinned_where_the_venv_installs_from():
    """A new ruff release must not turn CI red on a commit that passed (make lint)."""
    lines = (REPO / "requirements.txt").read_text(encoding="utf-8").splitlines()
    (ruff,) = [line for line in lines if line.startswith("ruff")]
    assert ruff.startswith("ruff==")
