"""Lenient parsing of publication dates found in uploads, rows and pages."""

from __future__ import annotations

import datetime as dt
import email.utils
import re

from dateutil import parser as dateutil_parser

__all__ = ["parse_datetime"]

_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|2\d\d\d)(?!\d)")


def parse_datetime(value: object) -> dt.datetime | None:
    """Parse a publication date, or return ``None`` when it cannot be understood.

    Accepts ISO 8601 (``2026-01-31``, ``2026-01-31T10:00:00Z``), RFC 2822
    (``Sat, 31 Jan 2026 10:00:00 GMT``), common written forms (``Jan 31, 2026``,
    ``31 January 2026 10:00 CET``), ``date``/``datetime`` objects and Unix
    timestamps. The result is timezone-aware when the input states an offset and
    naive otherwise (including date-only values, which become midnight). Numeric
    day/month order follows the US convention (``01/02/2026`` is 2 January).
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, (int, float)):
        try:
            return dt.datetime.fromtimestamp(value, tz=dt.timezone.utc)
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
    if parsed is not None:
        return parsed
    # Free-form text: insist on a four-digit year so that "5" or "today" is not
    # silently turned into a day of the current month.
    if not _YEAR.search(text):
        return None
    try:
        return dateutil_parser.parse(text)
    except (ValueError, OverflowError, dateutil_parser.ParserError):
        return None
