"""The package imports itself relatively: installed as a Blender extension it is not named
allo_addon, and an absolute `allo_addon.` import would load some other copy (or fail)."""

import ast

from conftest import REPO


def _imports_package_by_name(source: str) -> bool:
    """An import statement naming allo_addon (a docstring's example for users does not count)."""
    for node in ast.walk(ast.parse(source)):
        names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else \
            [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else []
        if any(name == "allo_addon" or name.startswith("allo_addon.") for name in names):
            return True
    return False


def test_no_module_of_the_package_imports_it_by_name():
    offenders = [str(p.relative_to(REPO)) for p in (REPO / "allo_addon").rglob("*.py")
                 if _imports_package_by_name(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_the_check_sees_imports_and_not_docstrings():
    assert _imports_package_by_name("def f():\n    from allo_addon.core import errors\n")
    assert _imports_package_by_name("import allo_addon.api as api\n")
    assert not _imports_package_by_name('"""Use it:\n\n    from allo_addon import api\n"""\n')
    assert not _imports_package_by_name("from .core import errors\n")
