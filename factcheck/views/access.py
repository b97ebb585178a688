"""Access helpers: outsiders (signed in, but with no role) get 404; read-only members get 403 on writes."""

from __future__ import annotations

from functools import wraps
from typing import Callable

from django.http import Http404, HttpRequest, HttpResponse

from factcheck import permissions


def require_view_permission(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not permissions.can_view(request.user):
            raise Http404("No such page.")
        return view(request, *args, **kwargs)

    return wrapper
