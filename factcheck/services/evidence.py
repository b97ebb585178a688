from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from factcheck import permissions, selectors
from factcheck.history import history_context
from factcheck.models import Claim, Evidence, Source

_validate_url = URLValidator(schemes=["http", "https"])


@transaction.atomic
def evidence_add(
    *,
    claim_id: int,
    actor: AbstractBaseUser,
    url: str,
    stance: str,
    passage: str = "",
    note: str = "",
    source: Source | None = None,
) -> Evidence:
    """Attach evidence to a claim. Only http(s) links; the source is matched by the link's domain if not given.
    PermissionDenied for someone who may not review claims."""
    permissions.require_review(actor)
    url = url.strip()
    try:
        _validate_url(url)
    except ValidationError:
        raise ValidationError({"url": "Enter a full web address starting with http:// or https://."}) from None
    if stance not in Evidence.Stance.values:
        raise ValidationError({"stance": "Choose whether the evidence supports, refutes or gives context."})
    claim = Claim.objects.get(pk=claim_id)
    with history_context(action="factcheck.evidence.added", user=actor, reason=note.strip() or None):
        return Evidence.objects.create(
            claim=claim,
            url=url,
            stance=stance,
            passage=passage.strip(),
            note=note.strip(),
            source=source or selectors.source_for_url(url),
            added_by=actor,
        )


@transaction.atomic
def evidence_remove(*, evidence_id: int, actor: AbstractBaseUser, reason: str) -> Evidence:
    """Remove evidence from its claim. The row stays (marked removed, by whom, why) and the history records it.

    A reason is required (ValidationError without one): removing evidence changes what a verdict rests on.
    PermissionDenied for someone who may not review claims.
    """
    permissions.require_review(actor)
    if not reason.strip():
        raise ValidationError("Give a reason for removing this evidence.")
    evidence = Evidence.objects.select_for_update().get(pk=evidence_id)
    if evidence.removed_at is not None:
        raise ValidationError("This evidence was already removed.")
    evidence.removed_at = timezone.now()
    evidence.removed_by = actor
    evidence.removal_reason = reason.strip()
    with history_context(action="factcheck.evidence.removed", user=actor, reason=reason.strip() or None):
        evidence.save(update_fields=["removed_at", "removed_by", "removal_reason"])
    return evidence
