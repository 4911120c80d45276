"""What a render process loads before its first image (#14 §3): registering the add-on must not
pull in the post-process run (Pillow, multiprocessing, concurrent.futures: ~0.1 s a process),
nor must a batch of normal images load the anomaly kit; the lazily loaded names still work."""

import subprocess
import sys

import pytest

from conftest import REPO

PROBE = """
import sys
import bpy
from allo_addon.headless.blender_session import ensure_registered
ensure_registered()
from allo_addon.scene import assembly, batch
print(sorted(name for name in ("PIL", "concurrent.futures", "allo_addon.core.postprocess.run",
                               "allo_addon.scene.builtin.anomalies") if name in sys.modules))
sys.stdout.flush()
import os
os._exit(0)
"""


@pytest.mark.blender
def test_registration_and_the_batch_modules_leave_post_process_and_anomalies_unloaded():
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=REPO, capture_output=True,
                            text=True, timeout=300, env={"PYTHONPATH": str(REPO), "HOME": "/tmp"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_lazily_loaded_names_are_the_real_ones():
    from allo_addon import api
    from allo_addon.core import postprocess
    from allo_addon.core.postprocess import masks, run
    assert api.PostprocessRequest is run.PostprocessRequest
    assert api.PostprocessSummary is run.Summary
    assert postprocess.postprocess is run.postprocess
    assert postprocess.combine_masks is masks.combine_masks
    with pytest.raises(AttributeError):
        api.no_such_name
    with pytest.raises(AttributeError):
        postprocess.no_such_name
