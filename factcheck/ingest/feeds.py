"""RSS and Atom feeds -> the items to import."""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from .documents import safe_http_url
from .errors import IngestError

__all__ = ["FeedItem", "parse_feed"]


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedItem:
    """One entry of a feed.

    ``guid`` is stable across fetches (the entry id, else its link, else a hash of
    title and date), so re-reading a feed can skip what was already imported.
    ``url`` is an absolute http(s) link or ``None``; ``summary_html`` is the
    entry's content (or summary) as sanitised HTML; ``published_at`` is in UTC.
    """

    guid: str
    url: str | None
    title: str
    summary_html: str
    published_at: dt.datetime | None
    author: str | None


def parse_feed(data: bytes, *, base_url: str | None = None) -> list[FeedItem]:
    """Parse an RSS or Atom document (never fetches anything itself).

    Relative links are resolved against ``base_url``. feedparser tolerates minor
    breakage (a bad character, an undeclared entity); from a feed that is not
    well-formed only entries with an id or a link are kept. A document that is
    not a feed, or too broken to yield any entry, raises :class:`IngestError`.
    """
    import feedparser

    if not data.strip():
        raise IngestError("The file is empty.")
    # Passing bytes (never a str, which feedparser would treat as a URL or path)
    # keeps parsing offline. No base URL is given to feedparser: it would rewrite
    # permalink guids with it, and guids must not depend on where a feed was read.
    parsed = feedparser.parse(data, sanitize_html=True)
    entries = parsed.get("entries") or []
    if not parsed.get("version") and not entries:
        if parsed.get("bozo"):
            raise IngestError("This feed could not be read; it is not well-formed RSS or Atom.")
        raise IngestError("This does not look like an RSS or Atom feed.")

    broken = _not_well_formed(parsed)
    if broken:
        # feedparser's loose parser recovers what it can from broken XML; an
        # entry with neither id nor link may be a fragment cut off mid-way.
        entries = [e for e in entries if e.get("id") or e.get("link")]
        if not entries:
            raise IngestError("This feed could not be read; it is not well-formed RSS or Atom.")

    items: list[FeedItem] = []
    for entry in entries:
        title = " ".join(str(entry.get("title") or "").split())
        link = _entry_link(entry, base_url)
        published = _entry_time(entry)
        guid = str(entry.get("id") or "").strip() or link or _fallback_guid(title, published, entry)
        items.append(
            FeedItem(
                guid=guid,
                url=link,
                title=title or "Untitled",
                summary_html=_entry_html(entry),
                published_at=published,
                author=" ".join(str(entry.get("author") or "").split()) or None,
            )
        )
    return items


def _not_well_formed(parsed: Any) -> bool:
    if not parsed.get("bozo"):
        return False
    import feedparser

    harmless = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)
    return not isinstance(parsed.get("bozo_exception"), harmless)


def _entry_link(entry: Any, base_url: str | None) -> str | None:
    link = str(entry.get("link") or "").strip()
    if not link:
        return None
    if base_url:
        link = urljoin(base_url, link)
    return safe_http_url(link)


def _entry_time(entry: Any) -> dt.datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if isinstance(value, time.struct_time):
            # feedparser normalises dates to UTC struct_time.
            try:
                return dt.datetime.fromtimestamp(calendar.timegm(value), tz=dt.UTC)
            except (OverflowError, OSError, ValueError):
                continue
    return None


def _entry_html(entry: Any) -> str:
    contents = entry.get("content") or []
    for content in contents:
        value = content.get("value")
        if value:
            return str(value)
    return str(entry.get("summary") or "")


def _fallback_guid(title: str, published: dt.datetime | None, entry: Any) -> str:
    stamp = published.isoformat() if published else str(entry.get("published") or entry.get("updated") or "")
    digest = hashlib.sha256(f"{title}\n{stamp}".encode()).hexdigest()
    return f"sha256:{digest}"
