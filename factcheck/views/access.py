"""Access helpers: outsiders (signed in, but with no role) get 404; read-only members get 403 on writes."""

from __future__ import annotations

from functools import wraps
from typing import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from factcheck import permissions, selectors
from factcheck.models import Claim
from factcheck.permissions import User


def require_view_permission(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not permissions.can_view(request.user):
            raise Http404("No such page.")
        return view(request, *args, **kwargs)

    return wrapper


def require_review(request: HttpRequest) -> None:
    """Read-only members may look but not change: a write by them is refused with 403."""
    if not permissions.can_review(request.user):
        raise PermissionDenied("You can read claims but not change them.")


def claim_for_user(user: User, claim_id: int) -> Claim:
    """The claim a view acts on or shows, with what its panel reads (one query); 404 to outsiders and for a claim
    that doesn't exist. Whether the user may change it is the view's to ask (`require_review`)."""
    if not permissions.can_view(user):
        raise Http404("No such claim.")
    try:
        return selectors.claim_for_panel(claim_id=claim_id)
    except Claim.DoesNotExist:
        raise Http404("No such claim.") from None


def int_or_none(raw: str | None) -> int | None:
    """An id from a query string, or None when it is missing or not a number (a filter then does nothing)."""
    return int(raw) if raw and raw.isdigit() else None
