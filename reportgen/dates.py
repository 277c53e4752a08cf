"""Dates and months as people type them: YYYY-MM-DD and YYYY-MM, read one way everywhere."""

from __future__ import annotations

import datetime as dt
import re

from .model import Month

_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


def parse_date(text: str) -> dt.date | None:
    """The date `text` writes as YYYY-MM-DD, or None if it is not written so.

    Raises ValueError if it is written so but is not a date in the calendar
    (2024-02-30), so that the caller can say which of the two is wrong.
    """
    match = _DATE.fullmatch(text)
    if match is None:
        return None
    return dt.date(*map(int, match.groups()))


def date_or_none(text: str) -> dt.date | None:
    """The date `text` writes as YYYY-MM-DD, or None for anything else."""
    try:
        return parse_date(text)
    except ValueError:
        return None


def parse_month(text: str) -> Month | None:
    """The month `text` writes as YYYY-MM (month 01 to 12), or None."""
    match = _MONTH.fullmatch(text)
    if match is None or not 1 <= int(match.group(2)) <= 12:
        return None
    return Month(int(match.group(1)), int(match.group(2)))
