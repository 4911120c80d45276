"""Reading the files users hand us, with messages that say which file and what went wrong."""

from pathlib import Path

from .errors import UserError


def read_user_text(path, what: str) -> str:
    """The text of `path`; UserError 'WHAT not found: PATH' or 'cannot read WHAT PATH: why'."""
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"{what} not found: {path}") from None
    except IsADirectoryError:
        raise UserError(f"{what} {path} is a folder, expected a file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(f"cannot read {what} {path}: {error}") from None
