"""`python -m allo_addon.headless baseline`: its mistakes end in one `error:` line, exit status
2, nothing written — checked in this Python, which needs neither torch nor bpy for that; and
the torch code stays out of the extension zip. The run itself (torch, Anomalib, renders) is
`make baseline-smoke` / `make baseline`, not part of this suite (README, "Baseline")."""

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from allo_addon.headless import baseline

REPO = Path(__file__).resolve().parents[1]
HEAVY_IMPORT = re.compile(r"^\s*(?:import|from)\s+(torch|torchvision|anomalib|lightning)\b", re.M)

# Runs the command with torch blocked (sys.modules[name] = None makes it unimportable), so the
# "not installed" path is taken whether or not this Python has torch.
BLOCK_TORCH = ("import sys; sys.modules['torch'] = None; "
               "from allo_addon.headless import main, exit_now; exit_now(main(sys.argv[1:]))")


def run_cli(*args, cwd, block_torch=False):
    command = [sys.executable, "-c", BLOCK_TORCH] if block_torch else \
        [sys.executable, "-m", "allo_addon.headless"]
    return subprocess.run(command + ["baseline", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(REPO)})


@pytest.mark.parametrize("args, message", [
    (["--models", "padim,gan"], "error: --models: unknown model 'gan': expected one or more "
                                "of padim, patchcore, fastflow, separated by commas"),
    (["--models", "efficient_ad"], "error: --models: 'efficient_ad' is not offered: "
                                   "EfficientAD downloads ImageNette"),
    (["--size", "huge"], "error: --size 'huge': expected one of tiny, small, medium"),
    (["--seed", "x"], "error: argument --seed: 'x' is not a whole number"),
    (["--pretrained", "maybe"], "error: argument --pretrained: invalid choice: 'maybe'"),
])
def test_bad_flags_give_one_error_line_and_write_nothing(tmp_path, args, message):
    done = run_cli("--out", "out", *args, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(message), done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_missing_torch_names_the_fix_and_writes_nothing(tmp_path):
    done = run_cli("--out", "out", cwd=tmp_path, block_torch=True)
    assert done.returncode == 2, done.stderr
    line = done.stderr.strip()
    assert line.startswith("error: torch") and "not installed in" in line, line
    assert line.endswith("run `make baseline` (it sets up .venv-baseline) or pip install -r "
                         "requirements-baseline.txt")
    assert len(line.splitlines()) == 1 and list(tmp_path.iterdir()) == []


def test_out_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "out").write_text("x")
    done = run_cli("--out", "out", cwd=tmp_path, block_torch=True)
    assert done.returncode == 2 and "error: --out " in done.stderr and "is a file" in done.stderr


def test_missing_packages_are_all_named_in_order():
    present = {"torchvision", "bpy"}

    def find_spec(name):
        return importlib.util.find_spec("os") if name in present else None
    assert baseline.missing_packages(find_spec) == ["torch", "anomalib"]
    with pytest.raises(baseline.UserError, match=r"^torch and anomalib are not installed in "):
        baseline.check_packages(find_spec)


def test_the_torch_code_stays_out_of_the_extension(tmp_path):
    """scripts/build_addon.py stages the package without allo_addon/baseline_torch (and the
    manifest excludes it too), while the pure baseline code in core/ goes in."""
    sys.path.insert(0, str(REPO / "scripts"))
    try:
        import build_addon
    finally:
        sys.path.remove(str(REPO / "scripts"))
    build_addon.stage([], tmp_path / "cache", tmp_path / "stage")
    staged = {p.relative_to(tmp_path / "stage").as_posix()
              for p in (tmp_path / "stage").rglob("*.py")}
    assert "core/baseline/metrics.py" in staged and "headless/baseline.py" in staged
    assert not [p for p in staged if p.startswith("baseline_torch/")]
    assert (REPO / "allo_addon" / "baseline_torch" / "anomalib_models.py").is_file()
    manifest = (REPO / "blender_manifest.toml").read_text(encoding="utf-8")
    assert '"/baseline_torch/"' in manifest


def test_nothing_the_extension_imports_needs_torch():
    """Only the baseline command reaches the torch code; anomalib is imported elsewhere only
    inside for_anomalib.camera_day_folder(), for users who call it from their own Python."""
    offenders = []
    for path in sorted((REPO / "allo_addon").rglob("*.py")):
        relative = path.relative_to(REPO / "allo_addon").as_posix()
        if relative.startswith("baseline_torch/") or relative == "headless/baseline.py":
            continue
        text = path.read_text(encoding="utf-8")
        heavy = HEAVY_IMPORT.search(text)
        if "baseline_torch" in text or heavy and not (
                relative == "core/postprocess/for_anomalib.py" and heavy[1] == "anomalib"):
            offenders.append(relative)
    assert offenders == []
