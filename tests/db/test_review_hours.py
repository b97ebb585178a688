"""The hourly review counts the desk overview reads are kept by the database, whatever writes the verdict."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import F, Sum
from django.utils import timezone

from factcheck.models import Article, Claim, ReviewHour
from factcheck.services import claim_set_verdict
from tests.factories import ArticleFactory, claims_for

pytestmark = pytest.mark.django_db


def counts() -> dict:
    """(hour, reviewer id) -> claims, leaving out emptied buckets."""
    return {(r.hour, r.reviewer_id): r.n for r in ReviewHour.objects.filter(n__gt=0)}


def from_claims() -> dict:
    """The same counts recomputed from the claims themselves."""
    out: dict = {}
    for c in Claim.objects.exclude(verdict="unreviewed").exclude(verdict_at=None):
        key = (c.verdict_at.replace(minute=0, second=0, microsecond=0), c.verdict_by_id)
        out[key] = out.get(key, 0) + 1
    return out


def test_service_reviews_and_changes_of_mind_are_counted_once(checker, editor):
    claims = claims_for(ArticleFactory(), 3)
    for claim in claims[:2]:
        claim_set_verdict(claim_id=claim.pk, actor=checker, verdict="verified", rationale="", expected_version=1)
    assert sum(counts().values()) == 2 and counts() == from_claims()
    # The editor changes one verdict: it moves to the editor; back to unreviewed: it leaves the counts.
    claim_set_verdict(claim_id=claims[0].pk, actor=editor, verdict="false", rationale="No.", expected_version=2)
    assert {who: n for (_, who), n in counts().items()} == {checker.pk: 1, editor.pk: 1}
    claim_set_verdict(claim_id=claims[0].pk, actor=editor, verdict="unreviewed", rationale="", expected_version=3)
    assert counts() == from_claims() and sum(counts().values()) == 1


def test_bulk_updates_inserts_and_deletes_keep_the_counts(checker):
    article = ArticleFactory()
    claims = claims_for(article)
    # A bulk update without a service: the verdict trigger sets the time (now) and no reviewer.
    Claim.objects.filter(pk__in=[c.pk for c in claims[:3]]).update(verdict="disputed")
    earlier = timezone.now() - dt.timedelta(days=3)
    Claim.objects.filter(pk=claims[3].pk).update(verdict="verified", verdict_by=checker, verdict_at=earlier,
                                                 version=F("version") + 1)
    other = ArticleFactory()
    Claim.objects.create(article=other, start=0, end=6, text=other.body[:6], verdict="false", verdict_at=earlier,
                         verdict_by=checker)
    assert counts() == from_claims() and sum(counts().values()) == 5
    assert counts()[(timezone.now().replace(minute=0, second=0, microsecond=0).astimezone(dt.timezone.utc), None)] == 3
    Article.objects.filter(pk=article.pk).delete()  # its claims go with it
    assert counts() == from_claims() and ReviewHour.objects.aggregate(n=Sum("n"))["n"] == 1
