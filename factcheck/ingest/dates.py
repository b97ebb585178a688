"""Lenient parsing of publication dates found in uploads, rows and pages."""

from __future__ import annotations

import datetime as dt
import email.utils
import re
import warnings

from dateutil import parser as dateutil_parser

__all__ = ["parse_datetime"]

# Zone abbreviations common in English-language datelines. Abbreviations are
# ambiguous worldwide (IST, CST), so only these unambiguous-in-practice ones count.
_ZONES = {
    name: hours * 3600
    for name, hours in {
        "UTC": 0,
        "GMT": 0,
        "Z": 0,
        "BST": 1,
        "CET": 1,
        "CEST": 2,
        "EET": 2,
        "EEST": 3,
        "EST": -5,
        "EDT": -4,
        "CDT": -5,
        "MST": -7,
        "MDT": -6,
        "PST": -8,
        "PDT": -7,
    }.items()
}
_DEFAULT_A = dt.datetime(2000, 1, 1)
_DEFAULT_B = dt.datetime(2001, 2, 2)
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|2\d\d\d)(?!\d)")


def parse_datetime(value: object) -> dt.datetime | None:
    """Parse a publication date, or return ``None`` when it cannot be understood.

    Accepts ISO 8601 (``2026-01-31``, ``2026-01-31T10:00:00Z``), RFC 2822
    (``Sat, 31 Jan 2026 10:00:00 GMT``), common written forms (``Jan 31, 2026``,
    ``31 January 2026 10:00 CET``), ``date``/``datetime`` objects and Unix
    timestamps. The result is timezone-aware when the input states an offset (or
    a common zone abbreviation) and naive otherwise (date-only values become
    midnight). A value without year, month and day ("2026", "January 2026") is
    not a date. Numeric day/month order follows the US convention
    (``01/02/2026`` is 2 January).
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, (int, float)):
        try:
            return dt.datetime.fromtimestamp(value, tz=dt.UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > 100:
        return None
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        parsed = None
    if parsed is not None and parsed.tzinfo is not None:
        return parsed
    # Free-form text: insist on a four-digit year so that "5" or "today" is not
    # silently turned into a day of the current month.
    if not _YEAR.search(text):
        return parsed
    return _parse_free_form(text) or parsed


def _parse_free_form(text: str) -> dt.datetime | None:
    # Parse twice with different defaults: if the results differ, the text lacked
    # a year, month or day and dateutil filled it in, so it is not a full date.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dateutil_parser.UnknownTimezoneWarning)
        try:
            first = dateutil_parser.parse(text, default=_DEFAULT_A, tzinfos=_ZONES)
            second = dateutil_parser.parse(text, default=_DEFAULT_B, tzinfos=_ZONES)
        except (ValueError, OverflowError, dateutil_parser.ParserError):
            return None
    return first if first == second else None
