"""The package imports itself relatively: installed as a Blender extension it is not named
allo_addon, and an absolute `allo_addon.` import would load some other copy (or fail)."""

import re

from conftest import REPO

ABSOLUTE = re.compile(r"^\s*(from|import)\s+allo_addon\b", re.MULTILINE)


def test_no_module_of_the_package_imports_it_by_name():
    offenders = [str(p.relative_to(REPO)) for p in (REPO / "allo_addon").rglob("*.py")
                 if ABSOLUTE.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
