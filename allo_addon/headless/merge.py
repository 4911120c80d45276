"""`python -m allo_addon.headless merge --exp DIR…`: fold the manifest parts of sharded runs
(exp_<N>/manifest.d/*.jsonl) into exp_<N>/manifest.jsonl. No bpy.

Every sharded run does this itself when it ends, and every reader (the renderer resuming, the
post-process) reads the parts anyway; the command is for tools that read manifest.jsonl
directly, e.g. after a shard was killed, or as the step before the post-process on a cluster.
"""

from pathlib import Path

HELP = ("Fold the manifest parts that sharded renders write (exp_<N>/manifest.d/) into "
        "exp_<N>/manifest.jsonl, one record per image ordered by image path. Safe while shards "
        "still run: they record into new parts, folded by the next merge.")


def add_arguments(parser) -> None:
    parser.add_argument("--exp", required=True, nargs="+", type=Path, metavar="DIR",
                        help="exp_<N> folder(s) written by the renderer")


def run(args) -> int:
    from ..core.dataset.manifest import NAME, PARTS, merge, part_files
    from ..core.errors import UserError
    for folder in args.exp:   # all checked before any is written
        if not folder.is_dir():
            raise UserError(f"--exp {folder}: no such folder; expected an exp_<N> folder "
                            f"written by the renderer")
    for folder in args.exp:
        parts = len(part_files(folder))
        try:
            records = merge(folder)
        except OSError as error:
            raise UserError(f"cannot merge the manifest parts of {folder}: "
                            f"{error.strerror or error}") from None
        if parts:
            print(f"{folder}: folded {parts} part(s) of {PARTS}/ into {NAME} "
                  f"({records} records)")
        else:
            print(f"{folder}: nothing to merge (no {PARTS}/ parts)")
    return 0
