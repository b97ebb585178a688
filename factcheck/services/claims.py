from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from factcheck import permissions
from factcheck.history import history_context
from factcheck.models import Claim, Verdict
from factcheck.services import notifications

VERDICTS_NEEDING_RATIONALE = {Verdict.DISPUTED, Verdict.FALSE}


class ClaimConflict(Exception):
    """Someone else changed the claim since the user loaded it. `current` is the claim as it is now."""

    def __init__(self, current: Claim):
        self.current = current
        who = current.verdict_by.get_username() if current.verdict_by else "someone"
        super().__init__(
            f"This claim was changed by {who} while you were looking at it: it is now "
            f"“{current.get_verdict_display()}”. Review the change and try again."
        )


def _validate_verdict(verdict: str, rationale: str) -> None:
    if verdict not in Verdict.values:
        raise ValidationError({"verdict": f"Unknown verdict {verdict!r}."})
    if verdict in VERDICTS_NEEDING_RATIONALE and not rationale.strip():
        label = Verdict(verdict).label
        raise ValidationError({"rationale": f"Give a rationale for “{label}”: say what is wrong and why."})


@transaction.atomic
def claim_set_verdict(
    *,
    claim_id: int,
    actor: AbstractBaseUser,
    verdict: str,
    rationale: str = "",
    expected_version: int,
) -> Claim:
    """Set a claim's verdict and rationale, if nobody changed the claim since the actor saw `expected_version`.

    Guarantees: one conditional UPDATE, so two concurrent saves can't both win; a stale version raises
    `ClaimConflict` carrying the current claim and changes nothing; the history row names the actor and
    carries the rationale as the reason. Returns the claim as saved, with its reviewer and assignee; raises
    `Claim.DoesNotExist` for a claim that doesn't exist.
    """
    rationale = rationale.strip()
    _validate_verdict(verdict, rationale)
    now = timezone.now()
    with history_context(action="factcheck.claim.verdict_changed", user=actor, reason=rationale):
        updated = Claim.objects.filter(pk=claim_id, version=expected_version).update(
            verdict=verdict,
            rationale=rationale,
            verdict_by=actor,
            verdict_at=now,
            updated_at=now,
            version=F("version") + 1,
        )
    claim = Claim.objects.select_related("verdict_by", "assignee").get(pk=claim_id)
    if not updated:
        raise ClaimConflict(claim)
    notifications.notify_verdict_changed(claim=claim, actor=actor)
    return claim


@transaction.atomic
def claim_assign(*, claim_id: int, actor: AbstractBaseUser, assignee: AbstractBaseUser | None) -> Claim:
    """Assign a claim (or clear its assignee).

    Editors may assign anyone. Anyone who can review may take an unassigned claim for themselves, or give
    back their own; taking is a conditional UPDATE, so two people can't both take the same claim.
    """
    may_assign_anyone = permissions.can_assign(actor)
    qs = Claim.objects.filter(pk=claim_id)
    if not may_assign_anyone:
        if not permissions.can_review(actor):
            raise PermissionDenied("You can't assign claims.")
        if assignee is not None and assignee.pk != actor.pk:
            raise PermissionDenied("Only editors can assign claims to other people.")
        # Take an unassigned claim, or hand back your own.
        qs = qs.filter(assignee__isnull=True) if assignee is not None else qs.filter(assignee=actor)
    # Whether the assignee changes, for the notification: someone given a claim they already have hears nothing.
    gives_to_someone_else = assignee is not None and assignee.pk != actor.pk
    before = qs.values_list("assignee_id", flat=True).first() if gives_to_someone_else else None
    with history_context(action="factcheck.claim.assigned", user=actor):
        updated = qs.update(assignee=assignee, updated_at=timezone.now())
    claim = Claim.objects.select_related("verdict_by", "assignee").get(pk=claim_id)
    if not updated:
        holder = claim.assignee.get_username() if claim.assignee else "nobody"
        raise PermissionDenied(f"This claim is assigned to {holder}; only editors can reassign it.")
    if assignee is not None and before != assignee.pk:
        notifications.notify_assigned(claim=claim, actor=actor)
    return claim
