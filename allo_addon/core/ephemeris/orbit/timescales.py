"""UTC epochs → Julian dates in UTC (≈ UT1, for the Earth's rotation) and TT (for the theories).

TT = TAI + 32.184 s and TAI = UTC + the leap seconds in force. The table ends with the leap
second of 2017-01-01; none has been announced since (the IERS Bulletin C of each half-year), and
the ones after would shift TT by a second each: 0.5″ of lunar motion, far below the theory's
own error. UT1 − UTC stays under 0.9 s (under 0.004° of the Earth's rotation), so the Earth's
rotation uses UTC.
"""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np

J2000_JD = 2451545.0           # 2000-01-01 12:00 TT
UNIX_EPOCH_JD = 2440587.5      # 1970-01-01 00:00 UTC
TT_MINUS_TAI_S = 32.184

# (first day in force, TAI − UTC in seconds), from the IERS leap-second list.
LEAP_SECONDS = (
    ("1972-01-01", 10), ("1972-07-01", 11), ("1973-01-01", 12), ("1974-01-01", 13),
    ("1975-01-01", 14), ("1976-01-01", 15), ("1977-01-01", 16), ("1978-01-01", 17),
    ("1979-01-01", 18), ("1980-01-01", 19), ("1981-07-01", 20), ("1982-07-01", 21),
    ("1983-07-01", 22), ("1985-07-01", 23), ("1988-01-01", 24), ("1990-01-01", 25),
    ("1991-01-01", 26), ("1992-07-01", 27), ("1993-07-01", 28), ("1994-07-01", 29),
    ("1996-01-01", 30), ("1997-07-01", 31), ("1999-01-01", 32), ("2006-01-01", 33),
    ("2009-01-01", 34), ("2012-07-01", 35), ("2015-07-01", 36), ("2017-01-01", 37),
)


def julian_date_utc(moment: datetime) -> float:
    """Julian date of an aware or naive-UTC datetime."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return UNIX_EPOCH_JD + moment.timestamp() / 86400.0


_LEAP_JD = np.array([julian_date_utc(datetime.fromisoformat(day)) for day, _ in LEAP_SECONDS])
_LEAP_S = np.array([seconds for _, seconds in LEAP_SECONDS], dtype=float)


def tt_from_utc(jd_utc) -> np.ndarray:
    """Julian dates in TT for Julian dates in UTC (from 1972 on, where UTC has leap seconds)."""
    jd_utc = np.asarray(jd_utc, dtype=float)
    index = np.clip(np.searchsorted(_LEAP_JD, jd_utc, side="right") - 1, 0, None)
    return jd_utc + (_LEAP_S[index] + TT_MINUS_TAI_S) / 86400.0


def centuries_since_j2000(jd) -> np.ndarray:
    return (np.asarray(jd, dtype=float) - J2000_JD) / 36525.0
