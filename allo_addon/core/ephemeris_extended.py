"""Extended ephemeris CSV (header + named columns), written by the generator (issue 4)."""

from .errors import UserError


def parse_extended(path, lines):
    raise UserError(f"{path}: has a header line, but the extended ephemeris format is not "
                    f"supported yet; expected 12 comma-separated numbers per row")
