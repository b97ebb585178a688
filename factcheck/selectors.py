"""Reads shared by views, exports and services. Each one runs a fixed number of queries."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Length

from factcheck.models import Article, Source, SourceDomain, Verdict


def domain_of(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def source_for_url(url: str) -> Source | None:
    """The source owning the most specific domain of `url` (news.example.com before example.com), if any."""
    host = domain_of(url)
    if not host:
        return None
    parts = host.split(".")
    candidates = [".".join(parts[i:]) for i in range(len(parts) - 1)] or [host]
    match = (
        SourceDomain.objects.filter(domain__in=candidates, source__is_active=True)
        .select_related("source")
        .order_by(Length("domain").desc())
        .first()
    )
    return match.source if match else None


def article_list_for_inbox() -> QuerySet[Article]:
    """Articles with their publisher and claim counts by verdict, in one query."""
    counts = {
        f"n_{value}": Count("claims", filter=Q(claims__verdict=value)) for value in Verdict.values
    }
    return (
        Article.objects.select_related("source")
        .defer("body", "headings")
        .annotate(n_claims=Count("claims"), **counts)
        .order_by("-created_at")
    )
