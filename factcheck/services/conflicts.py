"""Reviewers' actions on contradictions between claims: resolve or dismiss."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from factcheck import permissions
from factcheck.history import history_context
from factcheck.models import Conflict


def _close_conflict(conflict_id: int, actor: AbstractBaseUser, note: str, status: str, action: str) -> Conflict:
    permissions.require_review(actor)
    note = note.strip()
    with history_context(action=action, user=actor, reason=note):
        updated = Conflict.objects.filter(pk=conflict_id, status=Conflict.Status.OPEN).update(
            status=status, resolved_by=actor, resolved_at=timezone.now(), resolution_note=note
        )
    conflict = Conflict.objects.select_related("resolved_by").get(pk=conflict_id)
    if not updated:
        who = conflict.resolved_by.get_username() if conflict.resolved_by else "someone"
        raise ValidationError(f"This conflict was already {conflict.get_status_display().lower()} by {who}.")
    return conflict


@transaction.atomic
def conflict_resolve(*, conflict_id: int, actor: AbstractBaseUser, note: str = "") -> Conflict:
    """Mark an open conflict resolved (the disagreement was checked), with a note. Only an open one."""
    return _close_conflict(conflict_id, actor, note, Conflict.Status.RESOLVED, "factcheck.conflict.resolved")


@transaction.atomic
def conflict_dismiss(*, conflict_id: int, actor: AbstractBaseUser, note: str = "") -> Conflict:
    """Dismiss an open conflict as a false alarm, with a note. Matching never reopens it."""
    return _close_conflict(conflict_id, actor, note, Conflict.Status.DISMISSED, "factcheck.conflict.dismissed")




def _close_conflicts(conflict_ids: list[int], actor: AbstractBaseUser, note: str, status: str,
                     action: str) -> list[int]:
    first, *also = conflict_ids
    _close_conflict(first, actor, note, status, action)
    if not also:
        return [first]
    # Only open contradictions of the same claims as the first (what the panel grouped); one closed meanwhile
    # by someone else is left as it is.
    shared = Conflict.claims.through.objects.filter(conflict_id=first).values("claim_id")
    with history_context(action=action, user=actor, reason=note.strip()):
        closed = list(
            Conflict.objects.filter(pk__in=also, status=Conflict.Status.OPEN, claims__in=shared).distinct()
            .values_list("pk", flat=True)
        )
        Conflict.objects.filter(pk__in=closed).update(
            status=status, resolved_by=actor, resolved_at=timezone.now(), resolution_note=note.strip()
        )
    return [first, *sorted(closed)]


@transaction.atomic
def conflicts_resolve(*, conflict_ids: list[int], actor: AbstractBaseUser, note: str = "") -> list[int]:
    """Resolve a group of contradictions that say the same thing, with one note: the first must be open (else a
    ValidationError naming who closed it); the others are closed if they are still open and share a claim with
    it. All or nothing. Returns the ids closed."""
    return _close_conflicts(conflict_ids, actor, note, Conflict.Status.RESOLVED, "factcheck.conflict.resolved")


@transaction.atomic
def conflicts_dismiss(*, conflict_ids: list[int], actor: AbstractBaseUser, note: str = "") -> list[int]:
    """Dismiss a group of contradictions as one false alarm (as `conflicts_resolve`); matching never reopens them."""
    return _close_conflicts(conflict_ids, actor, note, Conflict.Status.DISMISSED, "factcheck.conflict.dismissed")
