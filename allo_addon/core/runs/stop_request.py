"""A request to stop a running batch between two images — no bpy.

Schedulers stop a job with SIGTERM (Slurm: scancel, the time limit; Kubernetes and HTCondor
alike) and SIGKILL only after a grace period. Python's default for SIGTERM ends the process at
once, leaving the camera-day's claim (core/runs/claims.py) behind: a rerun of that shard on another
node must honour a claim whose process it cannot check, and leaves the camera-day unrendered.
The `render` command turns SIGTERM into request(); the batch (scene/batch.py) looks at
requested() before each image and stops there, releasing its claim and scratch folder. An
exception raised by the signal handler instead would land wherever Python runs at that moment,
often inside Cycles' own render callback, which swallows it.
"""

import threading

_stop = threading.Event()


def request() -> None:
    _stop.set()


def requested() -> bool:
    return _stop.is_set()


def clear() -> None:
    _stop.clear()
