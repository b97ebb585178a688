"""Decisions on published fact-checks offered on a claim: same claim, not the same, show again."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from factcheck import selectors
from factcheck.models import CheckOffer, Evidence, PublishedCheck
from factcheck.services.check_offers import (
    PROPOSED_VERDICT,
    check_offer_confirm,
    check_offer_reject,
    check_offer_restore,
)
from factcheck.timeline import claim_timeline
from tests.factories import CheckOfferFactory, ClaimFactory, PublishedCheckFactory, SourceFactory

pytestmark = pytest.mark.django_db

OfferEvent = CheckOffer.pgh_event_model


def snopes_false(**kwargs):
    return PublishedCheckFactory(
        publisher=SourceFactory(name="Snopes"),
        url="https://www.snopes.com/fact-check/ev-tariff-100/",
        claim_reviewed="The US put a 100% tariff on Chinese EVs in 2024.",
        rating_label="False",
        rating=PublishedCheck.Rating.FALSE,
        review_date=datetime.date(2025, 5, 2),
        **kwargs,
    )


def test_confirm_attaches_the_check_as_evidence_once_and_records_the_decision(checker):
    offer = CheckOfferFactory(published_check=snopes_false())
    claim_id = offer.claim_id

    confirmed = check_offer_confirm(offer_id=offer.pk, claim_id=claim_id, actor=checker)
    again = check_offer_confirm(offer_id=offer.pk, claim_id=claim_id, actor=checker)

    evidence = Evidence.objects.get(claim_id=claim_id)  # exactly one, after two confirmations
    assert evidence.url == "https://www.snopes.com/fact-check/ev-tariff-100/"
    assert evidence.source.name == "Snopes"
    assert evidence.stance == "refutes"
    assert evidence.passage == "The US put a 100% tariff on Chinese EVs in 2024."
    assert evidence.note == "Published fact-check by Snopes: rated “False”; reviewed 2 May 2025."
    assert evidence.added_by == checker
    offer.refresh_from_db()
    assert (offer.status, offer.decided_by, offer.evidence_id) == ("confirmed", checker, evidence.pk)
    assert offer.decided_at is not None
    assert confirmed.pk == again.pk == offer.pk
    # The verdict is the reviewer's to set: confirming proposes, it does not decide.
    offer.claim.refresh_from_db()
    assert (offer.claim.verdict, offer.claim.version) == ("unreviewed", 1)
    update = OfferEvent.objects.get(pgh_obj_id=offer.pk, pgh_label="update")
    assert update.status == "confirmed"
    assert update.pgh_context.metadata["action"] == "factcheck.checkoffer.confirmed"
    assert update.pgh_context.metadata["username"] == checker.username


@pytest.mark.parametrize(
    ("rating", "stance"),
    [("true", "supports"), ("mostly_true", "supports"), ("mostly_false", "refutes"), ("mixed", "context"),
     ("unproven", "context"), ("other", "context")],
)
def test_evidence_stance_follows_the_normalised_rating(checker, rating, stance):
    offer = CheckOfferFactory(published_check=PublishedCheckFactory(rating=rating))
    check_offer_confirm(offer_id=offer.pk, claim_id=offer.claim_id, actor=checker)
    assert Evidence.objects.get(claim_id=offer.claim_id).stance == stance


def test_proposed_verdicts_are_defined_for_the_ratings_that_say_something():
    assert PROPOSED_VERDICT == {
        "false": "false",
        "mostly_false": "disputed",
        "mixed": "disputed",
        "mostly_true": "verified",
        "true": "verified",
    }


def test_a_check_without_a_link_is_confirmed_without_evidence(checker):
    check = PublishedCheckFactory(url="", identifier="PF-2024-118")
    offer = CheckOfferFactory(published_check=check)
    check_offer_confirm(offer_id=offer.pk, claim_id=offer.claim_id, actor=checker)
    offer.refresh_from_db()
    assert (offer.status, offer.evidence_id) == ("confirmed", None)
    assert not Evidence.objects.filter(claim_id=offer.claim_id).exists()


def test_reject_hides_the_offer_and_restore_shows_it_again(checker, editor):
    claim = ClaimFactory()
    kept = CheckOfferFactory(claim=claim, score=0.7, band="possible")
    rejected = CheckOfferFactory(claim=claim, score=0.95)

    check_offer_reject(offer_id=rejected.pk, claim_id=claim.pk, actor=checker)
    check_offer_reject(offer_id=rejected.pk, claim_id=claim.pk, actor=checker)  # idempotent

    offers = selectors.claim_check_offers(claim_id=claim.pk)
    assert [o.pk for o in offers.shown] == [kept.pk]
    assert offers.n_hidden == 1 and offers.hidden is None
    assert [o.pk for o in selectors.claim_check_offers(claim_id=claim.pk, include_hidden=True).hidden] == [rejected.pk]
    assert OfferEvent.objects.filter(pgh_obj_id=rejected.pk, pgh_label="update").count() == 1
    # Rejecting never touches the claim or its evidence.
    assert not Evidence.objects.filter(claim=claim).exists()

    check_offer_restore(offer_id=rejected.pk, claim_id=claim.pk, actor=editor)
    rejected.refresh_from_db()
    assert (rejected.status, rejected.decided_by) == ("offered", editor)
    assert [o.pk for o in selectors.claim_check_offers(claim_id=claim.pk).shown] == [rejected.pk, kept.pk]


def test_a_rejected_offer_cannot_be_confirmed_until_shown_again(checker):
    offer = CheckOfferFactory()
    check_offer_reject(offer_id=offer.pk, claim_id=offer.claim_id, actor=checker)
    with pytest.raises(ValidationError, match="Show it again"):
        check_offer_confirm(offer_id=offer.pk, claim_id=offer.claim_id, actor=checker)
    assert not Evidence.objects.exists()


def test_a_confirmation_taken_back_removes_its_evidence_and_keeps_the_verdict(checker):
    offer = CheckOfferFactory(published_check=snopes_false())
    check_offer_confirm(offer_id=offer.pk, claim_id=offer.claim_id, actor=checker)
    check_offer_restore(offer_id=offer.pk, claim_id=offer.claim_id, actor=checker)  # nothing to show again
    assert CheckOffer.objects.get(pk=offer.pk).status == "confirmed"

    check_offer_reject(offer_id=offer.pk, claim_id=offer.claim_id, actor=checker)

    offer.refresh_from_db()
    evidence = Evidence.objects.get(claim_id=offer.claim_id)
    assert offer.status == "rejected" and offer.evidence_id == evidence.pk
    assert (evidence.removed_by, evidence.removal_reason) == (checker, "Not the same claim after all: Snopes: False.")
    offer.claim.refresh_from_db()
    assert offer.claim.verdict == "unreviewed"
    sentences = [e.sentence for e in claim_timeline(claim_id=offer.claim_id)]
    assert "marked “Snopes: False” as not the same claim after all" in sentences
    assert "removed evidence snopes.com" in sentences


def test_another_claims_offer_or_a_deleted_one_is_refused(checker):
    offer = CheckOfferFactory()
    other = ClaimFactory()
    for decide in (check_offer_confirm, check_offer_reject):
        with pytest.raises(ValidationError, match="no longer offered"):
            decide(offer_id=offer.pk, claim_id=other.pk, actor=checker)
    gone = CheckOfferFactory()
    gone_id, gone_claim = gone.pk, gone.claim_id
    gone.delete()
    with pytest.raises(ValidationError, match="no longer offered"):
        check_offer_confirm(offer_id=gone_id, claim_id=gone_claim, actor=checker)
    offer.refresh_from_db()
    assert offer.status == "offered"
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("decide", [check_offer_confirm, check_offer_reject, check_offer_restore])
def test_a_viewer_cannot_decide(viewer, decide):
    offer = CheckOfferFactory(status="rejected" if decide is check_offer_restore else "offered")
    with pytest.raises(PermissionDenied):
        decide(offer_id=offer.pk, claim_id=offer.claim_id, actor=viewer)
    assert CheckOffer.objects.get(pk=offer.pk).status == offer.status
    assert not OfferEvent.objects.filter(pgh_obj_id=offer.pk, pgh_label="update").exists()


def test_decisions_read_as_sentences_in_the_claims_timeline(checker):
    offer = CheckOfferFactory(published_check=snopes_false())
    other = CheckOfferFactory(
        claim=offer.claim, published_check=PublishedCheckFactory(publisher_name="Full Fact", rating_label="Misleading")
    )
    check_offer_reject(offer_id=other.pk, claim_id=offer.claim_id, actor=checker)
    check_offer_restore(offer_id=other.pk, claim_id=offer.claim_id, actor=checker)
    check_offer_confirm(offer_id=offer.pk, claim_id=offer.claim_id, actor=checker)
    # Matching re-scores an offer: that is not a decision and reads as nothing.
    CheckOffer.objects.filter(pk=other.pk).update(score=0.5)

    entries = claim_timeline(claim_id=offer.claim_id)
    # Newest first (here all in one transaction, so in the order they were written).
    assert [f"{e.who} {e.sentence}" for e in entries if e.kind == "offer"] == [
        "ana marked “Snopes: False” as the same claim",
        "ana showed “Full Fact: Misleading” again",
        "ana marked “Full Fact: Misleading” as not the same claim",
    ]
    assert "ana added evidence (refutes) snopes.com" in [f"{e.who} {e.sentence}" for e in entries]
    sentences = [e.sentence for e in entries]
    assert len(sentences) == 5  # and the claim's creation


def test_panel_offers_are_bounded_and_strongest_first():
    claim = ClaimFactory()
    weak = CheckOfferFactory(claim=claim, score=0.99, band="possible")
    strong = [CheckOfferFactory(claim=claim, score=score) for score in (0.8, 0.9, 0.85)]
    CheckOfferFactory(claim=claim, score=0.97, status="rejected")
    offers = selectors.claim_check_offers(claim_id=claim.pk)
    assert [o.pk for o in offers.strong] == [strong[1].pk, strong[2].pk, strong[0].pk]
    assert offers.possible == [] and weak.pk not in [o.pk for o in offers.shown]
    assert offers.n_hidden == 1
    assert offers.first_open.pk == strong[1].pk
