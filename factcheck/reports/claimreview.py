"""schema.org ClaimReview for a claim in a report: one builder, used by the report page and by exports.

Fields follow schema.org's ClaimReview and Google's fact-check markup: `url`, `claimReviewed` and `reviewRating`
(with `alternateName`) are required; `author`, `datePublished` and `itemReviewed` (a `Claim`, with where it
appeared) are recommended.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

from factcheck.models import Claim, Report, Verdict

# Our verdicts on a three-point scale: 1 (worst) to 3 (best). "Unreviewed" and "Not a claim" are not ratings:
# such a claim gets no ClaimReview.
BEST_RATING = 3
WORST_RATING = 1
RATINGS: dict[str, tuple[int, str]] = {
    Verdict.FALSE: (1, "False"),
    Verdict.DISPUTED: (2, "Disputed"),
    Verdict.VERIFIED: (3, "Verified"),
}

# Characters that could end the <script> element or open markup inside it, written as JSON escapes instead.
_SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def base_url(request_or_base_url: HttpRequest | str) -> str:
    """The site's address without a trailing slash: from a request (its scheme and host), or given as text."""
    if isinstance(request_or_base_url, str):
        return request_or_base_url.rstrip("/")
    return request_or_base_url.build_absolute_uri("/").rstrip("/")


def report_claim_url(report: Report, claim: Claim, request_or_base_url: HttpRequest | str) -> str:
    """The claim's place in the report: the report's absolute address with the claim's anchor."""
    return f"{base_url(request_or_base_url)}{report.get_absolute_url()}#claim-{claim.pk}"


def review_rating(verdict: str) -> dict[str, Any]:
    """The schema.org Rating of one of our verdicts (False 1, Disputed 2, Verified 3)."""
    value, label = RATINGS[verdict]
    return {"@type": "Rating", "ratingValue": value, "bestRating": BEST_RATING, "worstRating": WORST_RATING,
            "alternateName": label}


def newsroom_author() -> dict[str, Any]:
    """The newsroom as the `author` of its ClaimReviews (NEWSROOM_NAME, NEWSROOM_URL)."""
    return _organization(settings.NEWSROOM_NAME, settings.NEWSROOM_URL)


def _organization(name: str, url: str = "") -> dict[str, Any]:
    org: dict[str, Any] = {"@type": "Organization", "name": name}
    if url:
        org["url"] = url
    return org


def item_reviewed(claim: Claim) -> dict[str, Any]:
    """The claim as it appeared: in the article (its address, headline, byline, publisher and date, as known)."""
    article = claim.article
    appearance: dict[str, Any] = {"@type": "CreativeWork", "headline": article.title}
    if article.url:
        appearance["url"] = article.url
    if article.published_at:
        appearance["datePublished"] = article.published_at.date().isoformat()
    if article.byline:
        appearance["author"] = {"@type": "Person", "name": article.byline}
    if article.source_id:
        appearance["publisher"] = _organization(article.source.name)
    item: dict[str, Any] = {"@type": "Claim", "appearance": appearance}
    if article.source_id:
        item["author"] = _organization(article.source.name)
    if article.published_at:
        item["datePublished"] = article.published_at.date().isoformat()
    return item


def claim_review_jsonld(
    report: Report, claim: Claim, request_or_base_url: HttpRequest | str
) -> dict[str, Any] | None:
    """The ClaimReview of `claim` as published in `report`, or None for a claim without a rating verdict.

    `claim.article` (and its source) should be loaded with the claim. The review is dated by the report's first
    publication (a later correction sets `dateModified`, read from `claim.verdict_at`).
    """
    if claim.verdict not in RATINGS:
        return None
    review: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": report_claim_url(report, claim, request_or_base_url),
        "claimReviewed": claim.text,
        "author": newsroom_author(),
        "itemReviewed": item_reviewed(claim),
        "reviewRating": review_rating(claim.verdict),
    }
    published = report.first_published_at or report.published_at
    if published:
        review["datePublished"] = published.date().isoformat()
        if claim.verdict_at and claim.verdict_at > published:
            review["dateModified"] = claim.verdict_at.date().isoformat()
    if claim.rationale:
        review["reviewBody"] = claim.rationale
    if claim.article.language:
        review["inLanguage"] = claim.article.language
    return review


def jsonld_script_body(data: dict[str, Any]) -> SafeString:
    """JSON for a `<script type="application/ld+json">` element: nothing in it can close the element."""
    return mark_safe(json.dumps(data, ensure_ascii=False, sort_keys=False).translate(_SCRIPT_ESCAPES))
