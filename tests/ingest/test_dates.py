from __future__ import annotations

import datetime as dt

import pytest

from factcheck.ingest import parse_datetime

UTC = dt.UTC


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2026-01-31", dt.datetime(2026, 1, 31)),
        ("2026-01-31T10:00:00Z", dt.datetime(2026, 1, 31, 10, tzinfo=UTC)),
        ("2026-01-31T10:00:00+01:00", dt.datetime(2026, 1, 31, 9, tzinfo=UTC)),
        ("Sat, 31 Jan 2026 10:00:00 GMT", dt.datetime(2026, 1, 31, 10, tzinfo=UTC)),
        ("Jan 31, 2026", dt.datetime(2026, 1, 31)),
        ("31 January 2026 10:00 CET", dt.datetime(2026, 1, 31, 9, tzinfo=UTC)),
        ("Saturday, January 31, 2026 at 10:00 AM EST", dt.datetime(2026, 1, 31, 15, tzinfo=UTC)),
        ("01/02/2026", dt.datetime(2026, 1, 2)),
        (1769853600, dt.datetime(2026, 1, 31, 10, tzinfo=UTC)),
        (dt.date(2026, 1, 31), dt.datetime(2026, 1, 31)),
    ],
)
def test_understood(value: object, expected: dt.datetime) -> None:
    parsed = parse_datetime(value)
    assert parsed == expected
    assert (parsed.tzinfo is None) == (expected.tzinfo is None)  # type: ignore[union-attr]


@pytest.mark.parametrize("value", [None, "", "5", "today", "next tuesday", "2026", "January 2026", "2026-02-30", True])
def test_not_a_full_date(value: object) -> None:
    assert parse_datetime(value) is None
