"""A reviewer's decisions on published fact-checks offered on a claim: the same claim, not the same, show again.

Every decision is kept on the offer (who, when, what), in its history, and in the claim's timeline: the rows are
what the ranking of offers is trained on later. Confirming attaches the check as evidence but never sets a
verdict; the panel proposes one (`proposed_verdict`), which goes through the ordinary verdict action.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from factcheck import permissions
from factcheck.history import history_context
from factcheck.models import CheckOffer, Evidence, PublishedCheck, Rating, Verdict
from factcheck.services.evidence import evidence_add, evidence_remove

# What a published rating suggests for our verdict. Only a suggestion: a person sets the verdict. "Mostly false"
# and "mixed" say the claim is partly wrong, which is what Disputed means here; "mostly true" says it holds with
# a caveat, so Verified (the rationale carries the caveat). Unproven and other ratings say nothing we could act
# on, so they propose nothing.
PROPOSED_VERDICT: dict[str, str] = {
    Rating.FALSE: Verdict.FALSE,
    Rating.MOSTLY_FALSE: Verdict.DISPUTED,
    Rating.MIXED: Verdict.DISPUTED,
    Rating.MOSTLY_TRUE: Verdict.VERIFIED,
    Rating.TRUE: Verdict.VERIFIED,
}

# The stance of the check as evidence: a check that rates the claim false refutes it, one that rates it true
# supports it; anything else is context.
EVIDENCE_STANCE: dict[str, str] = {
    Rating.FALSE: Evidence.Stance.REFUTES,
    Rating.MOSTLY_FALSE: Evidence.Stance.REFUTES,
    Rating.MOSTLY_TRUE: Evidence.Stance.SUPPORTS,
    Rating.TRUE: Evidence.Stance.SUPPORTS,
}


def check_publisher(check: PublishedCheck) -> str:
    """Who published the check: the name it was published under, else its Source's name."""
    return check.publisher_name or (check.publisher.name if check.publisher_id else "") or "Unknown publisher"


def check_label(check: PublishedCheck) -> str:
    """How a check is named in sentences: “Snopes: False” (publisher and rating as published)."""
    return f"{check_publisher(check)}: {check.rating_label or check.get_rating_display()}"


def review_day(check: PublishedCheck) -> str:
    """The check's review date as "3 Jan 2026", or "" when the publisher gave none."""
    return f"{check.review_date.day} {check.review_date:%b %Y}" if check.review_date else ""


def proposed_verdict(check: PublishedCheck) -> str | None:
    """The verdict a check's normalised rating suggests, or None when it suggests none."""
    return PROPOSED_VERDICT.get(check.rating)


def _evidence_note(check: PublishedCheck) -> str:
    publisher = check_publisher(check)
    rating = f"rated “{check.rating_label}”" if check.rating_label else "no rating given"
    when = f"reviewed {review_day(check)}" if check.review_date else "review date unknown"
    return f"Published fact-check by {publisher}: {rating}; {when}."


def _offer_for_decision(*, offer_id: int, claim_id: int, actor: AbstractBaseUser) -> CheckOffer:
    permissions.require_review(actor)
    offer = (
        CheckOffer.objects.select_for_update(of=("self",))
        .select_related("published_check", "published_check__publisher")
        .filter(pk=offer_id)
        .first()
    )
    if offer is None or offer.claim_id != claim_id:
        raise ValidationError("This published check is no longer offered on this claim. Reload the claim.")
    return offer


def _decide(offer: CheckOffer, *, status: str, actor: AbstractBaseUser, action: str, **fields) -> None:
    offer.status = status
    offer.decided_by = actor
    offer.decided_at = timezone.now()
    for name, value in fields.items():
        setattr(offer, name, value)
    with history_context(action=action, user=actor, check=offer.published_check_id):
        offer.save(update_fields=["status", "decided_by", "decided_at", "updated_at", *fields])


@transaction.atomic
def check_offer_confirm(*, offer_id: int, claim_id: int, actor: AbstractBaseUser) -> CheckOffer:
    """Mark an offered check as reviewing the same claim, and attach it to the claim as evidence.

    The evidence links to the check, names its publisher as the source, quotes the claim it reviewed and notes
    the rating as published and the review date; its stance follows the normalised rating. The verdict is left
    alone. Idempotent: confirming a confirmed offer changes nothing and attaches nothing. Refused: an offer of
    another claim or one that no longer exists (ValidationError), a rejected one (show it again first), and
    anyone who may not review claims (PermissionDenied). A check without a link is confirmed without evidence.
    """
    offer = _offer_for_decision(offer_id=offer_id, claim_id=claim_id, actor=actor)
    if offer.status == CheckOffer.Status.CONFIRMED:
        return offer
    if offer.status == CheckOffer.Status.REJECTED:
        raise ValidationError("This check was marked as not the same claim. Show it again before confirming it.")
    check = offer.published_check
    evidence = None
    if check.link:
        evidence = evidence_add(
            claim_id=claim_id,
            actor=actor,
            url=check.link,
            stance=EVIDENCE_STANCE.get(check.rating, Evidence.Stance.CONTEXT),
            passage=check.claim_reviewed or check.headline,
            note=_evidence_note(check),
            source=check.publisher,
        )
    _decide(offer, status=CheckOffer.Status.CONFIRMED, actor=actor, action="factcheck.checkoffer.confirmed",
            evidence=evidence)
    return offer


@transaction.atomic
def check_offer_reject(*, offer_id: int, claim_id: int, actor: AbstractBaseUser) -> CheckOffer:
    """Mark an offered check as not reviewing this claim: the panel hides it (it can be shown again).

    A confirmed check can be taken back the same way: the evidence it attached is removed (kept, struck through,
    with the reason), the verdict is left alone. Idempotent: rejecting a rejected offer changes nothing. Refused:
    another claim's offers, ones that no longer exist, and people who may not review claims.
    """
    offer = _offer_for_decision(offer_id=offer_id, claim_id=claim_id, actor=actor)
    if offer.status == CheckOffer.Status.REJECTED:
        return offer
    if offer.evidence_id is not None and offer.status == CheckOffer.Status.CONFIRMED:
        attached = Evidence.objects.filter(pk=offer.evidence_id, removed_at__isnull=True).exists()
        if attached:
            evidence_remove(
                evidence_id=offer.evidence_id,
                actor=actor,
                reason=f"Not the same claim after all: {check_label(offer.published_check)}.",
            )
    _decide(offer, status=CheckOffer.Status.REJECTED, actor=actor, action="factcheck.checkoffer.rejected")
    return offer


@transaction.atomic
def check_offer_restore(*, offer_id: int, claim_id: int, actor: AbstractBaseUser) -> CheckOffer:
    """Show a hidden (rejected) offer again, undecided. Who restored it and when stay on the offer, so training
    data can tell an undone rejection from an offer nobody looked at. Idempotent for an offer already shown;
    a confirmed offer is left as it is."""
    offer = _offer_for_decision(offer_id=offer_id, claim_id=claim_id, actor=actor)
    if offer.status != CheckOffer.Status.REJECTED:
        return offer
    _decide(offer, status=CheckOffer.Status.OFFERED, actor=actor, action="factcheck.checkoffer.restored")
    return offer
