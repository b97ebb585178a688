"""The desk overview: its numbers on a known desk, a fixed number of queries, charts that read without colour."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from factcheck.models import Article, Claim, Conflict, ImportBatch
from factcheck.overview import desk_overview
from tests.factories import ArticleFactory, UserFactory, claims_for

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("factcheck:overview")


def days_ago(n: int, hour: int = 12) -> dt.datetime:
    day = timezone.localdate() - dt.timedelta(days=n)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def review_as(claim: Claim, verdict: str, who, at: dt.datetime) -> None:
    """A verdict set by `who` at `at` (raising the version, as the services do, so the trigger keeps who and when)."""
    Claim.objects.filter(pk=claim.pk).update(verdict=verdict, verdict_by=who, verdict_at=at, version=F("version") + 1)


@pytest.fixture
def desk(checker, editor):
    """A known desk: 3 articles of 5 claims (one still queued, one failed), reviews on known days by known people,
    one open and one dismissed conflict, an import with failures and one without."""
    ready = ArticleFactory(title="Ready one")
    second = ArticleFactory(title="Ready two")
    ArticleFactory(title="Still queued", status=Article.Status.QUEUED)
    ArticleFactory(title="Broken", status=Article.Status.FAILED)
    a, b = claims_for(ready), claims_for(second)
    review = [  # claim, verdict, who, days ago
        (a[0], "verified", checker, 0), (a[1], "false", checker, 0), (a[2], "disputed", editor, 3),
        (b[0], "verified", checker, 29), (b[1], "not_claim", editor, 3),
        (b[2], "verified", editor, 30),  # outside the 30 days
    ]
    for claim, verdict, who, ago in review:
        review_as(claim, verdict, who, days_ago(ago))
    # Unreviewed and highly check-worthy: the oldest first (b[4] older than a[3]); a[4] is below the bar.
    Claim.objects.filter(pk=a[3].pk).update(score=0.95, created_at=days_ago(2))
    Claim.objects.filter(pk=b[4].pk).update(score=0.85, created_at=days_ago(5))
    Claim.objects.filter(pk=a[4].pk).update(score=0.79, created_at=days_ago(9))
    Claim.objects.filter(pk=b[3].pk).update(score=0.5)
    for kind, status in (("number", "open"), ("date", "dismissed")):
        conflict = Conflict.objects.create(key=f"test:{kind}", kind=kind, values=["1", "2"], status=status)
        conflict.claims.set([a[1], b[1]])
    failed = ImportBatch.objects.create(kind="jsonl", label="wires.jsonl", total=10, imported=7, failed=3,
                                        status="done", created_by=editor)
    ImportBatch.objects.create(kind="csv", label="clean.csv", total=2, imported=2, status="done")
    return {"ready": ready, "a": a, "b": b, "failed_batch": failed}


def test_numbers_of_a_known_desk(desk, checker, editor):
    data = desk_overview()
    by_day = dict(data.days)
    today = timezone.localdate()
    assert len(data.days) == 30 and data.days[-1][0] == today
    assert by_day[today] == 2 and by_day[today - dt.timedelta(days=3)] == 2
    assert by_day[today - dt.timedelta(days=29)] == 1 and data.reviewed_in_window == 5
    assert data.people == [("ana", 3), ("ed", 2)]
    assert data.verdicts == {"unreviewed": 4, "verified": 3, "disputed": 1, "false": 1, "not_claim": 1}
    assert (data.waiting_extraction, data.waiting_review, data.failed_extraction, data.open_conflicts) == (1, 2, 1, 1)
    assert [c.pk for c in data.oldest_priority] == [desk["b"][4].pk, desk["a"][3].pk]
    assert [b.pk for b in data.failed_batches] == [desk["failed_batch"].pk]


def test_overview_page_shows_them_linked(client, viewer, desk):
    client.force_login(viewer)
    html = client.get(OVERVIEW).content.decode()
    assert "<strong>2</strong> articles waiting for review" in html
    assert "<strong>1</strong> waiting for extraction" in html and "<strong>1</strong> open contradiction<" in html
    assert f'href="{desk["b"][4].get_absolute_url()}"' in html
    assert f'href="{reverse("factcheck:batch", args=[desk["failed_batch"].pk])}"' in html and "3 of 10 failed" in html
    assert 'aria-current="page">Overview</a>' in html


def test_charts_read_without_colour(client, viewer, desk):
    client.force_login(viewer)
    html = client.get(OVERVIEW).content.decode()
    for chart in ("chart-days", "chart-people", "chart-mix"):
        svg = re.search(rf'<svg class="chart" id="{chart}".*?</svg>', html, re.S).group(0)
        assert 'role="img"' in svg and f'aria-labelledby="{chart}-title {chart}-desc"' in svg
        assert "style=" not in svg  # the Content-Security-Policy refuses inline styles
    days = re.search(r'<svg class="chart" id="chart-days".*?</svg>', html, re.S).group(0)
    today = timezone.localdate()
    assert f"<title>{today:%a %-d %b %Y}: 2 claims reviewed</title>" in days
    assert '<text class="chart-value"' in days  # values written on the bars
    people = re.search(r'<svg class="chart" id="chart-people".*?</svg>', html, re.S).group(0)
    assert "<title>ana: 3 claims reviewed</title>" in people and "<title>ed: 2 claims reviewed</title>" in people
    mix = re.search(r'<svg class="chart" id="chart-mix".*?</svg>', html, re.S).group(0)
    assert "<title>Verified: 3 claims (30%)</title>" in mix and 'id="pat-stripes"' in mix
    assert 'class="chart-item chart-v-false"' in mix


def test_names_in_charts_are_escaped(client, viewer, desk):
    hostile = UserFactory(username="<b>x</b>", role="Fact-checkers")
    review_as(desk["a"][4], "verified", hostile, days_ago(1))
    client.force_login(viewer)
    html = client.get(OVERVIEW).content.decode()
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html


def _fill(n_articles: int, reviewers: list) -> None:
    for i in range(n_articles):
        claims = claims_for(ArticleFactory(status=Article.Status.QUEUED if i % 7 == 0 else Article.Status.READY))
        for j, claim in enumerate(claims[:2]):
            review_as(claim, "verified", reviewers[(i + j) % len(reviewers)], days_ago(i % 40))
        ImportBatch.objects.create(kind="csv", label=f"b{i}.csv", total=5, failed=i % 2, status="done")


def test_query_count_is_the_same_at_10_and_1000_claims(client, viewer, checker, editor):
    client.force_login(viewer)
    _fill(2, [checker, editor])  # 10 claims
    assert Claim.objects.count() == 10
    with CaptureQueriesContext(connection) as few:
        assert client.get(OVERVIEW).status_code == 200
    _fill(198, [checker, editor, UserFactory(username="third", role="Fact-checkers")])
    assert Claim.objects.count() == 1000
    with CaptureQueriesContext(connection) as many:
        html = client.get(OVERVIEW).content.decode()
    assert len(many) == len(few)
    # Two reviews per article, on day i % 40 before today: only the last 30 days count.
    in_window = 2 * (sum(1 for i in range(2) if i % 40 < 30) + sum(1 for i in range(198) if i % 40 < 30))
    assert in_window == 304
    assert f"<strong>{in_window}</strong> claims reviewed in 30 days" in html


def test_empty_desk(client, viewer):
    client.force_login(viewer)
    html = client.get(OVERVIEW).content.decode()
    assert "Nobody has reviewed a claim in the last 30 days." in html
    assert "No import has failed items." in html and "No unreviewed claim scores 0.8 or more." in html
