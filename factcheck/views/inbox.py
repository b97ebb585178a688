"""The inbox: every article with its progress, filtered, sorted and paginated; rows follow extraction live."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import path
from django.views.decorators.http import require_GET
from django_htmx.http import HttpResponseStopPolling

from factcheck import selectors
from factcheck.models import Article
from factcheck.pagination import keyset_page, query_without_cursor
from factcheck.views.access import int_or_none, require_view_permission

PAGE_SIZE = 25
SORTS = {
    "newest": "Newest first",
    "oldest": "Oldest first",
    "published": "Publication date",
    "title": "Title",
    "unreviewed": "Most unreviewed",
}


@require_GET
@require_view_permission
def inbox(request: HttpRequest) -> HttpResponse:
    """The articles to check, newest first, with their claim counts by verdict and review progress."""
    params = request.GET
    filters = {
        "status": params.get("status", ""),
        "source": params.get("source", ""),
        "uploader": params.get("uploader", ""),
        "story": params.get("story", ""),
        "unreviewed": params.get("unreviewed") == "1",
        "conflicts": params.get("conflicts") == "1",
        "checked": params.get("checked") == "1",
        "q": params.get("q", "").strip()[:200],
        "sort": params.get("sort", "newest") if params.get("sort") in SORTS else "newest",
    }
    articles = selectors.article_list_filtered(
        status=filters["status"],
        source_id=int_or_none(filters["source"]),
        uploader_id=int_or_none(filters["uploader"]),
        story_id=int_or_none(filters["story"]),
        unreviewed_only=filters["unreviewed"],
        conflicts_only=filters["conflicts"],
        checked_only=filters["checked"],
        q=filters["q"],
    )
    page = keyset_page(articles, order=selectors.INBOX_SORTS[filters["sort"]], cursor=params.get("after"),
                       size=PAGE_SIZE)
    context = {
        "page": page,
        "articles": page.rows,
        "filters": filters,
        "query": query_without_cursor(params),
        "statuses": Article.Status.choices,
        "sorts": SORTS,
        "choices": selectors.inbox_filter_choices(),
        "filtered": any(
            filters[k] for k in ("status", "source", "uploader", "story", "unreviewed", "conflicts", "checked", "q")
        ),
    }
    if request.htmx and request.htmx.target == "inbox-results":
        return render(request, "inbox/inbox.html#results", context)
    return render(request, "inbox/inbox.html", context)


@require_GET
@require_view_permission
def article_row(request: HttpRequest, pk: int) -> HttpResponse:
    """One inbox row, polled while the article is being extracted; 286 stops the polling once it is done."""
    article = selectors.article_row(article_id=pk)
    if article is None:
        raise Http404("No such article.")
    html = render_to_string("inbox/inbox.html#row", {"article": article}, request=request)
    if article.is_finished:
        return HttpResponseStopPolling(html)
    return HttpResponse(html)


urlpatterns = [
    path("", inbox, name="inbox"),
    path("articles/<int:pk>/row", article_row, name="article-row"),
]
