"""Command-line front end: `python -m allo_addon.headless <command> …`.

Each command lives in its own module of this package (render, postprocess, ephemeris, demo, …)
and exposes HELP, add_arguments(parser) and run(args) -> exit status. A command module is only
imported when chosen, so `postprocess` and `ephemeris` run without bpy installed.
"""

import argparse
import importlib
import sys

from ..core.errors import UserError

COMMANDS = {
    # name: (module, one-line help)
    "render": ("render", "render a batch of normal or anomalous images (needs bpy)"),
    "postprocess": ("postprocess", "verify renders and write the Anomalib layout (no bpy)"),
    "demo": ("demo", "render and post-process a small dataset on the built-in scene"),
    "ephemeris": ("ephemeris", "generate ephemeris CSVs for any dates and time steps (no bpy)"),
    "assets": ("assets", "list the built-in anomaly kinds, station parts and bodies (no bpy)"),
    "gallery": ("gallery", "render every built-in anomaly kind once into a contact sheet"),
    "slurm": ("slurm", "write (and --submit) a Slurm job array of shards + post-process"),
    "status": ("status", "images planned/done/skipped/missing per shard of a batch (no bpy)"),
    "merge": ("merge", "fold sharded renders' manifest parts into manifest.jsonl (no bpy)"),
    "baseline": ("baseline", "render a small benchmark, train Anomalib models, write the table"),
}


def _command_args(argv):
    """Arguments after Blender's own: everything after `--` when run inside Blender."""
    if argv is None:
        argv = sys.argv[1:]
        if "--" in argv:
            argv = argv[argv.index("--") + 1:]
    return argv


def build_parser(argv=None):
    """Only the chosen command's module is imported (the others may need bpy or be absent)."""
    chosen = next((a for a in (argv or []) if not a.startswith("-")), None)
    parser = _Parser(
        prog="python -m allo_addon.headless",
        description="ALLO dataset generator: render, post-process, generate ephemerides.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name, (module_name, help_text) in COMMANDS.items():
        cmd = sub.add_parser(name, help=help_text, description=help_text)
        if name == chosen:
            module = importlib.import_module(f".{module_name}", __name__)
            cmd.description = getattr(module, "HELP", help_text)
            module.add_arguments(cmd)
            cmd.set_defaults(_run=module.run)
    return parser


class _Parser(argparse.ArgumentParser):
    """A wrong flag is a user mistake like any other: one `error: …` line, exit status 2
    (argparse's own would print the usage and the error on two lines). Subcommands' parsers
    are of this class too (argparse makes them with type(parser))."""

    def error(self, message):
        raise UserError(f"{message} (see `{self.prog} --help`)")


def exit_now(status: int):
    """Exit with `status`. Where the bpy module crashes in its own teardown (4.2, see
    scene/compat.py: CRASHES_AT_EXIT), everything is written and closed by now, so skip it."""
    import os
    if "bpy" in sys.modules and _bpy_crashes_at_exit():
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    sys.exit(status)


def _bpy_crashes_at_exit() -> bool:
    from ..scene.compat import CRASHES_AT_EXIT   # imports bpy, which is already loaded here
    return CRASHES_AT_EXIT


def main(argv=None):
    argv = _command_args(argv)
    try:
        args = build_parser(argv).parse_args(argv)
        return args._run(args) or 0
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return UserError.exit_status
    except BrokenPipeError:   # e.g. `… assets | head`: the reader has all it wanted
        import os
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("interrupted: finished images are kept; run the same command again to resume",
              file=sys.stderr)
        return 130
