"""The story pages and the cross-article actions through HTTP: what each role gets, what changes in the database."""

from __future__ import annotations

import pytest
from django.urls import reverse

from factcheck.models import Article, Claim, ClaimCluster, ClusterMerge, Conflict, Story
from factcheck.permissions import ROLE_EDITORS
from factcheck.services.clusters import clusters_merge
from tests.factories import UserFactory
from tests.builders.clusters import clustered_claims, conflict_between

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def story_with_cluster():
    story = Story.objects.create(title="Ford and Xiaomi")
    cluster, claims = clustered_claims(3)
    Article.objects.filter(pk__in=[c.article_id for c in claims]).update(story=story)
    conflict = conflict_between(claims[0], claims[1])
    return story, cluster, claims, conflict


# --- Pages -----------------------------------------------------------------------------------------------------


def test_story_list_shows_counts(client, viewer, story_with_cluster):
    story, *_ = story_with_cluster
    client.force_login(viewer)
    response = client.get(reverse("factcheck:stories"))
    assert response.status_code == 200
    row = next(s for s in response.context["stories"] if s.pk == story.pk)
    assert (row.n_articles, row.n_open_conflicts) == (3, 1)
    assert row.n_claims == 3
    assert "Ford and Xiaomi" in response.content.decode()


def test_story_page_shows_each_claim_once_with_its_sources_and_conflict(client, viewer, story_with_cluster,
                                                                        django_assert_max_num_queries):
    story, cluster, claims, conflict = story_with_cluster
    client.force_login(viewer)
    response = client.get(reverse("factcheck:story", args=[story.pk]))
    assert response.status_code == 200
    rows = response.context["overview"].rows
    assert len(rows) == 1 and rows[0].cluster_id == cluster.pk and rows[0].n_sources == 3
    assert [c.pk for c in rows[0].conflicts] == [conflict.pk]
    html = response.content.decode()
    assert "<span>3 articles</span>" in html and "“100%” vs. “145%”" in html
    assert reverse("factcheck:conflict-resolve", args=[conflict.pk]) not in html  # viewers get no forms


def test_story_overview_query_count_does_not_grow(client, viewer, story_with_cluster, django_assert_max_num_queries):
    story, *_ = story_with_cluster
    client.force_login(viewer)
    client.get(reverse("factcheck:story", args=[story.pk]))
    from factcheck import selectors

    with django_assert_max_num_queries(9):
        selectors.story_overview(story=story)
    _, more = clustered_claims(10)
    Article.objects.filter(pk__in=[c.article_id for c in more]).update(story=story)
    with django_assert_max_num_queries(9):
        overview = selectors.story_overview(story=story)
    assert len(overview.rows) == 2


def test_story_page_pages_through_the_distinct_claims(client, viewer, story_with_cluster):
    """A story of many distinct claims is shown a page at a time: every row once, in the same order as one list."""
    from factcheck import selectors
    from tests.factories import ArticleFactory, claims_for

    story, cluster, *_ = story_with_cluster
    extra = [ArticleFactory(story=story) for _ in range(14)]
    for article in extra:
        claims_for(article)  # five single claims each: 70 rows besides the cluster
    per_page = selectors.STORY_ROWS_PER_PAGE
    pages = [selectors.story_overview(story=story, page=n) for n in (1, 2, 3)]
    keys = [row.key for overview in pages for row in overview.rows]
    assert [len(o.rows) for o in pages] == [per_page, per_page, 71 - 2 * per_page]
    assert len(set(keys)) == 71 and keys[0] == f"cluster-{cluster.pk}"  # stated by three articles: first
    assert pages[0].n_rows == 71 and pages[0].n_pages == 3 and pages[0].n_articles == 17
    scores = [row.representative.score for row in pages[0].rows[1:]]
    assert scores == sorted(scores, reverse=True)
    client.force_login(viewer)
    html = client.get(reverse("factcheck:story", args=[story.pk]), {"page": 3}).content.decode()
    assert "Page 3 of 3" in html and "71 distinct claims" in html


def test_story_page_htmx_fragment(client, checker, story_with_cluster):
    story, *_ = story_with_cluster
    client.force_login(checker)
    response = client.get(reverse("factcheck:story", args=[story.pk]), HTTP_HX_TARGET="story-overview", **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and html.startswith('<div id="story-overview">')
    assert reverse("factcheck:conflict-resolve", args=[story_with_cluster[3].pk]) in html


def test_unknown_story_is_404(client, viewer):
    client.force_login(viewer)
    assert client.get(reverse("factcheck:story", args=[999999])).status_code == 404


# --- Cluster actions -------------------------------------------------------------------------------------------


def test_split_redirects_back_without_js(client, checker, story_with_cluster):
    _, cluster, claims, _ = story_with_cluster
    client.force_login(checker)
    response = client.post(reverse("factcheck:claim-split", args=[claims[2].pk]))
    assert response.status_code == 302 and response["Location"] == claims[2].get_absolute_url()
    assert Claim.objects.get(pk=claims[2].pk).cluster_id is None


def test_split_from_the_panel_returns_the_siblings_fragment(client, checker):
    _, claims = clustered_claims(3)
    client.force_login(checker)
    response = client.post(reverse("factcheck:claim-split", args=[claims[0].pk]), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and 'id="claim-siblings"' in html
    assert "No other article states this claim." in html and "Claim split off its cluster." in html
    assert "claimsChanged" in response["HX-Trigger"]


def test_split_from_the_story_page_returns_the_overview(client, checker, story_with_cluster):
    story, cluster, claims, _ = story_with_cluster
    client.force_login(checker)
    response = client.post(reverse("factcheck:claim-split", args=[claims[1].pk]), {"story_page": story.pk}, **HTMX)
    assert response.status_code == 200 and response.content.decode().startswith('<div id="story-overview">')
    assert "2 distinct claims" in response.content.decode()


def test_merge(client, editor):
    keep, first = clustered_claims(2)
    gone, second = clustered_claims(2)
    client.force_login(editor)
    response = client.post(reverse("factcheck:cluster-merge", args=[keep.pk]), {"other": gone.pk})
    assert response.status_code == 302
    assert Claim.objects.filter(cluster=keep).count() == 4 and not ClaimCluster.objects.filter(pk=gone.pk).exists()


def test_merge_of_an_unknown_cluster_is_404(client, editor):
    client.force_login(editor)
    assert client.post(reverse("factcheck:cluster-merge", args=[999999]), {"other": 1}).status_code == 404


def test_apply_to_all(client, checker):
    _, claims = clustered_claims(3)
    client.force_login(checker)
    response = client.post(
        reverse("factcheck:claim-cluster-verdict", args=[claims[0].pk]),
        {"verdict": "disputed", "rationale": "Only one outlet says 145%.",
         "seen": " ".join(f"{c.pk}:{c.version}" for c in claims)},
        **HTMX,
    )
    assert response.status_code == 200
    assert set(Claim.objects.filter(pk__in=[c.pk for c in claims]).values_list("verdict", flat=True)) == {"disputed"}
    assert "claimsChanged" in response["HX-Trigger"]
    assert "applied to 3 claims" in response.content.decode()


def test_apply_to_all_shows_the_error_in_the_fragment(client, checker):
    _, claims = clustered_claims(2)
    client.force_login(checker)
    response = client.post(reverse("factcheck:claim-cluster-verdict", args=[claims[0].pk]),
                           {"verdict": "false", "rationale": "", "seen": f"{claims[0].pk}:1"}, **HTMX)
    assert response.status_code == 200 and "Give a rationale" in response.content.decode()
    assert Claim.objects.get(pk=claims[0].pk).verdict == "unreviewed"


def test_siblings_fragment_offers_the_reviewed_verdict(client, checker):
    from factcheck import selectors
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    _, (a, b, c) = clustered_claims(3)
    Claim.objects.filter(pk=a.pk).update(verdict="verified", rationale="Ford's statement to the FT.")
    request = RequestFactory().get("/")
    request.user = checker
    html = render_to_string(
        "matching/_siblings.html", {"claim": b, "siblings": selectors.claim_siblings(claim=b)}, request=request
    )
    assert "Also in 2 other articles" in html and "Apply “Verified” to all in cluster" in html
    assert "Ford&#x27;s statement to the FT." in html or "Ford's statement to the FT." in html


# --- Conflicts -------------------------------------------------------------------------------------------------


def test_resolve_from_the_panel(client, checker):
    _, (a, b) = clustered_claims(2)
    conflict = conflict_between(a, b)
    client.force_login(checker)
    response = client.post(reverse("factcheck:conflict-resolve", args=[conflict.pk]),
                           {"note": "The 145% was temporary.", "claim": b.pk}, **HTMX)
    assert response.status_code == 200 and 'id="claim-conflicts"' in response.content.decode()
    conflict.refresh_from_db()
    assert conflict.status == "resolved" and conflict.resolution_note == "The 145% was temporary."


def test_dismiss_without_js_redirects_to_the_claim(client, checker):
    _, (a, b) = clustered_claims(2)
    conflict = conflict_between(a, b)
    client.force_login(checker)
    response = client.post(reverse("factcheck:conflict-dismiss", args=[conflict.pk]), {"claim": a.pk})
    assert response.status_code == 302 and response["Location"] == a.get_absolute_url()
    assert Conflict.objects.get(pk=conflict.pk).status == "dismissed"


def test_closing_twice_says_so(client, checker, editor):
    _, (a, b) = clustered_claims(2)
    conflict = conflict_between(a, b)
    client.force_login(checker)
    client.post(reverse("factcheck:conflict-dismiss", args=[conflict.pk]), {"claim": a.pk}, **HTMX)
    client.force_login(editor)
    response = client.post(reverse("factcheck:conflict-resolve", args=[conflict.pk]), {"claim": a.pk}, **HTMX)
    assert "already dismissed by ana" in response.content.decode()
    assert Conflict.objects.get(pk=conflict.pk).status == "dismissed"


def test_next_must_be_on_this_site(client, checker):
    _, (a, b) = clustered_claims(2)
    conflict = conflict_between(a, b)
    client.force_login(checker)
    response = client.post(reverse("factcheck:conflict-resolve", args=[conflict.pk]),
                           {"claim": a.pk, "next": "https://evil.example/"})
    assert response["Location"] == a.get_absolute_url()


# --- Stories ---------------------------------------------------------------------------------------------------


def test_move_article_to_another_story(client, editor, story_with_cluster):
    story, _, claims, _ = story_with_cluster
    other = Story.objects.create(title="Tariffs")
    client.force_login(editor)
    response = client.post(reverse("factcheck:article-story", args=[claims[0].article_id]),
                           {"story": other.pk, "story_page": story.pk}, **HTMX)
    assert response.status_code == 200
    assert Article.objects.get(pk=claims[0].article_id).story_id == other.pk
    assert "2 articles" in response.content.decode()


def test_move_article_out_of_any_story_without_js(client, editor, story_with_cluster):
    story, _, claims, _ = story_with_cluster
    client.force_login(editor)
    response = client.post(reverse("factcheck:article-story", args=[claims[0].article_id]), {"story": ""})
    assert response.status_code == 302 and response["Location"] == reverse("factcheck:story", args=[story.pk])
    assert Article.objects.get(pk=claims[0].article_id).story_id is None


def test_rename_story(client, editor, story_with_cluster):
    story, *_ = story_with_cluster
    client.force_login(editor)
    response = client.post(reverse("factcheck:story-rename", args=[story.pk]), {"title": "Ford denies Xiaomi talks"})
    assert response.status_code == 302
    assert Story.objects.get(pk=story.pk).title == "Ford denies Xiaomi talks"


def test_rename_to_nothing_keeps_the_title(client, editor, story_with_cluster):
    story, *_ = story_with_cluster
    client.force_login(editor)
    response = client.post(reverse("factcheck:story-rename", args=[story.pk]), {"title": "", "story_page": story.pk},
                           **HTMX)
    assert response.status_code == 200 and "Give the story a title" in response.content.decode()
    assert Story.objects.get(pk=story.pk).title == "Ford and Xiaomi"


# --- Who may do what: viewers 403 and unchanged data, outsiders 404, GET 405 -----------------------------------


def _merge_of(cluster):
    gone, _ = clustered_claims(1)
    clusters_merge(cluster_id=cluster.pk, other_cluster_id=gone.pk, actor=UserFactory(username="merger", role=ROLE_EDITORS))
    return ClusterMerge.objects.get(into_cluster=cluster)


def _write_cases(story_with_cluster):
    story, cluster, claims, conflict = story_with_cluster
    other, _ = clustered_claims(2)
    return [
        ("claim-split", claims[0].pk, {}),
        ("claim-cluster-verdict-preview", claims[0].pk, {"verdict": "verified"}),
        ("claim-cluster-verdict", claims[0].pk, {"verdict": "verified", "seen": f"{claims[0].pk}:1"}),
        ("cluster-merge", cluster.pk, {"other": other.pk}),
        ("cluster-merge-undo", _merge_of(other).pk, {}),
        ("conflict-resolve", conflict.pk, {"note": "x"}),
        ("conflict-dismiss", conflict.pk, {"note": "x"}),
        ("article-story", claims[0].article_id, {"story": ""}),
        ("story-rename", story.pk, {"title": "Changed"}),
    ]


def _state():
    return (
        sorted(Claim.objects.values_list("pk", "cluster_id", "verdict")),
        sorted(Conflict.objects.values_list("pk", "status")),
        sorted(Article.objects.values_list("pk", "story_id")),
        sorted(Story.objects.values_list("pk", "title")),
    )


@pytest.mark.parametrize("role, status", [("viewer", 403), ("outsider", 404)])
def test_writes_refused_change_nothing(client, request, story_with_cluster, role, status):
    cases = _write_cases(story_with_cluster)
    client.force_login(request.getfixturevalue(role))
    before = _state()
    for name, pk, data in cases:
        assert client.post(reverse(f"factcheck:{name}", args=[pk]), data).status_code == status, name
    assert _state() == before


def test_fact_checkers_cannot_edit_stories(client, checker, story_with_cluster):
    story, _, claims, _ = story_with_cluster
    client.force_login(checker)
    before = _state()
    assert client.post(reverse("factcheck:story-rename", args=[story.pk]), {"title": "x"}).status_code == 403
    assert client.post(reverse("factcheck:article-story", args=[claims[0].article_id]), {}).status_code == 403
    assert _state() == before


def test_writes_refuse_get(client, editor, story_with_cluster):
    client.force_login(editor)
    for name, pk, _ in _write_cases(story_with_cluster):
        assert client.get(reverse(f"factcheck:{name}", args=[pk])).status_code == 405, name


def test_anonymous_is_sent_to_login(client, story_with_cluster):
    response = client.get(reverse("factcheck:story", args=[story_with_cluster[0].pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]
