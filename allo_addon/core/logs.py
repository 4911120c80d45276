"""Logging through the standard library: the `allo` logger and the three places its lines go.

A batch says each line once, to `BATCH` (logging.getLogger("allo.batch")); handlers decide
where it goes:
- `console`: stdout, the message alone: the lines the CLI and Blender's console have always
  shown. The add-on installs it while it is registered (`install_console`); a script using
  the API without registering the add-on configures logging as it likes.
- `run_log(path)`: exp_<N>/render.log, open for the whole run, one flushed line per record
  (`status` reads it, so it gets every line whatever the console shows).
- `ReportHandler(report)`: an operator's report(), for warnings and errors while it runs.
No bpy here: the report function is handed in.
"""

from __future__ import annotations

import logging
import sys
from contextlib import contextmanager

LOGGER = logging.getLogger("allo")
BATCH = logging.getLogger("allo.batch")
# render.log must get every line (`status` reads its skipped lines): the batch logger itself
# never filters; quieten the console with its handler's level instead.
BATCH.setLevel(logging.INFO)

# Lines that go to their run's render.log only (Quick Render's throwaway batch, tests).
QUIET = logging.getLogger("allo.quiet")
QUIET.propagate = False
QUIET.setLevel(logging.INFO)

_PLAIN = logging.Formatter("%(message)s")


class _Stdout(logging.StreamHandler):
    """sys.stdout as it is when a line is written (the CLI's or a test's replacement)."""

    def __init__(self):
        super().__init__()
        self.setFormatter(_PLAIN)

    @property
    def stream(self):
        return sys.stdout

    @stream.setter
    def stream(self, _value):
        pass


console = _Stdout()


def install_console() -> None:
    """Show the `allo` loggers' lines on stdout (once, however often the add-on registers)."""
    if console not in LOGGER.handlers:
        LOGGER.addHandler(console)
    if LOGGER.level == logging.NOTSET:
        LOGGER.setLevel(logging.INFO)


def remove_console() -> None:
    LOGGER.removeHandler(console)


@contextmanager
def run_log(path, logger: logging.Logger = BATCH):
    """Append the logger's lines to `path` for the duration of the block. The file is opened on
    the first line (a batch that fails before writing anything leaves no render.log) and kept
    open until the block ends; each line is flushed as it is written, so a killed render keeps
    the lines before it."""
    handler = logging.FileHandler(path, mode="a", encoding="utf-8", delay=True)
    handler.setFormatter(_PLAIN)
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        handler.close()


class ReportHandler(logging.Handler):
    """Forward records to an operator's report({'WARNING'}, message) (errors as ERROR)."""

    def __init__(self, report, level=logging.WARNING):
        super().__init__(level)
        self.report = report
        self.setFormatter(_PLAIN)

    def emit(self, record):
        kind = ("ERROR" if record.levelno >= logging.ERROR else
                "WARNING" if record.levelno >= logging.WARNING else "INFO")
        try:
            self.report({kind}, self.format(record))
        except Exception:   # a report must never end the run it reports on
            self.handleError(record)


@contextmanager
def reporting_to(report, logger: logging.Logger = LOGGER):
    """While the block runs, warnings and errors of `logger` also go to `report`."""
    handler = ReportHandler(report)
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
