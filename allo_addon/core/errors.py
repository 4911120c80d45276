"""The one exception type for user mistakes.

Anything the user can fix (a bad config key, a missing file, a corrupt ephemeris row) raises
UserError with a message that names the file, key, row or value and what was expected. The
command line prints it without a traceback and exits with status 2; operators report it.
"""

import difflib


class UserError(Exception):
    """A mistake in the user's input; the message alone tells them what to fix."""

    exit_status = 2


def did_you_mean(word, known) -> str:
    """` (did you mean 'x'?)` naming the entry of `known` closest to a mistyped `word`, or ""
    when none is close: the hint every "unknown key/kind" message ends with."""
    close = difflib.get_close_matches(str(word), list(known), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
