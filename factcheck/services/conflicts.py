"""Reviewers' actions on contradictions between claims: resolve or dismiss."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from factcheck import permissions
from factcheck.history import history_context
from factcheck.models import Conflict
from factcheck.services.clusters import require_review


def _close_conflict(conflict_id: int, actor: AbstractBaseUser, note: str, status: str, action: str) -> Conflict:
    require_review(actor)
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


