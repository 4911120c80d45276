"""`make bench`: run every bench/bench_*.py and print one JSON object per measurement.

Each module exposes run(args) -> iterable of dicts with at least metric, value, unit; the
settings it measured under go in the same dict. Nothing here asserts on time.
`python -m bench NAME …` runs only the named modules (e.g. `python -m bench postprocess`).
"""

import argparse
import importlib
import json
import pkgutil
import sys
import time

import bench


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("names", nargs="*", help="bench module names without 'bench_'")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run where a module offers one (quality: tiny views)")
    args = parser.parse_args(argv)
    names = args.names or sorted(m.name[len("bench_"):] for m in pkgutil.iter_modules(bench.__path__)
                                 if m.name.startswith("bench_"))
    for name in names:
        module = importlib.import_module(f"bench.bench_{name}")
        started = time.perf_counter()
        for record in module.run(args):
            print(json.dumps(record), flush=True)
        print(f"# bench_{name} took {time.perf_counter() - started:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
