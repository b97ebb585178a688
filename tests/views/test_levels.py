"""Check-worthiness levels on the article page, in the panel, in the queue and its export."""

import re

import pytest
from django.urls import reverse

from factcheck.levels import calibration
from factcheck.models import Claim
from tests.factories import ArticleFactory, ClaimFactory
from tests.views.conftest import HTMX
from tests.views.test_exports import csv_rows

pytestmark = pytest.mark.django_db

HIGH, MIDDLE, LOW = 0.95, 0.6, 0.3


def queue_ids(html):
    return [int(i) for i in re.findall(r'id="queue-claim-(\d+)"', html)]


def row_ids(html):
    return [int(i) for i in re.findall(r'id="claim-row-(\d+)"', html)]


@pytest.fixture
def ranked(article):
    """The article's first three claims at a high, a middle and a low score (the other two stay at 0.7)."""
    high, middle, low = article.claim_list[:3]
    for claim, score in ((high, HIGH), (middle, MIDDLE), (low, LOW)):
        Claim.objects.filter(pk=claim.pk).update(score=score)
    return high, middle, low


def test_the_cut_points_put_the_test_scores_in_three_levels():
    cal = calibration()
    assert [cal.level(s).key for s in (HIGH, MIDDLE, LOW)] == ["first", "look", "low"]


def test_article_page_shows_levels_in_words_with_the_chance_and_highlights_by_level(client, viewer, article, ranked):
    high, middle, low = ranked
    client.force_login(viewer)
    html = client.get(reverse("factcheck:article", args=[article.pk])).content.decode()
    rows = {pk: re.search(rf'<li id="claim-row-{pk}".*?</li>', html, re.S).group(0) for pk in (high.pk, low.pk)}
    assert "Check first" in rows[high.pk] and "▲" in rows[high.pk] and "Low" not in rows[high.pk]
    assert "Low" in rows[low.pk] and "▽" in rows[low.pk] and "Check first" not in rows[low.pk]
    assert re.search(r'title="Check first: (about 9 in 10|nearly all) such sentences are check-worthy \(score 0\.95\)"', rows[high.pk])
    assert "Score 0." not in html
    highlight = lambda pk: re.search(rf'<a id="hl-{pk}"[^>]*>', html).group(0)  # noqa: E731
    assert 'data-level="first"' in highlight(high.pk)
    assert 'data-level="look"' in highlight(middle.pk)
    assert 'data-level="low"' in highlight(low.pk)


def test_panel_shows_the_level_and_the_chance_in_words(client, viewer, article, ranked):
    high, _, low = ranked
    client.force_login(viewer)
    panel = client.get(reverse("factcheck:claim", args=[high.pk]), **HTMX).content.decode()
    chip = re.search(r'<li class="chip chip-score".*?</li>', panel, re.S).group(0)
    assert "Check first" in chip and "such sentences are check-worthy" in chip
    chip = re.search(r'<li class="chip chip-score".*?</li>',
                     client.get(reverse("factcheck:claim", args=[low.pk]), **HTMX).content.decode(), re.S).group(0)
    assert "Low" in chip and "About 3 in 10 such sentences are check-worthy" in chip


def test_article_claim_list_filters_by_level_and_keeps_every_highlight(client, viewer, article, ranked):
    high, middle, low = ranked
    client.force_login(viewer)
    url = reverse("factcheck:article", args=[article.pk])
    html = client.get(url, {"level": "first", "order": "score"}).content.decode()
    assert row_ids(html) == [high.pk]
    assert all(f'id="hl-{c.pk}"' in html for c in article.claim_list)
    assert re.search(r'data-level="first" aria-current="true">.*?Check first <span class="count">1</span>', html)
    assert row_ids(client.get(url, {"level": "low"}).content.decode()) == [low.pk]
    assert sorted(row_ids(client.get(url, {"level": "look"}).content.decode())) == sorted(
        c.pk for c in article.claim_list if c.pk not in (high.pk, low.pk))
    # The order links keep the level; an unknown level lists everything.
    assert "?order=position&amp;level=first" in html
    assert len(row_ids(client.get(url, {"level": "bogus"}).content.decode())) == 5
    fragment = client.get(url, {"level": "low"}, HTTP_HX_TARGET="claim-list", **HTMX).content.decode()
    assert fragment.startswith('<div id="claim-list"') and row_ids(fragment) == [low.pk]


def test_queue_filters_by_level(client, viewer):
    high, middle, low = ClaimFactory(score=HIGH), ClaimFactory(score=MIDDLE), ClaimFactory(score=LOW)
    edge = ClaimFactory(score=calibration().check_first)
    below = ClaimFactory(score=calibration().check_first - 0.0001)
    client.force_login(viewer)
    get = lambda **q: queue_ids(client.get(reverse("factcheck:queue"), q).content.decode())  # noqa: E731
    assert get(level="first") == [high.pk, edge.pk]
    assert get(level="look") == [below.pk, middle.pk]
    assert get(level="low") == [low.pk]
    assert get() == [high.pk, edge.pk, below.pk, middle.pk, low.pk]
    html = client.get(reverse("factcheck:queue"), {"level": "low"}).content.decode()
    assert '<option value="low" selected>' in html
    assert re.search(rf'<tr id="queue-claim-{low.pk}">.*?▽</span> Low</span>', html, re.S)


def test_queue_pages_through_one_level(client, viewer):
    article = ArticleFactory()
    Claim.objects.bulk_create(
        [Claim(article=article, start=i, end=i + 1, text=article.body[i], score=HIGH if i % 3 else LOW)
         for i in range(90)]
    )
    client.force_login(viewer)
    first = client.get(reverse("factcheck:queue"), {"level": "first"}).content.decode()
    cursor = re.search(r'after=([\w-]+)"[^>]*rel="next"', first).group(1)
    assert "level=first" in re.search(r'href="[^"]*after=[^"]*"', first).group(0)
    second = client.get(reverse("factcheck:queue"), {"level": "first", "after": cursor}).content.decode()
    seen = queue_ids(first) + queue_ids(second)
    assert len(queue_ids(first)) == 50 and len(seen) == 60 == len(set(seen))
    assert set(seen) == set(Claim.objects.filter(score=HIGH).values_list("pk", flat=True))


def test_queue_export_keeps_the_level_filter(client, viewer):
    high, _ = ClaimFactory(score=HIGH), ClaimFactory(score=LOW)
    client.force_login(viewer)
    html = client.get(reverse("factcheck:queue"), {"level": "first"}).content.decode()
    assert 'name="level" value="first"' in html
    response = client.post(reverse("factcheck:export"), {"scope": "queue", "level": "first", "format": "csv"})
    assert [int(r["claim_id"]) for r in csv_rows(response)] == [high.pk]
    bad = client.post(reverse("factcheck:export"), {"scope": "queue", "level": "urgent", "format": "csv"})
    assert bad.status_code == 400 and "Unknown check-worthiness level “urgent”" in bad.content.decode()
