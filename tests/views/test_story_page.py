"""The story page of a large story: rows fold (<details>), filter to contradictions or unreviewed claims, and name
every member's outlet (publisher, else domain, else title) with its article's title, consistently."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from factcheck.models import Article, Claim, Source, Story
from tests.factories import ArticleFactory, claims_for
from tests.builders.clusters import clustered_claims, conflict_between

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def big_story():
    """A cluster stated by three articles (one with a publisher, one with only a web address, one with neither)
    with a contradiction, and 20 single claims, of which 3 are reviewed."""
    story = Story.objects.create(title="Ford and Xiaomi")
    cluster, claims = clustered_claims(3)
    courier = Source.objects.create(name="Harbour Courier")
    Article.objects.filter(pk=claims[0].article_id).update(source=courier, title="Courier report")
    Article.objects.filter(pk=claims[1].article_id).update(url="https://www.wire.example/ford", title="Wire report",
                                                           source=None)
    Article.objects.filter(pk=claims[2].article_id).update(title="Blog post", source=None)
    Article.objects.filter(pk__in=[c.article_id for c in claims]).update(story=story)
    conflict = conflict_between(claims[0], claims[1])
    singles = []
    for _ in range(4):
        singles += claims_for(ArticleFactory(story=story))
    Claim.objects.filter(pk__in=[c.pk for c in singles[:3]]).update(verdict="verified")
    return story, cluster, claims, conflict, singles


def story_page(client, story, max_queries, **params) -> str:
    """The story page as a viewer gets it, in a bounded number of queries whatever the story holds."""
    with max_queries(20):
        return client.get(reverse("factcheck:story", args=[story.pk]), params).content.decode()


def rows_of(html: str) -> list[str]:
    return re.findall(r'<details class="story-row" id="story-([a-z]+-\d+)"', html)


def test_rows_fold_and_members_name_their_outlet_and_article(client, viewer, big_story):
    story, cluster, claims, conflict, singles = big_story
    client.force_login(viewer)
    html = client.get(reverse("factcheck:story", args=[story.pk])).content.decode()
    assert len(rows_of(html)) == 21
    assert " open>" not in html.split('aria-labelledby="story-claims-title"')[1]  # folded by default
    assert "Unknown outlet" not in html
    row = html.split(f'id="story-cluster-{cluster.pk}"')[1].split("</details>")[0]
    members = re.findall(r'<strong class="ev-source">([^<]+)</strong>\s*<a class="other-claim" href="[^"]+">([^<]+)</a>',
                         row)
    assert sorted(members) == sorted([("Harbour Courier", "Courier report"), ("wire.example", "Wire report"),
                                      ("Blog post", "Blog post")])
    assert "⚑ 1 contradiction" in row.split("</summary>")[0]


def test_filters_keep_contradictions_or_unreviewed_claims(client, viewer, big_story,
                                                          django_assert_max_num_queries):
    story, cluster, claims, conflict, singles = big_story
    client.force_login(viewer)
    url = reverse("factcheck:story", args=[story.pk])
    html = story_page(client, story, django_assert_max_num_queries, show="contradictions")
    assert rows_of(html) == [f"cluster-{cluster.pk}"]
    assert "1 of 21 distinct claims" in html
    assert '<a href="?show=contradictions" hx-get="?show=contradictions" hx-target="#story-overview" hx-swap="outerHTML" hx-push-url="true" aria-current="true">' in html
    html = client.get(url, {"show": "unreviewed"}).content.decode()
    assert len(rows_of(html)) == 18 and not {f"claim-{c.pk}" for c in singles[:3]} & set(rows_of(html))
    html = client.get(url, {"show": "nonsense", "expand": "1"}).content.decode()
    assert len(rows_of(html)) == 21 and html.count('class="story-row" id=') == html.count(" open>")


def test_an_empty_filter_says_so(client, viewer):
    story = Story.objects.create(title="Quiet")
    claims_for(ArticleFactory(story=story))
    client.force_login(viewer)
    html = client.get(reverse("factcheck:story", args=[story.pk]), {"show": "contradictions"}).content.decode()
    assert "No claim of this story is left under “With contradictions”." in html


def test_an_action_keeps_its_row_open_and_the_filter(client, checker, big_story):
    story, cluster, claims, conflict, singles = big_story
    client.force_login(checker)
    response = client.post(reverse("factcheck:conflict-dismiss", args=[conflict.pk]),
                           {"story_page": story.pk, "show": "unreviewed", "open_row": f"cluster-{cluster.pk}"},
                           **HTMX)
    html = response.content.decode()
    assert f'<details class="story-row" id="story-cluster-{cluster.pk}" open>' in html
    assert '<input type="hidden" name="show" value="unreviewed">' in html
    assert len(rows_of(html)) == 18


def test_grouped_by_article_each_article_lists_its_claims(client, viewer, big_story,
                                                         django_assert_max_num_queries):
    story, cluster, claims, conflict, singles = big_story
    client.force_login(viewer)
    url = reverse("factcheck:story", args=[story.pk])
    html = story_page(client, story, django_assert_max_num_queries, group="article")
    groups = re.findall(r'<details class="story-row" id="story-article-(\d+)"', html)
    assert len(groups) == 7
    courier = html.split(f'id="story-article-{claims[0].article_id}"')[1].split("</details>")[0]
    assert '<strong class="ev-source">Harbour Courier</strong> — Courier report' in courier
    assert courier.count('<a class="other-claim"') == 1 and "⚑ contradicted" in courier
    wire = html.split(f'id="story-article-{claims[1].article_id}"')[1].split("</details>")[0]
    assert '<strong class="ev-source">wire.example</strong>' in wire
    single = html.split(f'id="story-article-{singles[0].article_id}"')[1].split("</details>")[0]
    assert single.count('<a class="other-claim"') == 5
    # Filters apply to articles and their claims; the group stays in the links.
    html = client.get(url, {"group": "article", "show": "contradictions"}).content.decode()
    assert sorted(map(int, re.findall(r'id="story-article-(\d+)"', html))) == sorted(c.article_id for c in claims[:2])
    assert 'href="?show=unreviewed&amp;group=article"' in html
    html = client.get(url, {"group": "article", "show": "unreviewed"}).content.decode()
    single = html.split(f'id="story-article-{singles[0].article_id}"')[1].split("</details>")[0]
    assert single.count('<a class="other-claim"') == 2  # three of its five claims are verified
