"""Cross-article reads: what the claim panel and the story page show, in a fixed number of queries."""

from __future__ import annotations

import pytest
from django.utils import timezone

from factcheck import selectors
from factcheck.models import Claim
from tests.factories import EvidenceFactory
from tests.builders.clusters import clustered_claims, conflict_between
from tests.queries import constant_queries, rolled_back

pytestmark = pytest.mark.django_db


def test_siblings_with_suggestion_in_two_queries(checker):
    with constant_queries(at_most=2) as count:
        for n in (5, 12):
            with rolled_back():
                _siblings_with_suggestion(n, checker, count)


def _siblings_with_suggestion(n, checker, count):
    _, claims = clustered_claims(n)
    now = timezone.now()
    Claim.objects.filter(pk__in=[claims[1].pk, claims[2].pk]).update(verdict="false", rationale="It was 100%.",
                                                                     verdict_at=now, verdict_by=checker)
    Claim.objects.filter(pk=claims[3].pk).update(verdict="verified", verdict_at=now)
    EvidenceFactory(claim=claims[1], url="https://tariffs.example/schedule")
    EvidenceFactory(claim=claims[2], url="https://gone.example/", removed_at=now)
    with count(n):
        siblings = selectors.claim_siblings(claim=claims[0])
        suggestion = siblings.suggestion
        outlets = [m.article.source.name for m in siblings.members]
    assert len(siblings.members) == n - 1 and siblings.n_articles == n - 1 and len(outlets) == n - 1
    assert claims[0].pk not in {m.pk for m in siblings.members}
    assert suggestion.verdict == "false" and suggestion.n_claims == 2 and suggestion.disagreement
    assert suggestion.rationale == "It was 100%."
    assert [e.url for e in suggestion.evidence] == ["https://tariffs.example/schedule"]


def test_unclustered_claim_has_no_siblings(django_assert_max_num_queries):
    _, (claim,) = clustered_claims(1)
    Claim.objects.filter(pk=claim.pk).update(cluster=None)
    claim.refresh_from_db()
    with django_assert_max_num_queries(0):
        assert not selectors.claim_siblings(claim=claim)


def test_claim_conflicts_open_only_in_two_queries():
    with constant_queries(at_most=2) as count:
        for n in (3, 8):
            with rolled_back():
                _claim_conflicts_open_only(n, count)


def _claim_conflicts_open_only(n, count):
    _, (a, b, c, *others) = clustered_claims(n)
    open_one = conflict_between(a, b)
    closed = conflict_between(a, c, kind="name", values=("John Mullenaar", "John Moolenaar"))
    closed.status = "dismissed"
    closed.save()
    more = [conflict_between(a, other, values=("100%", f"{150 + i}%")).pk for i, other in enumerate(others)]
    with count(n):
        conflicts = selectors.claim_conflicts(claim=a)
        names = [[x.article.source.name for x in conflict.claims.all()] for conflict in conflicts]
    assert sorted(x.pk for x in conflicts) == sorted([open_one.pk, *more]) and {len(x) for x in names} == {2}
    assert {x.pk for x in selectors.claim_conflicts(claim=a, include_closed=True)} == {open_one.pk, closed.pk, *more}
