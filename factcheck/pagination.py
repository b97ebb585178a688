"""Keyset (cursor) pagination: a page is the rows after the last one shown, read from an index in page-size rows.

`OFFSET n` makes PostgreSQL read and discard n rows, so the last page of a long list costs a scan of the list; a
cursor names the sort values of the last row shown, and the next page starts there (`WHERE (k1, k2) < (v1, v2)`,
written so the first key bounds the index scan). No total is counted: a page knows where it starts and whether
more follow, which is what "1–50 of many" needs.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any, Sequence

from django.db.models import Q, QuerySet
from django.http import QueryDict

# (field or annotation name, descending); the last key must be unique (the primary key).
Order = Sequence[tuple[str, bool]]


@dataclass
class KeysetPage:
    rows: list
    first: int  # position of the first row in the whole list, from 1 (for "26–50")
    next_cursor: str | None  # None on the last page
    is_first: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __bool__(self) -> bool:
        return bool(self.rows)


def _encode_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"t": value.isoformat()}
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"t"}:
        return dt.datetime.fromisoformat(value["t"])
    if isinstance(value, (str, int, float)) or value is None:
        return value
    raise ValueError("not a cursor value")


def encode_cursor(position: int, values: Sequence[Any]) -> str:
    raw = json.dumps([position, [_encode_value(v) for v in values]], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, n_keys: int) -> tuple[int, list[Any]] | None:
    """The position and sort values a cursor names, or None for anything that is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        position, values = json.loads(raw)
        values = [_decode_value(v) for v in values]
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        return None
    if not isinstance(position, int) or position < 1 or len(values) != n_keys or None in values:
        return None
    return position, values


def after(order: Order, values: Sequence[Any]) -> Q:
    """Rows strictly after `values` in `order`. The first key's inclusive bound is repeated on its own, so an index
    on the sort keys is scanned from the cursor on rather than filtered from its start."""
    (first_key, first_desc), first_value = order[0], values[0]
    condition = Q()
    for i, (key, desc) in enumerate(order):
        ties = {order[j][0]: values[j] for j in range(i)}
        condition |= Q(**ties, **{f"{key}__{'lt' if desc else 'gt'}": values[i]})
    return Q(**{f"{first_key}__{'lte' if first_desc else 'gte'}": first_value}) & condition


def keyset_page(qs: QuerySet, *, order: Order, cursor: str | None, size: int) -> KeysetPage:
    """One page of `qs` in `order` (one query: page size + 1 rows, the extra one says whether more follow)."""
    decoded = decode_cursor(cursor, len(order)) if cursor else None
    position = 1
    if decoded is not None:
        position, values = decoded
        qs = qs.filter(after(order, values))
    qs = qs.order_by(*[f"-{key}" if desc else key for key, desc in order])
    rows = list(qs[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_cursor = encode_cursor(position + size, [getattr(last, key) for key, _ in order])
    return KeysetPage(rows=rows, first=position, next_cursor=next_cursor, is_first=decoded is None)


def query_without_cursor(params: QueryDict) -> str:
    """The query string of a list page without its cursor, for the links to the first and the next page."""
    query = params.copy()
    query.pop("after", None)
    query.pop("page", None)
    return query.urlencode()
