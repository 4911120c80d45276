"""The one exception type for user mistakes.

Anything the user can fix (a bad config key, a missing file, a corrupt ephemeris row) raises
UserError with a message that names the file, key, row or value and what was expected. The
command line prints it without a traceback and exits with status 2; operators report it.
"""


class UserError(Exception):
    """A mistake in the user's input; the message alone tells them what to fix."""

    exit_status = 2
