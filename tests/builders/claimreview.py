"""ClaimReview records written for the tests (our own words), in every shape a feed carries them."""

from __future__ import annotations

import json
from typing import Any


def claim_review(n: int, **overrides: Any) -> dict[str, Any]:
    """A complete ClaimReview by a fictional outlet; `overrides` replace fields (None removes one)."""
    record: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": f"https://checks.example/reviews/{n}",
        "identifier": f"review-{n}",
        "claimReviewed": f"The river bridge number {n} cost twice its budget.",
        "headline": f"Did bridge {n} cost twice its budget?",
        "description": "We compared the council's accounts with the contract.",
        "author": {"@type": "Organization", "name": "Checks Desk", "url": "https://checks.example/"},
        "creator": {"@type": "Person", "name": "Rae Writer"},
        "datePublished": "2025-03-04",
        "inLanguage": "en",
        "itemReviewed": {"@type": "Claim", "author": {"@type": "Person", "name": "A. Councillor"},
                         "datePublished": "2025-02-27"},
        "reviewRating": {"@type": "Rating", "alternateName": "Mostly False", "ratingValue": 2, "bestRating": 5,
                         "worstRating": 1},
    }
    for key, value in overrides.items():
        if value is None:
            record.pop(key, None)
        else:
            record[key] = value
    return record


def jsonl(records: list[Any]) -> bytes:
    """One JSON value a line; a str is written as it is (a broken line)."""
    return "\n".join(r if isinstance(r, str) else json.dumps(r) for r in records).encode() + b"\n"


def graph(records: list[dict]) -> bytes:
    return json.dumps({"@context": "https://schema.org", "@graph": records}).encode()


def data_feed(elements: list[dict]) -> bytes:
    return json.dumps({"@context": "https://schema.org", "@type": "DataFeed", "dataFeedElement": elements},
                      indent=2).encode()


def html_page(*blocks: str) -> bytes:
    scripts = "".join(f'<script type="application/ld+json">{block}</script>' for block in blocks)
    return f"<!doctype html><html><head><title>A check</title>{scripts}</head><body><p>Text</p></body></html>".encode()
