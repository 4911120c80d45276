"""Install the built ALLO extension zip with Blender's own installer and report what happened.

Runs inside a real Blender or with the bpy wheel; point Blender at a throw-away user folder:

    BLENDER_USER_RESOURCES=/tmp/u blender -b --factory-startup \\
        --python scripts/e2e_install_check.py -- --zip dist/allo-0.1.0.zip [--render-config C]
    BLENDER_USER_RESOURCES=/tmp/u python scripts/e2e_install_check.py --zip dist/allo-0.1.0.zip

Steps: Edit ▸ Preferences ▸ Get Extensions ▸ Install from Disk (the operator behind it), the
add-on's operators and scene settings, disable/enable (unregister/register), the bundled
wheels imported by Blender's Python with no other site-packages, and `allo.render_batch`
when it exists and a config is given, then the installed copy's post-process of that batch with
two spawned workers (as on macOS and Windows). Prints one JSON report (and writes it to --report);
exit status 1 when installing or enabling failed. Judging the details is the caller's job.
"""

import argparse
import json
import subprocess
import sys
from pathlib import Path

import bpy

REPO_NAME = "user_default"
PACKAGE_ID = "allo"
ADDON_MODULE = f"bl_ext.{REPO_NAME}.{PACKAGE_ID}"

# Run by Blender's own Python with -I -S: no site-packages at all, only the extension's wheels
# folder, as in an official Blender that ships neither PyYAML nor Pillow.
WHEEL_PROBE = """
import io, json, sys
sys.path.insert(0, sys.argv[1])
import yaml, PIL, PIL.Image
image = PIL.Image.new("L", (4, 4), 255)
buffer = io.BytesIO(); image.save(buffer, "PNG")
print(json.dumps({
    "yaml": yaml.__file__, "yaml_version": yaml.__version__,
    "yaml_roundtrip": yaml.safe_load(yaml.safe_dump({"a": [1, 2]})) == {"a": [1, 2]},
    "pil": PIL.__file__, "pil_version": PIL.__version__,
    "png_bytes": len(buffer.getvalue()),
}))
"""


def parse_args():
    argv = sys.argv[sys.argv.index("--") + 1:] if "--" in sys.argv else sys.argv[1:]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--zip", type=Path, required=True, help="the extension zip to install")
    parser.add_argument("--render-config", type=Path,
                        help="render_config.yaml for allo.render_batch (skipped without one)")
    parser.add_argument("--exp-num", type=int, default=2)
    parser.add_argument("--report", type=Path, help="also write the JSON report here")
    return parser.parse_args(argv)


def install(zip_path):
    try:
        result = bpy.ops.extensions.package_install_files(
            filepath=str(zip_path.resolve()), repo=REPO_NAME, enable_on_install=True)
    except RuntimeError as error:  # e.g. "incompatible (This Python version … isn't compatible)"
        return [f"ERROR: {error}".strip()]
    return sorted(result)


def extension_site_packages():
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    return Path(bpy.utils.user_resource("EXTENSIONS")) / ".local" / "lib" / version / "site-packages"


def probe_bundled_wheels(site_packages):
    proc = subprocess.run([sys.executable, "-I", "-S", "-c", WHEEL_PROBE, str(site_packages)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1:] or [f"exit {proc.returncode}"]}
    return json.loads(proc.stdout)


def allo_state():
    """Which allo operators Blender knows, which the installed package registers, scene.allo."""
    module = sys.modules.get(ADDON_MODULE)
    expected = []
    if module is not None:
        from importlib import import_module
        registration = import_module(f"{ADDON_MODULE}.registration")
        expected = [cls.bl_idname for cls in registration._classes()
                    if issubclass(cls, bpy.types.Operator)]
    return {
        "enabled": ADDON_MODULE in bpy.context.preferences.addons,
        "operators": sorted(f"allo.{name}" for name in dir(bpy.ops.allo)),
        "expected_operators": sorted(expected),
        "scene_settings": hasattr(bpy.types.Scene, "allo"),
    }


def toggle():
    """Disable then enable again: unregister() and register() of the installed copy."""
    bpy.ops.preferences.addon_disable(module=ADDON_MODULE)
    disabled = allo_state()
    bpy.ops.preferences.addon_enable(module=ADDON_MODULE)
    return {"disabled": disabled, "enabled_again": allo_state()}


def installed_files(module_dir):
    """The package's files as installed, without the wheels and byte-code caches."""
    return sorted(str(p.relative_to(module_dir)) for p in module_dir.rglob("*")
                  if p.is_file() and not {"wheels", "__pycache__"} & set(p.relative_to(module_dir).parts))


def render(config, exp_num):
    if not hasattr(bpy.types, "ALLO_OT_render_batch"):
        return {"skipped": "allo.render_batch is not registered by this package"}
    if config is None:
        return {"skipped": "no --render-config given"}
    try:
        result = bpy.ops.allo.render_batch(config=str(config.resolve()), exp_num=exp_num,
                                           anomaly=True, modes={"illumination"}, seed=42)
    except RuntimeError as error:  # the operator's ERROR report, raised in the background
        return {"error": str(error)}
    return {"result": sorted(result)}


def spawned_postprocess(config, exp_num):
    """Post-process the batch with the installed copy and two *spawned* workers, the start
    method of macOS and Windows: each worker is a fresh Python that must import the package
    under Blender's name for it, bl_ext.user_default.allo (core/postprocess/pool.py)."""
    import importlib
    try:
        pool = importlib.import_module(f"{ADDON_MODULE}.core.postprocess.pool")
    except ImportError as error:
        return {"skipped": f"this package has no worker pool module: {error}"}
    postprocess = importlib.import_module(f"{ADDON_MODULE}.core.postprocess")
    load_config = importlib.import_module(f"{ADDON_MODULE}.core.dataset.config").load_config
    exp = load_config(config.resolve()).output_dir / f"exp_{exp_num}"
    start_method, pool.start_method = pool.start_method, lambda platform=None: "spawn"
    try:
        summary = postprocess.postprocess(postprocess.PostprocessRequest(
            input=exp, output=exp.parent / "spawned_postprocess" / "test", anomaly=True,
            workers=2))
    except Exception as error:   # reported, judged by the caller
        return {"error": f"{type(error).__name__}: {error}"}
    finally:
        pool.start_method = start_method
    return {"package": pool.PACKAGE, "accepted": summary.total_accepted,
            "rejected": summary.total_rejected}


def main():
    args = parse_args()
    report = {
        "blender": bpy.app.version_string,
        "python": sys.version.split()[0],
        "extensions_dir": bpy.utils.user_resource("EXTENSIONS"),
        "install": install(args.zip),
    }
    report["after_install"] = allo_state()
    module = sys.modules.get(ADDON_MODULE)
    report["module_file"] = getattr(module, "__file__", None)
    site_packages = extension_site_packages()
    report["site_packages"] = str(site_packages)
    report["site_packages_contents"] = (sorted(p.name for p in site_packages.iterdir())
                                        if site_packages.is_dir() else [])
    report["bundled_wheels"] = probe_bundled_wheels(site_packages)
    if module is not None:
        report["installed_files"] = installed_files(Path(module.__file__).parent)
        report["toggle"] = toggle()
    report["render"] = render(args.render_config, args.exp_num)
    if report["render"].get("result") == ["FINISHED"]:
        report["spawned_postprocess"] = spawned_postprocess(args.render_config, args.exp_num)

    text = json.dumps(report, indent=1)
    print("ALLO_INSTALL_REPORT " + json.dumps(report))
    if args.report:
        args.report.write_text(text, encoding="utf-8")
    return 0 if report["install"] == ["FINISHED"] and report["after_install"]["enabled"] else 1


if __name__ == "__main__":
    code = main()
    if code:
        sys.exit(code)
