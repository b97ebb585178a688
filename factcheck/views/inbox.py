from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from factcheck import selectors
from factcheck.views.access import require_view_permission


@require_GET
@require_view_permission
def inbox(request: HttpRequest) -> HttpResponse:
    """The articles to check, newest first, with their claim counts by verdict."""
    articles = selectors.article_list_for_inbox()
    return render(request, "inbox/inbox.html", {"articles": articles})


urlpatterns = [
    path("", inbox, name="inbox"),
]
