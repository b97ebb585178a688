from __future__ import annotations

import datetime as dt

import pytest

from factcheck.ingest import IngestError, parse_feed

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<title>Example News</title><link>https://example.com/</link>
<item>
  <title>Ford denies Xiaomi talks</title>
  <link>https://example.com/news/ford-xiaomi</link>
  <guid isPermaLink="false">story-1234</guid>
  <pubDate>Sat, 31 Jan 2026 10:00:00 +0100</pubDate>
  <dc:creator>Jane Doe</dc:creator>
  <description>&lt;p&gt;Ford denied the report.&lt;script&gt;alert(1)&lt;/script&gt;&lt;/p&gt;</description>
</item>
<item>
  <title>Relative link only</title>
  <link>/news/relative</link>
</item>
<item>
  <title>No link, no guid</title>
  <pubDate>Sun, 01 Feb 2026 08:00:00 GMT</pubDate>
</item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title>Example Atom</title><id>urn:feed</id><updated>2026-02-01T00:00:00Z</updated>
<entry>
  <title>Xiaomi says it has no plans</title>
  <id>urn:uuid:6c2a</id>
  <link rel="alternate" href="https://example.org/xiaomi"/>
  <published>2026-01-31T12:00:00-05:00</published>
  <author><name>Sam Reporter</name></author>
  <content type="html">&lt;p&gt;Full content.&lt;/p&gt;</content>
  <summary>Short summary.</summary>
</entry>
</feed>"""


def test_rss_items() -> None:
    first, relative, bare = parse_feed(RSS, base_url="https://example.com/feed.xml")
    assert first.guid == "story-1234"
    assert first.url == "https://example.com/news/ford-xiaomi"
    assert first.title == "Ford denies Xiaomi talks"
    assert first.author == "Jane Doe"
    assert first.published_at == dt.datetime(2026, 1, 31, 9, tzinfo=dt.UTC)
    assert "Ford denied the report." in first.summary_html and "<script" not in first.summary_html
    assert relative.url == "https://example.com/news/relative"
    assert relative.guid == "https://example.com/news/relative"  # no guid: the link stands in
    assert bare.url is None
    assert bare.guid.startswith("sha256:")


def test_fallback_guid_is_stable() -> None:
    assert parse_feed(RSS)[2].guid == parse_feed(RSS)[2].guid


def test_guid_does_not_depend_on_base_url() -> None:
    assert parse_feed(RSS, base_url="https://a.test/")[0].guid == parse_feed(RSS)[0].guid == "story-1234"


def test_atom_entries() -> None:
    (entry,) = parse_feed(ATOM)
    assert entry.guid == "urn:uuid:6c2a"
    assert entry.url == "https://example.org/xiaomi"
    assert entry.author == "Sam Reporter"
    assert entry.summary_html == "<p>Full content.</p>"  # full content preferred to the summary
    assert entry.published_at == dt.datetime(2026, 1, 31, 17, tzinfo=dt.UTC)


def test_recoverable_breakage_is_tolerated() -> None:
    feed = (
        b'<rss version="2.0"><channel><item><title>Caf&eacute; &nbsp;news</title>'
        b"<link>https://example.com/a</link></item></channel></rss>"
    )
    (item,) = parse_feed(feed)
    assert item.url == "https://example.com/a"
    assert item.title.startswith("Caf\u00e9")


def test_non_http_links_are_dropped() -> None:
    feed = b'<rss version="2.0"><channel><item><title>x</title><link>javascript:alert(1)</link></item></channel></rss>'
    (item,) = parse_feed(feed)
    assert item.url is None


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "The file is empty."),
        (b"just some words, not a feed", "not well-formed RSS or Atom|does not look like an RSS or Atom feed"),
        (b"<html><body><p>A web page</p></body></html>", "does not look like an RSS or Atom feed"),
        (b"<?xml version='1.0'?><rss><channel><item><title>unterminated", "not well-formed|does not look like"),
    ],
)
def test_malformed_feeds(data: bytes, message: str) -> None:
    with pytest.raises(IngestError, match=message):
        parse_feed(data)
