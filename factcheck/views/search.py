"""Full-text search over claims (text and rationale) and articles (title and body), matches highlighted."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from factcheck import selectors
from factcheck.presenters import ClaimHit, claim_row
from factcheck.views.access import require_view_permission

MAX_QUERY = 200


def marked(headline: str | None) -> SafeString:
    """Escape a SearchHeadline result, then turn its match markers into <mark> elements."""
    text = escape(headline or "")
    text = text.replace(selectors.HEADLINE_START, "<mark>").replace(selectors.HEADLINE_STOP, "</mark>")
    return mark_safe(text)  # noqa: S308 - everything but our own <mark> tags was escaped above


@require_GET
@require_view_permission
def search(request: HttpRequest) -> HttpResponse:
    """Search claims and articles with PostgreSQL full-text search (web-search syntax: "quotes", or, -not)."""
    q = request.GET.get("q", "").strip()[:MAX_QUERY]
    claims, articles = [], []
    if q:
        claims = [
            ClaimHit(
                row=claim_row(claim, with_article=True),
                text_marked=marked(claim.text_headline),
                rationale_marked=marked(claim.rationale_headline) if claim.rationale else "",
            )
            for claim in selectors.search_claims(q=q)
        ]
        articles = selectors.search_articles(q=q)
        for article in articles:
            article.title_marked = marked(article.title_headline)
            article.body_marked = marked(article.body_headline)
    context = {"q": q, "claims": claims, "articles": articles}
    if request.htmx and request.htmx.target == "search-results":
        return render(request, "search/search.html#results", context)
    return render(request, "search/search.html", context)


urlpatterns = [
    path("search/", search, name="search"),
]
