"""What the import tests upload besides documents (tests/builders/documents.py): article bodies, feeds, JSON Lines."""

from __future__ import annotations

import json


def make_jsonl(rows: list[dict | str]) -> bytes:
    lines = [row if isinstance(row, str) else json.dumps(row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def make_rss(items: list[dict], *, title: str = "Test feed") -> bytes:
    entries = "".join(
        f"<item><title>{i['title']}</title><link>{i['link']}</link><guid>{i['guid']}</guid>"
        f"<pubDate>Tue, 06 Jan 2026 10:00:00 GMT</pubDate>"
        f"<description><![CDATA[{i.get('summary', '')}]]></description></item>"
        for i in items
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>https://example.org/</link><description>d</description>{entries}</channel></rss>"
    ).encode()


def article_text(n: int, *, words: int = 120) -> str:
    """A distinct, realistic article body: numbers, names and a quote, so each one hashes differently."""
    sentences = [
        f"The council approved a budget of £{4 + n % 7}.{n % 10} million for the project on Tuesday.",
        f"Inspectors found corrosion in {10 + n % 80} percent of the supports, according to report {n}.",
        f"\"We had no choice,\" said Margaret Okafor, the council leader, in statement number {n}.",
        "Opposition members said the closure would hurt local businesses along the river.",
        f"Traffic on the bridge averaged {18000 + n} vehicles a day in 2023, a survey found.",
    ]
    body, i = [], 0
    while sum(len(s.split()) for s in body) < words:
        body.append(sentences[i % len(sentences)])
        i += 1
    return f"Bridge report {n}\n\n" + " ".join(body)
