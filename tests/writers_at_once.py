"""Processes that write one exp folder at the same moment (tests of the manifest and its parts)."""

import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def write_at_once(script: str, exp, images: list[str], processes: int = 4) -> None:
    """Start `processes` copies of script (formatted with repo, exp, images and its number n),
    let them all go at once (each waits for a line on stdin) and require each to exit 0."""
    writers = [subprocess.Popen([sys.executable, "-c", script.format(
        repo=REPO, exp=str(exp), images=images, n=n)], stdin=subprocess.PIPE, text=True)
        for n in range(processes)]
    for process in writers:
        process.stdin.write("go\n")
        process.stdin.flush()
    for process in writers:
        process.stdin.close()
        assert process.wait(timeout=120) == 0
