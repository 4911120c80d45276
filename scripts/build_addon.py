"""Build the installable ALLO extension zip (Blender >= 4.2) with PyYAML and Pillow bundled.

    python scripts/build_addon.py                  # dist/allo-<version>.zip (+ one zip per platform)
    python scripts/build_addon.py --update-wheels  # pick the newest wheels, rewrite the manifest list

The extension manifest is blender_manifest.toml at the top of the repository, beside the package
(allo_addon/); the build copies it to the zip's root, next to the package's own files.
The `wheels` list in blender_manifest.toml is the pin: a build downloads exactly
those files (cached in build/wheels/), so two builds of one commit bundle the same bytes.
The zip itself is made and checked by Blender's own extension tool (`blender_ext.py build` and
`validate`, shipped inside the bpy wheel and in every Blender >= 4.2).

Exit status 2 with `error: …` when something outside our code is missing (registry, tool).
"""

import argparse
import importlib.util
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGE_DIR = REPO / "allo_addon"
MANIFEST = REPO / "blender_manifest.toml"
WHEEL_DIR_IN_ZIP = "wheels"

BUNDLED = ("PyYAML", "Pillow")  # numpy ships with Blender
# The baseline's torch code (`python -m allo_addon.headless baseline`, its own venv): the
# extension never imports it, and Blender has no torch to run it with.
NOT_IN_ZIP = ("baseline_torch",)
# Official Blender 4.2–5.0 builds run Python 3.11; Blender 5.1+ and distribution builds
# (Debian trixie's 4.3.2 runs 3.13.5) run 3.13. Blender skips wheels for another Python.
PYTHON_VERSIONS = ("3.11", "3.13")
# Blender platform -> pip `--platform` tags, most preferred first. Blender >= 4.2 needs
# glibc 2.28 and macOS 11, so newer manylinux and macOS 11 wheels are fine.
PIP_PLATFORMS = {
    "linux-x64": ("manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64"),
    "windows-x64": ("win_amd64",),
    "macos-arm64": ("macosx_11_0_arm64",),
    "macos-x64": ("macosx_11_0_x86_64",),
}


class BuildError(Exception):
    """Something the build needs is missing or broken; the message says what to do."""


@dataclass(frozen=True)
class Wheel:
    """One wheel file name, split per PEP 427: name-version[-build]-python-abi-platform.whl."""
    filename: str

    @property
    def _parts(self):
        return self.filename[:-len(".whl")].split("-")

    @property
    def requirement(self):
        name, version = self._parts[:2]
        return f"{name}=={version}"

    @property
    def python_version(self):  # "cp311" -> "3.11"
        tag = self._parts[-3]
        return f"{tag[2]}.{tag[3:]}"

    @property
    def platform_tags(self):  # compressed tag sets: "manylinux_2_27_x86_64.manylinux_2_28_x86_64"
        return tuple(self._parts[-1].split("."))


@dataclass(frozen=True)
class Built:
    zips: list  # [Path]: the all-platform zip first, then one per platform


# ---------------------------------------------------------------- wheels

def pip_download(requirements, python_version, platform_tags, dest):
    """Download binary wheels for another interpreter/platform; BuildError when pip fails."""
    cmd = [sys.executable, "-m", "pip", "download", "--disable-pip-version-check",
           "--only-binary=:all:", "--no-deps", "--python-version", python_version,
           "--implementation", "cp", "-d", str(dest)]
    for tag in platform_tags:
        cmd += ["--platform", tag]
    proc = subprocess.run(cmd + list(requirements), capture_output=True, text=True)
    if proc.returncode != 0:
        last = "\n  ".join((proc.stderr or proc.stdout).strip().splitlines()[-4:])
        raise BuildError(
            f"pip could not download {' '.join(requirements)} for Python {python_version} "
            f"on {'/'.join(platform_tags)} (pip exit {proc.returncode}); is the package "
            f"registry (PyPI) reachable?\n  {last}")


def fetch_pinned_wheels(wheels, cache):
    """Make sure every pinned wheel is in `cache`; download only the missing ones."""
    cache.mkdir(parents=True, exist_ok=True)
    for wheel in wheels:
        if (cache / wheel.filename).is_file():
            continue
        print(f"downloading {wheel.filename}")
        pip_download([wheel.requirement], wheel.python_version, wheel.platform_tags, cache)
        if not (cache / wheel.filename).is_file():
            raise BuildError(
                f"pip did not download {wheel.filename} (the manifest's pin); the registry "
                f"offers another file for {wheel.requirement}. Run "
                f"`scripts/build_addon.py --update-wheels` to re-pin.")


def resolve_newest_wheels(cache):
    """Download the newest BUNDLED wheels for every Python × platform; return their names."""
    cache.mkdir(parents=True, exist_ok=True)
    names = []
    for python_version in PYTHON_VERSIONS:
        for platform, tags in PIP_PLATFORMS.items():
            with tempfile.TemporaryDirectory(dir=cache) as tmp:
                pip_download(BUNDLED, python_version, tags, Path(tmp))
                for path in sorted(Path(tmp).glob("*.whl")):
                    shutil.move(str(path), cache / path.name)
                    names.append(path.name)
            print(f"resolved Python {python_version} {platform}")
    return sorted(set(names), key=str.lower)


# ---------------------------------------------------------------- manifest

def read_manifest(path=MANIFEST):
    with open(path, "rb") as fh:
        return tomllib.load(fh)


def pinned_wheels(manifest):
    prefix = f"./{WHEEL_DIR_IN_ZIP}/"
    wheels = []
    for entry in manifest.get("wheels", []):
        if not entry.startswith(prefix):
            raise BuildError(f"{MANIFEST}: wheel {entry!r} must start with {prefix!r}")
        wheels.append(Wheel(entry[len(prefix):]))
    return wheels


def write_wheel_list(names, path=MANIFEST):
    """Replace the `wheels = [...]` block of the manifest, keeping everything else."""
    text = path.read_text(encoding="utf-8")
    lines = "".join(f'  "./{WHEEL_DIR_IN_ZIP}/{name}",\n' for name in names)
    new, count = re.subn(r"^wheels = \[.*?^\]", f"wheels = [\n{lines}]", text,
                         flags=re.MULTILINE | re.DOTALL)
    if count != 1:
        raise BuildError(f"{path}: expected one `wheels = [` … `]` block, found {count}")
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(new, encoding="utf-8")
    tmp.replace(path)


def check_wheel_coverage(wheels, ext):
    """Every Python x platform we promise must have both bundled projects pinned.

    `ext` is Blender's blender_ext module: its wheel-tag parsing is what Blender installs by.
    """
    have = set()
    for wheel in wheels:
        name = wheel.requirement.split("==")[0].lower()
        for python in ext.python_versions_from_wheel(wheel.filename):
            for platform in ext.blender_platforms_from_wheel_platform(".".join(wheel.platform_tags)):
                have.add((name, ".".join(map(str, python)), platform))
    missing = [f"{name} {python} {platform}"
               for name in BUNDLED for python in PYTHON_VERSIONS for platform in PIP_PLATFORMS
               if (name.lower(), python, platform) not in have]
    if missing:
        raise BuildError(f"{MANIFEST}: no wheel pinned for {', '.join(missing)}; "
                         f"run `scripts/build_addon.py --update-wheels`")


# ---------------------------------------------------------------- Blender's extension tool

def find_blender_ext():
    """blender_ext.py from the installed bpy wheel (it is the builder Blender itself uses)."""
    spec = importlib.util.find_spec("bpy")
    if spec is None or not spec.submodule_search_locations:
        raise BuildError("the bpy module is not installed in this Python; run `make venv` or "
                         "pass --blender-ext PATH/TO/bl_pkg/cli/blender_ext.py")
    for root in spec.submodule_search_locations:
        found = sorted(Path(root).glob("*/scripts/addons_core/bl_pkg/cli/blender_ext.py"))
        if found:
            return found[-1]
    raise BuildError("blender_ext.py not found inside the bpy package; pass --blender-ext")


def load_blender_ext(tool):
    spec = importlib.util.spec_from_file_location("blender_ext", tool)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def blender_ext(tool, *args):
    proc = subprocess.run([sys.executable, str(tool), *map(str, args)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise BuildError(f"blender_ext.py {args[0]} failed:\n{proc.stdout}{proc.stderr}")
    return proc.stdout


# ---------------------------------------------------------------- build

def stage(wheels, cache, stage_dir):
    """Copy the package (no caches, no tests), the manifest and the pinned wheels into
    `stage_dir`, the folder that becomes the zip's root."""
    shutil.copytree(PACKAGE_DIR, stage_dir,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "tests", ".*",
                                                  *NOT_IN_ZIP))
    shutil.copy2(MANIFEST, stage_dir / MANIFEST.name)
    (stage_dir / WHEEL_DIR_IN_ZIP).mkdir()
    for wheel in wheels:
        shutil.copy2(cache / wheel.filename, stage_dir / WHEEL_DIR_IN_ZIP / wheel.filename)


def build(out_dir, build_dir, tool, split_platforms=True):
    manifest = read_manifest()
    wheels = pinned_wheels(manifest)
    check_wheel_coverage(wheels, load_blender_ext(tool))
    cache = build_dir / "wheels"
    fetch_pinned_wheels(wheels, cache)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{manifest['id']}-{manifest['version']}"
    zips = [out_dir / f"{stem}.zip"]
    if split_platforms:
        zips += [out_dir / f"{stem}-{p.replace('-', '_')}.zip" for p in manifest["platforms"]]

    # A private staging folder, so two builds at once do not trip over each other.
    with tempfile.TemporaryDirectory(prefix="addon_stage_", dir=build_dir) as tmp:
        stage_dir = Path(tmp) / manifest["id"]
        stage(wheels, cache, stage_dir)
        blender_ext(tool, "build", "--source-dir", stage_dir, "--output-filepath", zips[0])
        if split_platforms:
            blender_ext(tool, "build", "--source-dir", stage_dir, "--output-dir", out_dir,
                        "--split-platforms")
    for path in zips:
        blender_ext(tool, "validate", path)
    return Built(zips=zips)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "dist", help="where the zips go")
    parser.add_argument("--build-dir", type=Path, default=REPO / "build",
                        help="wheel cache (wheels/) and staging folder")
    parser.add_argument("--blender-ext", type=Path, help="path to Blender's bl_pkg/cli/blender_ext.py")
    parser.add_argument("--no-split", action="store_true",
                        help="only the all-platform zip, no per-platform zips")
    parser.add_argument("--update-wheels", action="store_true",
                        help="re-pin: download the newest PyYAML/Pillow wheels and rewrite the "
                             "manifest's wheel list, then build")
    args = parser.parse_args(argv)
    try:
        tool = args.blender_ext or find_blender_ext()
        if args.update_wheels:
            names = resolve_newest_wheels(args.build_dir / "wheels")
            write_wheel_list(names)
            print(f"pinned {len(names)} wheels in {MANIFEST.relative_to(REPO)}")
        built = build(args.out, args.build_dir, tool, split_platforms=not args.no_split)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for path in built.zips:
        print(f"{path}  {path.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
