"""Notes on a claim (in the claim panel) and the user's notifications (the bell and its page).

Notes answer like the panel's other actions: the panel fragment for htmx, a redirect back to the article
otherwise. Notifications are personal: every read and write is filtered on the signed-in user, so another
person's notification is a 404 like a missing one.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseStopPolling

from factcheck import selectors
from factcheck.models import Note, Notification
from factcheck.pagination import keyset_page
from factcheck.services.notes import NoteSaved, note_add, note_edit
from factcheck.services.notifications import notification_mark_read, notifications_mark_all_read
from factcheck.views.access import claim_for_user, int_or_none, require_review, require_view_permission
from factcheck.views.claims import _panel_response, _validation_errors

NOTIFICATIONS_PAGE_SIZE = 30


def _saved_notice(saved: NoteSaved, done: str) -> str:
    notice = done
    if saved.mentioned:
        notice += " Notified " + ", ".join(f"@{name}" for name in saved.mentioned) + "."
    if saved.unknown:
        notice += " Nobody here is called " + ", ".join(f"@{name}" for name in saved.unknown) + ": not notified."
    return notice


@require_POST
@require_view_permission
def note_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Write a note on the claim, or reply to one of its notes (`parent`)."""
    require_review(request)
    claim = claim_for_user(request.user, pk)
    body = request.POST.get("body", "")
    parent_id = int_or_none(request.POST.get("parent"))
    try:
        saved = note_add(claim_id=claim.pk, actor=request.user, body=body, parent_id=parent_id)
    except ValidationError as exc:
        return _panel_response(
            request, claim, errors=_note_errors(exc), note_values={"body": body, "parent": parent_id}
        )
    return _panel_response(request, claim, changed=True, notice=_saved_notice(saved, "Note added."))


@require_POST
@require_view_permission
def note_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the text of one's own note (another person's is refused with 403 by the service)."""
    require_review(request)
    note = Note.objects.filter(pk=pk).only("pk", "claim_id").first()
    if note is None:
        raise Http404("No such note.")
    body = request.POST.get("body", "")
    try:
        saved = note_edit(note_id=note.pk, actor=request.user, body=body)
    except ValidationError as exc:
        return _panel_response(
            request, claim_for_user(request.user, note.claim_id), errors=_note_errors(exc),
            note_values={"body": body, "edit": pk},
        )
    claim = claim_for_user(request.user, note.claim_id)
    return _panel_response(request, claim, changed=True, notice=_saved_notice(saved, "Note saved."))


@require_GET
@require_view_permission
def note_people(request: HttpRequest) -> JsonResponse:
    """Colleagues whose username starts with `q`, for the note box's suggestions while typing an @mention."""
    require_review(request)
    prefix = request.GET.get("q", "")[:150]
    return JsonResponse({"people": selectors.people_to_mention(prefix=prefix) if prefix else []})


def _note_errors(exc: ValidationError) -> dict[str, list[str]]:
    errors = _validation_errors(exc)
    return {"note": errors.get("body", []) + errors.get("general", [])}


# --- Notifications --------------------------------------------------------------------------------------------


def _back(request: HttpRequest) -> str:
    back = request.POST.get("next", "")
    allowed = {request.get_host()}
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts=allowed, require_https=request.is_secure()):
        return back
    return reverse("factcheck:notifications")


@require_GET
@require_view_permission
def notifications(request: HttpRequest) -> HttpResponse:
    """The user's notifications, newest first, a page at a time (keyset: one query per page)."""
    page = keyset_page(
        selectors.notification_list(user=request.user),
        order=selectors.NOTIFICATION_ORDER,
        cursor=request.GET.get("after"),
        size=NOTIFICATIONS_PAGE_SIZE,
    )
    unread = selectors.notifications_unread_count(user=request.user)
    return render(request, "notifications/list.html", {"page": page, "unread": unread, "query": ""})


@require_GET
@login_not_required
def notification_count(request: HttpRequest) -> HttpResponse:
    """The bell's unread count, polled by every open page: the count query and nothing else. A signed-out page
    is told to stop polling (286) rather than being sent the sign-in page to paste into its bell."""
    if not request.user.is_authenticated:
        return HttpResponseStopPolling()
    return render(
        request, "base.html#bell-count", {"unread": selectors.notifications_unread_count(user=request.user)}
    )


@require_GET
@require_view_permission
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a notification to its object, marking it read on the way (only one's own: others are 404)."""
    try:
        notification = notification_mark_read(notification_id=pk, user=request.user)
    except Notification.DoesNotExist:
        raise Http404("No such notification.") from None
    return redirect(notification.get_absolute_url())


@require_POST
@require_view_permission
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one of the user's notifications read; then back to the list (or to `next`)."""
    try:
        notification_mark_read(notification_id=pk, user=request.user)
    except Notification.DoesNotExist:
        raise Http404("No such notification.") from None
    return redirect(_back(request))


@require_POST
@require_view_permission
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    """Mark all of the user's notifications read."""
    n = notifications_mark_all_read(user=request.user)
    messages.success(request, f"Marked {n} notification{'s' if n != 1 else ''} read." if n else "Nothing was unread.")
    return redirect(_back(request))


urlpatterns = [
    path("claims/<int:pk>/notes", note_add_view, name="note-add"),
    path("notes/<int:pk>/edit", note_edit_view, name="note-edit"),
    path("notes/people", note_people, name="note-people"),
    path("notifications/", notifications, name="notifications"),
    path("notifications/count", notification_count, name="notification-count"),
    path("notifications/<int:pk>/", notification_open, name="notification-open"),
    path("notifications/<int:pk>/read", notification_read, name="notification-read"),
    path("notifications/read-all", notifications_read_all, name="notifications-read-all"),
]
