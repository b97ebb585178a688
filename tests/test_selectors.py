"""Cross-article reads: what the claim panel and the story page show, in a fixed number of queries."""

from __future__ import annotations

import pytest
from django.utils import timezone

from factcheck import selectors
from factcheck.models import Claim
from tests.factories import EvidenceFactory
from tests.builders.clusters import clustered_claims, conflict_between

pytestmark = pytest.mark.django_db


def test_siblings_with_suggestion_in_two_queries(django_assert_num_queries, checker):
    _, claims = clustered_claims(5)
    now = timezone.now()
    Claim.objects.filter(pk__in=[claims[1].pk, claims[2].pk]).update(verdict="false", rationale="It was 100%.",
                                                                     verdict_at=now, verdict_by=checker)
    Claim.objects.filter(pk=claims[3].pk).update(verdict="verified", verdict_at=now)
    EvidenceFactory(claim=claims[1], url="https://tariffs.example/schedule")
    EvidenceFactory(claim=claims[2], url="https://gone.example/", removed_at=now)
    with django_assert_num_queries(2):
        siblings = selectors.claim_siblings(claim=claims[0])
        suggestion = siblings.suggestion
        outlets = [m.article.source.name for m in siblings.members]
    assert len(siblings.members) == 4 and siblings.n_articles == 4 and len(outlets) == 4
    assert claims[0].pk not in {m.pk for m in siblings.members}
    assert suggestion.verdict == "false" and suggestion.n_claims == 2 and suggestion.disagreement
    assert suggestion.rationale == "It was 100%."
    assert [e.url for e in suggestion.evidence] == ["https://tariffs.example/schedule"]


def test_unclustered_claim_has_no_siblings(django_assert_num_queries):
    _, (claim,) = clustered_claims(1)
    Claim.objects.filter(pk=claim.pk).update(cluster=None)
    claim.refresh_from_db()
    with django_assert_num_queries(0):
        assert not selectors.claim_siblings(claim=claim)


def test_claim_conflicts_open_only_in_two_queries(django_assert_num_queries):
    _, (a, b, c) = clustered_claims(3)
    open_one = conflict_between(a, b)
    closed = conflict_between(a, c, kind="name", values=("John Mullenaar", "John Moolenaar"))
    closed.status = "dismissed"
    closed.save()
    with django_assert_num_queries(2):
        conflicts = selectors.claim_conflicts(claim=a)
        names = [[x.article.source.name for x in conflict.claims.all()] for conflict in conflicts]
    assert [x.pk for x in conflicts] == [open_one.pk] and len(names[0]) == 2
    assert {x.pk for x in selectors.claim_conflicts(claim=a, include_closed=True)} == {open_one.pk, closed.pk}
