"""The article workspace: the text with every claim highlighted, the claim list, the selected claim's panel."""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseStopPolling

from factcheck import permissions, selectors
from factcheck.forms import ArticleDetailsForm
from factcheck.levels import LEVELS, level_key
from factcheck.models import Article
from factcheck.presenters import article_blocks, claim_rows, counters, panel_context
from factcheck.services.articles import article_delete as article_delete_service
from factcheck.services.articles import article_update_details
from factcheck.views.access import require_view_permission

ORDERS = {"position": "Position", "score": "Check-worthiness"}


def _selected_id(request: HttpRequest) -> int | None:
    raw = request.GET.get("claim", "")
    return int(raw) if raw.isdigit() else None


def level_links(claims: list, *, order: str, level: str, selected) -> list[dict[str, Any]]:
    """The claim list's level filter: "All" and each level with its count, as links keeping the order and the
    selected claim."""
    keep = {"order": order, **({"claim": selected.pk} if selected is not None else {})}
    counts = Counter(c.level.key for c in claims)
    links = [{"key": "", "label": "All", "marker": "", "n": len(claims), "query": urlencode(keep)}]
    links += [{"key": lv.key, "label": lv.label, "marker": lv.marker, "n": counts[lv.key],
               "query": urlencode({**keep, "level": lv.key})} for lv in LEVELS.values()]
    for link in links:
        link["current"] = link["key"] == level
    return links


def article_page_context(
    request: HttpRequest, *, article_id: int, selected_id: int | None, **panel: Any
) -> dict[str, Any]:
    """The whole workspace for one article, with `selected_id`'s panel when it is one of its claims."""
    try:
        article = selectors.article_for_workspace(article_id=article_id)
    except Article.DoesNotExist:
        raise Http404("No such article.") from None
    order = request.GET.get("order", "position")
    order = order if order in ORDERS else "position"
    claims = selectors.claims_for_article(article_id=article.pk, order=order)
    selected = next((c for c in claims if c.pk == selected_id), None)
    rows = claim_rows(claims, selected_id=selected_id)
    # The level filter narrows the list only: the text keeps every claim highlighted, each by its level.
    level = level_key(request.GET.get("level"))
    context: dict[str, Any] = {
        "article": article,
        "claims": rows,
        "listed": [r for r in rows if r.level.key == level] if level else rows,
        "level": level,
        "level_links": level_links(rows, order=order, level=level, selected=selected),
        "blocks": article_blocks(article.body, article.headings, rows),
        "counters": counters(selectors.verdict_counts(rows)),
        "order": order,
        "orders": ORDERS,
        "selected": selected,
    }
    if selected is not None:
        context.update(panel_context(request, selected, article=article, **panel))
    return context


@require_GET
@require_view_permission
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The workspace page. `?claim=<id>` selects a claim; `?order=score` lists the most check-worthy first;
    `?level=first|look|low` lists only the claims of that check-worthiness level."""
    context = article_page_context(request, article_id=pk, selected_id=_selected_id(request))
    if request.htmx and request.htmx.target == "claim-list":
        return render(request, "articles/article.html#claim-list", context)
    return render(request, "articles/article.html", context)


@require_GET
@require_view_permission
def article_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The extraction status its page polls while the article is being extracted. Once extraction is finished:
    286 (htmx stops polling) and an `extractionFinished` event, on which the page loads its claims once."""
    article = Article.objects.filter(pk=pk).only("pk", "status").first()
    if article is None:
        raise Http404("No such article.")
    if article.is_finished:
        response = HttpResponseStopPolling()
        response["HX-Trigger"] = "extractionFinished"
        return response
    return render(request, "articles/article.html#status", {"article": article})


@require_POST
@require_view_permission
def article_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete an article and its claims (Editors only, after an explicit confirmation). The history stays."""
    if not permissions.can_delete_articles(request.user):
        raise PermissionDenied("Only editors can delete articles.")
    article = Article.objects.filter(pk=pk).only("pk", "title").first()
    if article is None:
        raise Http404("No such article.")
    if request.POST.get("confirm") != "yes":
        messages.error(request, "Tick the confirmation box to delete the article.")
        return redirect(article)
    title = article.title
    article_delete_service(article_id=article.pk, actor=request.user)
    messages.success(request, f"Deleted “{title}” and its claims. Their history is kept.")
    return redirect("factcheck:inbox")


def _details_initial(article: Article) -> dict[str, Any]:
    return {"title": article.title, "byline": article.byline, "url": article.url,
            "published_at": article.published_at, "source": article.source_id}


@require_http_methods(["GET", "POST"])
@require_view_permission
def article_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct an article's details (Editors): title, byline, web address, date, publisher."""
    if not permissions.can_edit_articles(request.user):
        raise PermissionDenied("Only editors can change an article's details.")
    article = Article.objects.select_related("source").defer("body", "headings").filter(pk=pk).first()
    if article is None:
        raise Http404("No such article.")
    form = ArticleDetailsForm(request.POST or None, initial=_details_initial(article))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            article_update_details(
                article_id=article.pk, actor=request.user, title=data["title"], byline=data["byline"],
                url=data["url"], published_at=data["published_at"], source=data["source"],
                new_source_name=data["new_source"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "Details saved.")
            return redirect(article)
    return render(request, "articles/edit.html", {"article": article, "form": form})


urlpatterns = [
    path("articles/<int:pk>/", article_detail, name="article"),
    path("articles/<int:pk>/status", article_status, name="article-status"),
    path("articles/<int:pk>/delete", article_delete, name="article-delete"),
    path("articles/<int:pk>/edit", article_edit, name="article-edit"),
]
