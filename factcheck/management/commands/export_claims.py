"""Export articles with their claims, verdicts, clusters, conflicts and evidence: JSON, CSV or schema.org ClaimReview."""

from __future__ import annotations

import csv
import json
import sys
from contextlib import contextmanager
from typing import Any, Iterator

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from factcheck import selectors
from factcheck.models import Article, Claim, Story, Verdict

CHUNK = 200
# A spreadsheet runs a cell that starts with one of these as a formula; a leading quote makes it text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_COLUMNS = [
    "article_id", "article_title", "article_origin", "article_url", "article_source",
    "claim_id", "start", "end", "text", "score", "kinds", "verdict", "rationale", "cluster",
    "conflicts", "evidence_urls",
]
# ClaimReview ratings: 1 (worst) to 3 (best).
RATINGS = {Verdict.FALSE: 1, Verdict.DISPUTED: 2, Verdict.VERIFIED: 3}


def csv_safe(value: Any) -> Any:
    """The cell as text a spreadsheet won't evaluate: a leading = + - @ tab or carriage return gets a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _evidence(claim: Claim) -> list[dict[str, Any]]:
    return [
        {
            "url": e.url,
            "source": e.source.name if e.source else None,
            "stance": e.stance,
            "passage": e.passage,
            "note": e.note,
            "removed": e.removed_at is not None,
        }
        for e in claim.evidence.all()
    ]


def _conflicts(claim: Claim) -> list[dict[str, Any]]:
    return [
        {"kind": c.kind, "values": list(c.values), "claims": [x.pk for x in c.claims.all()], "status": c.status}
        for c in claim.conflicts.all()
    ]


def article_record(article: Article) -> dict[str, Any]:
    """One article as exported: the article and its claims (prefetched by selectors.articles_for_export)."""
    return {
        "article": {
            "id": article.pk,
            "title": article.title,
            "origin": article.origin,
            "url": article.url,
            "source": article.source.name if article.source else None,
            "body": article.body,
        },
        "claims": [
            {
                "id": c.pk,
                "start": c.start,
                "end": c.end,
                "text": c.text,
                "score": c.score,
                "kinds": list(c.kinds),
                "facets": c.facets,
                "verdict": c.verdict,
                "origin": c.origin,
                "cluster": c.cluster_id,
                "conflicts": _conflicts(c),
                "evidence": _evidence(c),
            }
            for c in article.claims.all()
        ],
    }


def csv_row(article: Article, claim: Claim) -> list[Any]:
    conflicts = "; ".join(f"{c.kind}: {' / '.join(c.values)}" for c in claim.conflicts.all())
    evidence = " ".join(e.url for e in claim.evidence.all() if e.removed_at is None)
    row = [
        article.pk, article.title, article.origin, article.url, article.source.name if article.source else "",
        claim.pk, claim.start, claim.end, claim.text, claim.score, ";".join(claim.kinds), claim.verdict,
        claim.rationale, claim.cluster_id or "", conflicts, evidence,
    ]
    return [csv_safe(v) for v in row]


def claim_review(article: Article, claim: Claim, publisher: str) -> dict[str, Any]:
    """A schema.org ClaimReview for one reviewed claim."""
    appearance: dict[str, Any] = {"@type": "CreativeWork", "headline": article.title}
    if article.url:
        appearance["url"] = article.url
    if article.published_at:
        appearance["datePublished"] = article.published_at.date().isoformat()
    item: dict[str, Any] = {"@type": "Claim", "appearance": appearance}
    if article.source:
        item["author"] = {"@type": "Organization", "name": article.source.name}
    review: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "claimReviewed": claim.text,
        "itemReviewed": item,
        "author": {"@type": "Organization", "name": publisher},
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": RATINGS[claim.verdict],
            "bestRating": 3,
            "worstRating": 1,
            "alternateName": claim.get_verdict_display(),
        },
        "reviewBody": claim.rationale,
    }
    if claim.verdict_at:
        review["datePublished"] = claim.verdict_at.date().isoformat()
    return review


class Command(BaseCommand):
    help = "Export articles with claims, verdicts, clusters, conflicts and evidence (JSON, CSV or ClaimReview)."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["json", "csv", "claimreview"], default="json")
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--article", type=int, metavar="ID", help="one article")
        which.add_argument("--story", type=int, metavar="ID", help="the articles of one story")
        parser.add_argument("--output", metavar="FILE", help="write here instead of standard output")

    @contextmanager
    def _open(self, output: str | None) -> Iterator[Any]:
        if not output:
            yield self.stdout._out  # the raw stream: no line ending added to each write
            return
        with open(output, "w", encoding="utf-8", newline="") as handle:
            yield handle

    def handle(self, *args, format: str, article: int | None, story: int | None, output: str | None, **options):
        if article is not None and not Article.objects.filter(pk=article).exists():
            raise CommandError(f"No article with id {article}.")
        if story is not None and not Story.objects.filter(pk=story).exists():
            raise CommandError(f"No story with id {story}.")
        articles = selectors.articles_for_export(article_id=article, story_id=story).iterator(chunk_size=CHUNK)
        with self._open(output) as out:
            if format == "csv":
                n = self._csv(articles, out)
            else:
                n = self._json(articles, out, claimreview=format == "claimreview")
        if output:
            sys.stderr.write(f"Exported {n} {'reviews' if format == 'claimreview' else 'articles'} to {output}.\n")

    def _json(self, articles, out, *, claimreview: bool) -> int:
        publisher = getattr(settings, "FACTDESK_PUBLISHER", "") or "Factdesk"
        n = 0
        out.write("[")
        for art in articles:
            records = (
                [claim_review(art, c, publisher) for c in art.claims.all() if c.verdict in RATINGS]
                if claimreview
                else [article_record(art)]
            )
            for record in records:
                out.write(("," if n else "") + "\n" + json.dumps(record, ensure_ascii=False))
                n += 1
        out.write("\n]\n" if n else "]\n")
        return n

    def _csv(self, articles, out) -> int:
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        n = 0
        for art in articles:
            for claim in art.claims.all():
                writer.writerow(csv_row(art, claim))
            n += 1
        return n
